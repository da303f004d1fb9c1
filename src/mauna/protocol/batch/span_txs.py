"""The ``txs`` section of a span batch payload: all user transactions of the span, split into
columns of like fields.

Spec: protocol/delta/span-batches.md, "Span batch format"::

    txs = contract_creation_bits ++ y_parity_bits ++ tx_sigs ++ tx_tos ++ tx_datas
          ++ tx_nonces ++ tx_gases ++ protected_bits

- ``contract_creation_bits``, ``y_parity_bits``: standard bitlists of ``sum(block_tx_counts)`` bits;
- ``tx_sigs``: per transaction ``r`` and ``s`` as big-endian ``uint256``;
- ``tx_tos``: the 20-byte ``to`` of every transaction that is not a contract creation;
- ``tx_datas``: per transaction, the RLP fields of its type (see :mod:`.span_tx`);
- ``tx_nonces``, ``tx_gases``: ``uvarint`` per transaction;
- ``protected_bits``: standard bitlist with one bit per legacy transaction (EIP-155 protected).

Section "Store ``y_parity`` and ``protected_bit`` instead of ``v``" gives the ``v`` rebuild rule
used by :meth:`SpanBatchTxs.full_txs`; a protected transaction must be signed for the L2 chain id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mauna.errors import BatchError, TransactionError
from mauna.protocol.batch.bitlist import bits_from_flags, decode_bitlist, encode_bitlist, get_bit
from mauna.protocol.batch.constants import MAX_SPAN_BATCH_ELEMENT_COUNT
from mauna.protocol.batch.span_tx import SpanBatchTxData
from mauna.protocol.batch.tx import BATCH_TX_TYPES, LEGACY_TX_TYPE, SignedTx
from mauna.protocol.batch.wire import ByteReader, UvarintOverflow, encode_uvarint, read_uvarints

_SIG_LEN = 64
_ADDRESS_LEN = 20
_U256_LIMIT = 1 << 256
_TYPED_BATCH_TX_TYPES = frozenset(t for t in BATCH_TX_TYPES if t != LEGACY_TX_TYPE)


def _tx_type_of(tx_data: bytes) -> int:
    """The EIP-2718 type of a ``tx_datas`` element (legacy data starts with an RLP list prefix)."""
    return tx_data[0] if tx_data and tx_data[0] <= 0x7F else LEGACY_TX_TYPE


def _read_one_tx_data(reader: ByteReader, what: str) -> bytes:
    """Read one ``tx_datas`` element: an optional EIP-2718 type byte, then one RLP list.

    As in op-node, the RLP list (header included) may not exceed ``MAX_SPAN_BATCH_ELEMENT_COUNT``
    bytes. Only the types a batch may carry are accepted.
    """
    first = reader.peek(what)
    if first > 0x7F:
        return reader.read_rlp_list(what, max_size=MAX_SPAN_BATCH_ELEMENT_COUNT)
    if first not in BATCH_TX_TYPES or first == LEGACY_TX_TYPE:
        raise BatchError(f"{what}: unsupported transaction type 0x{first:02x} at offset {reader.pos}")
    type_byte = reader.read(1, what)
    return type_byte + reader.read_rlp_list(what, max_size=MAX_SPAN_BATCH_ELEMENT_COUNT)


@dataclass(frozen=True, slots=True)
class SpanBatchTxs:
    """The packed transactions of a span batch (fields in wire order).

    ``tx_sigs`` holds ``(r, s)`` per transaction; the ``v``/``y_parity`` is in ``y_parity_bits``.
    ``tx_tos`` holds only the ``to`` of non-creation transactions; ``tx_datas`` holds the encoded
    :class:`SpanBatchTxData` of each transaction (type byte included for typed transactions).
    """

    contract_creation_bits: int
    y_parity_bits: int
    tx_sigs: tuple[tuple[int, int], ...]
    tx_tos: tuple[bytes, ...]
    tx_datas: tuple[bytes, ...]
    tx_nonces: tuple[int, ...]
    tx_gases: tuple[int, ...]
    protected_bits: int

    @property
    def total_tx_count(self) -> int:
        """``sum(block_tx_counts)``: the number of transactions packed."""
        return len(self.tx_datas)

    @property
    def tx_types(self) -> tuple[int, ...]:
        """The EIP-2718 type of every transaction (0 for legacy)."""
        return tuple(_tx_type_of(d) for d in self.tx_datas)

    @property
    def legacy_tx_count(self) -> int:
        """Number of legacy transactions: the bit length of ``protected_bits``."""
        return sum(1 for d in self.tx_datas if _tx_type_of(d) == LEGACY_TX_TYPE)

    @property
    def contract_creation_count(self) -> int:
        return self.contract_creation_bits.bit_count()

    @classmethod
    def empty(cls) -> SpanBatchTxs:
        return cls(0, 0, (), (), (), (), (), 0)

    # --- wire ------------------------------------------------------------------------------------
    def _validate(self) -> None:
        n = self.total_tx_count
        if n > MAX_SPAN_BATCH_ELEMENT_COUNT:
            raise BatchError(f"span batch txs: {n} transactions exceed {MAX_SPAN_BATCH_ELEMENT_COUNT}")
        for name, column in (("tx_sigs", self.tx_sigs), ("tx_nonces", self.tx_nonces)):
            if len(column) != n:
                raise BatchError(f"span batch txs: {name} has {len(column)} entries, expected {n}")
        if len(self.tx_gases) != n:
            raise BatchError(f"span batch txs: tx_gases has {len(self.tx_gases)} entries, expected {n}")
        if self.contract_creation_bits.bit_length() > n:
            raise BatchError(f"span batch txs: contract_creation_bits has bits beyond {n} transactions")
        expected_tos = n - self.contract_creation_count
        if len(self.tx_tos) != expected_tos:
            raise BatchError(
                f"span batch txs: tx_tos has {len(self.tx_tos)} entries, expected {expected_tos}"
            )
        for i, to in enumerate(self.tx_tos):
            if len(to) != _ADDRESS_LEN:
                raise BatchError(f"span batch tx_tos[{i}]: expected 20 bytes, got {len(to)}")
        for i, (r, s) in enumerate(self.tx_sigs):
            if not (0 <= r < _U256_LIMIT and 0 <= s < _U256_LIMIT):
                raise BatchError(f"span batch tx {i}: signature r/s does not fit in uint256")
        for i, tx_data in enumerate(self.tx_datas):
            what = f"span batch tx {i}: tx_datas"
            reader = ByteReader(tx_data)
            _read_one_tx_data(reader, what)
            if reader.remaining:
                raise BatchError(f"{what}: {reader.remaining} trailing bytes after the RLP list")

    def encode(self) -> bytes:
        """The ``txs`` section in wire order."""
        self._validate()
        n = self.total_tx_count
        out = bytearray()
        out += encode_bitlist(self.contract_creation_bits, n, what="span batch contract_creation_bits")
        out += encode_bitlist(self.y_parity_bits, n, what="span batch y_parity_bits")
        for r, s in self.tx_sigs:
            out += r.to_bytes(32, "big")
            out += s.to_bytes(32, "big")
        for to in self.tx_tos:
            out += to
        for tx_data in self.tx_datas:
            out += tx_data
        for i, nonce in enumerate(self.tx_nonces):
            out += encode_uvarint(nonce, what=f"span batch tx {i}: tx_nonces")
        for i, gas in enumerate(self.tx_gases):
            out += encode_uvarint(gas, what=f"span batch tx {i}: tx_gases")
        out += encode_bitlist(self.protected_bits, self.legacy_tx_count, what="span batch protected_bits")
        return bytes(out)

    @classmethod
    def decode(cls, reader: ByteReader, total_tx_count: int) -> SpanBatchTxs:
        """Read the ``txs`` section of ``total_tx_count`` transactions from ``reader``."""
        n = total_tx_count
        if n > MAX_SPAN_BATCH_ELEMENT_COUNT:
            raise BatchError(
                f"span batch txs: total tx count {n} exceeds MAX_SPAN_BATCH_ELEMENT_COUNT "
                f"{MAX_SPAN_BATCH_ELEMENT_COUNT}"
            )
        ccb = decode_bitlist(reader, n, what="span batch contract_creation_bits")
        ypb = decode_bitlist(reader, n, what="span batch y_parity_bits")
        raw_sigs = reader.read(_SIG_LEN * n, f"span batch tx_sigs ({n} signatures)")
        sigs = tuple(
            (
                int.from_bytes(raw_sigs[k : k + 32], "big"),
                int.from_bytes(raw_sigs[k + 32 : k + 64], "big"),
            )
            for k in range(0, _SIG_LEN * n, _SIG_LEN)
        )
        to_count = n - ccb.bit_count()
        raw_tos = reader.read(_ADDRESS_LEN * to_count, f"span batch tx_tos ({to_count} addresses)")
        tos = tuple(raw_tos[k : k + _ADDRESS_LEN] for k in range(0, _ADDRESS_LEN * to_count, _ADDRESS_LEN))
        datas = tuple(_read_one_tx_data(reader, f"span batch tx {i}: tx_datas") for i in range(n))
        nonces = tuple(reader.read_uvarint(f"span batch tx {i}: tx_nonces") for i in range(n))
        gases = tuple(reader.read_uvarint(f"span batch tx {i}: tx_gases") for i in range(n))
        legacy_count = sum(1 for d in datas if _tx_type_of(d) == LEGACY_TX_TYPE)
        protected = decode_bitlist(reader, legacy_count, what="span batch protected_bits")
        return cls(ccb, ypb, sigs, tos, datas, nonces, gases, protected)

    @classmethod
    def decode_canonical(cls, data: bytes, pos: int, total_tx_count: int) -> tuple[SpanBatchTxs, int] | None:
        """Read the ``txs`` section from ``data[pos:]`` in one pass; return it and the offset after it.

        ``None`` whenever the section is not well formed (anything :meth:`decode` would reject),
        without saying why: the caller then decodes through :meth:`decode`, whose errors name the
        problem. For well-formed input the result equals :meth:`decode`'s.
        """
        try:
            return _decode_txs_canonical(data, pos, total_tx_count)
        except IndexError:  # ran past the end of the data
            return None

    # --- conversion to and from full transactions -----------------------------------------------
    def full_txs(self, chain_id: int) -> tuple[bytes, ...]:
        """Rebuild every transaction as signed EIP-2718 bytes, using ``chain_id`` (spec: "How
        Derivation works with Span Batches", Transactions)."""
        self._validate()
        out = []
        to_idx = 0
        legacy_idx = 0
        for i, raw in enumerate(self.tx_datas):
            what = f"span batch tx {i}"
            tx_data = SpanBatchTxData.decode(raw, f"{what}: tx_datas")
            if get_bit(self.contract_creation_bits, i):
                to = None
            else:
                to = self.tx_tos[to_idx]
                to_idx += 1
            protected = True
            if tx_data.tx_type == LEGACY_TX_TYPE:
                protected = bool(get_bit(self.protected_bits, legacy_idx))
                legacy_idx += 1
            r, s = self.tx_sigs[i]
            try:
                tx = tx_data.to_signed_tx(
                    nonce=self.tx_nonces[i],
                    gas=self.tx_gases[i],
                    to=to,
                    chain_id=chain_id,
                    y_parity=get_bit(self.y_parity_bits, i),
                    r=r,
                    s=s,
                    protected=protected,
                )
                out.append(tx.encode())
            except (BatchError, TransactionError) as exc:
                raise BatchError(f"{what}: {exc}") from exc
        return tuple(out)

    @classmethod
    def from_txs(cls, txs: Sequence[bytes], chain_id: int) -> SpanBatchTxs:
        """Pack signed EIP-2718 transactions (op-node ``spanBatchTxs.AddTxs``).

        Every protected transaction (all but pre-EIP-155 legacy ones) must be signed for
        ``chain_id``; deposits, blob transactions and unknown types are rejected.
        """
        if len(txs) > MAX_SPAN_BATCH_ELEMENT_COUNT:
            raise BatchError(f"span batch txs: {len(txs)} transactions exceed {MAX_SPAN_BATCH_ELEMENT_COUNT}")
        creation: list[bool] = []
        parity: list[bool] = []
        protected: list[bool] = []
        sigs: list[tuple[int, int]] = []
        tos: list[bytes] = []
        datas: list[bytes] = []
        nonces: list[int] = []
        gases: list[int] = []
        for i, raw in enumerate(txs):
            what = f"span batch tx {i}"
            try:
                tx = SignedTx.decode(bytes(raw))
            except TransactionError as exc:
                raise BatchError(f"{what}: {exc}") from exc
            if tx.protected and tx.chain_id != chain_id:
                raise BatchError(f"{what}: protected tx has chain id {tx.chain_id}, expected {chain_id}")
            if tx.tx_type == LEGACY_TX_TYPE:
                protected.append(tx.protected)
            creation.append(tx.to is None)
            if tx.to is not None:
                tos.append(tx.to)
            parity.append(bool(tx.y_parity))
            sigs.append((tx.r, tx.s))
            nonces.append(tx.nonce)
            gases.append(tx.gas_limit)
            datas.append(SpanBatchTxData.from_signed_tx(tx).encode())
        return cls(
            contract_creation_bits=bits_from_flags(creation),
            y_parity_bits=bits_from_flags(parity),
            tx_sigs=tuple(sigs),
            tx_tos=tuple(tos),
            tx_datas=tuple(datas),
            tx_nonces=tuple(nonces),
            tx_gases=tuple(gases),
            protected_bits=bits_from_flags(protected),
        )


def _decode_txs_canonical(data: bytes, pos: int, n: int) -> tuple[SpanBatchTxs, int] | None:
    if n > MAX_SPAN_BATCH_ELEMENT_COUNT:
        return None
    size = len(data)
    bits_len = (n + 7) // 8
    end = pos + bits_len
    ccb = int.from_bytes(data[pos:end], "big")
    pos = end
    end = pos + bits_len
    ypb = int.from_bytes(data[pos:end], "big")
    pos = end
    if end > size or ccb.bit_length() > n or ypb.bit_length() > n:
        return None
    end = pos + _SIG_LEN * n
    if end > size:
        return None
    from_bytes = int.from_bytes
    sigs = tuple(
        (from_bytes(data[k : k + 32], "big"), from_bytes(data[k + 32 : k + 64], "big"))
        for k in range(pos, end, _SIG_LEN)
    )
    pos = end
    end = pos + _ADDRESS_LEN * (n - ccb.bit_count())
    if end > size:
        return None
    tos = tuple(data[k : k + _ADDRESS_LEN] for k in range(pos, end, _ADDRESS_LEN))
    pos = end
    datas: list[bytes] = []
    append = datas.append
    legacy_count = 0
    max_list = MAX_SPAN_BATCH_ELEMENT_COUNT
    for _ in range(n):
        start = pos
        b0 = data[pos]
        if b0 < 0xC0:
            if b0 not in _TYPED_BATCH_TX_TYPES:
                return None
            pos += 1
            b0 = data[pos]
            if b0 < 0xC0:
                return None
        else:
            legacy_count += 1
        if b0 < 0xF8:
            pos += 1 + b0 - 0xC0
        else:
            first = pos + b0 - 0xF6
            if first > size or data[pos + 1] == 0:
                return None
            length = from_bytes(data[pos + 1 : first], "big")
            if length < 56 or length > max_list - (first - pos):
                return None
            pos = first + length
        if pos > size:
            return None
        append(data[start:pos])
    try:
        nonces, pos = read_uvarints(data, pos, n)
        gases, pos = read_uvarints(data, pos, n)
    except UvarintOverflow:
        return None
    end = pos + (legacy_count + 7) // 8
    if end > size:
        return None
    protected = from_bytes(data[pos:end], "big")
    if protected.bit_length() > legacy_count:
        return None
    txs = SpanBatchTxs(ccb, ypb, sigs, tos, tuple(datas), tuple(nonces), tuple(gases), protected)
    return txs, end
