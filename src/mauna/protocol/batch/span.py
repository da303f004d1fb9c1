"""Span batches (Delta): a range of consecutive L2 blocks in one batch.

Spec: protocol/delta/span-batches.md — "Span batch format" (wire layout, implemented by
:class:`RawSpanBatch`), "Span Batch Size Limits" (``MAX_SPAN_BATCH_ELEMENT_COUNT``) and "How
Derivation works with Span Batches" (block timestamps, L1 origin numbers and transactions of every
block, implemented by :meth:`RawSpanBatch.derive` into :class:`SpanBatch`)::

    span_batch = prefix ++ payload
    prefix     = rel_timestamp ++ l1_origin_num ++ parent_check ++ l1_origin_check
    payload    = block_count ++ origin_bits ++ block_tx_counts ++ txs

Isthmus (protocol/isthmus/derivation.md, "Span Batch Updates") adds EIP-7702 transactions to
``txs``; whether such a transaction is allowed at a block's timestamp is checked by the batch queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mauna.errors import BatchError
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO
from mauna.protocol.batch.bitlist import decode_bitlist, encode_bitlist, get_bit
from mauna.protocol.batch.constants import MAX_SPAN_BATCH_ELEMENT_COUNT, SPAN_BATCH_CHECK_LENGTH
from mauna.protocol.batch.single import SingleBatch
from mauna.protocol.batch.span_txs import SpanBatchTxs
from mauna.protocol.batch.wire import ByteReader, UvarintOverflow, encode_uvarint, read_uvarints

_MAX = MAX_SPAN_BATCH_ELEMENT_COUNT


@dataclass(frozen=True, slots=True)
class RawSpanBatch:
    """The wire form of a span batch (without the ``batch_version`` byte).

    Prefix: ``rel_timestamp`` (first block's timestamp minus L2 genesis time), ``l1_origin_num``
    (L1 origin of the last block), ``parent_check`` (first 20 bytes of the first block's parent
    hash), ``l1_origin_check`` (first 20 bytes of the last block's L1 origin hash). Payload:
    ``block_count``, ``origin_bits`` (bit ``i`` set if block ``i`` changed L1 origin),
    ``block_tx_counts`` and the packed ``txs``.
    """

    rel_timestamp: int
    l1_origin_num: int
    parent_check: bytes
    l1_origin_check: bytes
    block_count: int
    origin_bits: int
    block_tx_counts: tuple[int, ...]
    txs: SpanBatchTxs

    def _validate(self) -> None:
        for name, check in (("parent_check", self.parent_check), ("l1_origin_check", self.l1_origin_check)):
            if len(check) != SPAN_BATCH_CHECK_LENGTH:
                raise BatchError(f"span batch: {name} must be 20 bytes, got {len(check)}")
        if self.block_count == 0:
            raise BatchError("span batch: block_count is 0 (empty span batches are invalid)")
        if self.block_count > _MAX:
            raise BatchError(f"span batch: block_count {self.block_count} exceeds {_MAX}")
        if len(self.block_tx_counts) != self.block_count:
            raise BatchError(
                f"span batch: block_tx_counts has {len(self.block_tx_counts)} entries, "
                f"block_count is {self.block_count}"
            )
        for i, count in enumerate(self.block_tx_counts):
            if count > _MAX:
                raise BatchError(f"span batch: block_tx_counts[{i}] = {count} exceeds {_MAX}")
        total = sum(self.block_tx_counts)
        if total != self.txs.total_tx_count:
            raise BatchError(
                f"span batch: block_tx_counts sum to {total}, but txs holds {self.txs.total_tx_count}"
            )

    def encode(self) -> bytes:
        """``prefix ++ payload`` (no ``batch_version`` byte)."""
        self._validate()
        out = bytearray()
        out += encode_uvarint(self.rel_timestamp, what="span batch rel_timestamp")
        out += encode_uvarint(self.l1_origin_num, what="span batch l1_origin_num")
        out += self.parent_check
        out += self.l1_origin_check
        out += encode_uvarint(self.block_count, what="span batch block_count")
        out += encode_bitlist(self.origin_bits, self.block_count, what="span batch origin_bits")
        for i, count in enumerate(self.block_tx_counts):
            out += encode_uvarint(count, what=f"span batch block_tx_counts[{i}]")
        out += self.txs.encode()
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes, *, max_size: int | None = None) -> RawSpanBatch:
        """Decode ``prefix ++ payload`` (no ``batch_version`` byte).

        ``max_size`` optionally bounds the input length (``MAX_RLP_BYTES_PER_CHANNEL``; the spec
        enforces it at the channel level). Bytes after ``protected_bits`` are ignored, as op-node
        and kona do.
        """
        data = bytes(data)
        if max_size is not None and len(data) > max_size:
            raise BatchError(f"span batch: {len(data)} bytes exceed the size limit {max_size}")
        fast = _decode_canonical(data)
        if fast is not None:
            return fast
        # Malformed input: the bounds-checked reader below names the problem.
        r = ByteReader(data)
        rel_timestamp = r.read_uvarint("span batch rel_timestamp")
        l1_origin_num = r.read_uvarint("span batch l1_origin_num")
        parent_check = r.read(SPAN_BATCH_CHECK_LENGTH, "span batch parent_check")
        l1_origin_check = r.read(SPAN_BATCH_CHECK_LENGTH, "span batch l1_origin_check")
        block_count = r.read_uvarint("span batch block_count")
        if block_count > _MAX:
            raise BatchError(f"span batch block_count: {block_count} exceeds MAX_SPAN_BATCH_ELEMENT_COUNT")
        if block_count == 0:
            raise BatchError("span batch block_count: 0 (empty span batches are invalid)")
        origin_bits = decode_bitlist(r, block_count, what="span batch origin_bits")
        counts = []
        for i in range(block_count):
            count = r.read_uvarint(f"span batch block_tx_counts[{i}]")
            if count > _MAX:
                raise BatchError(
                    f"span batch block_tx_counts[{i}]: {count} exceeds MAX_SPAN_BATCH_ELEMENT_COUNT"
                )
            counts.append(count)
        total = sum(counts)
        if total > _MAX:
            raise BatchError(
                f"span batch block_tx_counts: total {total} exceeds MAX_SPAN_BATCH_ELEMENT_COUNT"
            )
        txs = SpanBatchTxs.decode(r, total)
        return cls(
            rel_timestamp=rel_timestamp,
            l1_origin_num=l1_origin_num,
            parent_check=parent_check,
            l1_origin_check=l1_origin_check,
            block_count=block_count,
            origin_bits=origin_bits,
            block_tx_counts=tuple(counts),
            txs=txs,
        )

    def block_epoch_nums(self) -> tuple[int, ...]:
        """L1 origin number of every block: walking back from ``l1_origin_num``, one less before
        each block ``i > 0`` whose origin bit is set."""
        nums = [0] * self.block_count
        origin = self.l1_origin_num
        for i in range(self.block_count - 1, -1, -1):
            nums[i] = origin
            if i > 0 and get_bit(self.origin_bits, i):
                origin -= 1
                if origin < 0:
                    raise BatchError(
                        f"span batch: l1_origin_num {self.l1_origin_num} is smaller than the number "
                        "of L1 origin changes in origin_bits"
                    )
        return tuple(nums)

    def derive(self, block_time: int, genesis_timestamp: int, chain_id: int) -> SpanBatch:
        """The usable form: per-block timestamp, L1 origin number and full signed transactions."""
        self._validate()
        epochs = self.block_epoch_nums()
        full_txs = self.txs.full_txs(chain_id)
        elements = []
        idx = 0
        start = genesis_timestamp + self.rel_timestamp
        for i, count in enumerate(self.block_tx_counts):
            elements.append(SpanBatchElement(epochs[i], start + block_time * i, full_txs[idx : idx + count]))
            idx += count
        return SpanBatch(
            parent_check=self.parent_check,
            l1_origin_check=self.l1_origin_check,
            genesis_timestamp=genesis_timestamp,
            chain_id=chain_id,
            batches=tuple(elements),
            origin_changed_bit=bool(get_bit(self.origin_bits, 0)),
        )


def _decode_canonical(data: bytes) -> RawSpanBatch | None:
    """One-pass decoding of a well-formed span batch; ``None`` for anything
    :meth:`RawSpanBatch.decode`'s bounds-checked reader would reject (which then reports why)."""
    try:
        (rel_timestamp, l1_origin_num), pos = read_uvarints(data, 0, 2)
        end = pos + 2 * SPAN_BATCH_CHECK_LENGTH
        if end > len(data):
            return None
        parent_check = data[pos : pos + SPAN_BATCH_CHECK_LENGTH]
        l1_origin_check = data[pos + SPAN_BATCH_CHECK_LENGTH : end]
        (block_count,), pos = read_uvarints(data, end, 1)
        if not 0 < block_count <= _MAX:
            return None
        end = pos + (block_count + 7) // 8
        if end > len(data):
            return None
        origin_bits = int.from_bytes(data[pos:end], "big")
        if origin_bits.bit_length() > block_count:
            return None
        counts, pos = read_uvarints(data, end, block_count)
    except (UvarintOverflow, IndexError):
        return None
    total = sum(counts)
    if total > _MAX or max(counts) > _MAX:
        return None
    txs = SpanBatchTxs.decode_canonical(data, pos, total)
    if txs is None:
        return None
    return RawSpanBatch(
        rel_timestamp=rel_timestamp,
        l1_origin_num=l1_origin_num,
        parent_check=parent_check,
        l1_origin_check=l1_origin_check,
        block_count=block_count,
        origin_bits=origin_bits,
        block_tx_counts=tuple(counts),
        txs=txs[0],
    )


@dataclass(frozen=True, slots=True)
class SpanBatchElement:
    """One block of a span batch: its L1 origin number, timestamp and signed EIP-2718 transactions."""

    epoch_num: int
    timestamp: int
    transactions: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class SpanBatch:
    """A span batch in usable form.

    ``origin_changed_bit`` is ``origin_bits[0]``: whether the first block starts a new L1 origin.
    The other origin bits follow from the blocks' epoch numbers; the first bit does not and is kept
    so that :meth:`to_raw` reproduces the original encoding.
    """

    parent_check: bytes
    l1_origin_check: bytes
    genesis_timestamp: int
    chain_id: int
    batches: tuple[SpanBatchElement, ...]
    origin_changed_bit: bool = True

    # --- accessors -------------------------------------------------------------------------------
    @property
    def block_count(self) -> int:
        return len(self.batches)

    def _first(self) -> SpanBatchElement:
        if not self.batches:
            raise BatchError("span batch: no blocks")
        return self.batches[0]

    def starting_timestamp(self) -> int:
        return self._first().timestamp

    def final_timestamp(self) -> int:
        self._first()
        return self.batches[-1].timestamp

    def starting_epoch_num(self) -> int:
        return self._first().epoch_num

    def get_block_epoch_num(self, i: int) -> int:
        return self.batches[i].epoch_num

    def get_block_timestamp(self, i: int) -> int:
        return self.batches[i].timestamp

    def get_block_transactions(self, i: int) -> tuple[bytes, ...]:
        return self.batches[i].transactions

    def tx_count(self) -> int:
        return sum(len(b.transactions) for b in self.batches)

    def check_origin_hash(self, block_hash: bytes) -> bool:
        """Whether ``l1_origin_check`` matches the first 20 bytes of an L1 block hash."""
        return self.l1_origin_check == block_hash[:SPAN_BATCH_CHECK_LENGTH]

    def check_parent_hash(self, block_hash: bytes) -> bool:
        """Whether ``parent_check`` matches the first 20 bytes of an L2 block hash."""
        return self.parent_check == block_hash[:SPAN_BATCH_CHECK_LENGTH]

    # --- conversions -----------------------------------------------------------------------------
    def origin_bits(self) -> int:
        """``origin_bits``: bit 0 is ``origin_changed_bit``, bit ``i > 0`` is set when block ``i``
        has a higher L1 origin number than block ``i - 1``."""
        bits = 1 if self.origin_changed_bit else 0
        for i in range(1, len(self.batches)):
            step = self.batches[i].epoch_num - self.batches[i - 1].epoch_num
            if step not in (0, 1):
                raise BatchError(
                    f"span batch: block {i} changes L1 origin number by {step}; a span batch can only "
                    "keep it or advance it by one"
                )
            if step:
                bits |= 1 << i
        return bits

    def to_raw(self) -> RawSpanBatch:
        """The wire form (op-node ``ToRawSpanBatch``); transactions are re-packed with ``chain_id``."""
        first = self._first()
        rel_timestamp = first.timestamp - self.genesis_timestamp
        if rel_timestamp < 0:
            raise BatchError(
                f"span batch: first timestamp {first.timestamp} is before genesis {self.genesis_timestamp}"
            )
        all_txs = [tx for b in self.batches for tx in b.transactions]
        return RawSpanBatch(
            rel_timestamp=rel_timestamp,
            l1_origin_num=self.batches[-1].epoch_num,
            parent_check=self.parent_check,
            l1_origin_check=self.l1_origin_check,
            block_count=len(self.batches),
            origin_bits=self.origin_bits(),
            block_tx_counts=tuple(len(b.transactions) for b in self.batches),
            txs=SpanBatchTxs.from_txs(all_txs, self.chain_id),
        )

    def get_singular_batches(
        self, l1_origins: Sequence[BlockInfo], l2_safe_head: L2BlockInfo
    ) -> list[SingleBatch]:
        """The blocks after the safe head as singular batches (op-node ``GetSingularBatches``).

        Each epoch hash is looked up among ``l1_origins`` by number (searching forward from the
        previous match). A span batch only checks its parent through ``parent_check``; the first
        returned batch gets the safe head's hash as parent hash (it is the safe head's child), the
        others get the zero hash, to be filled in as their parents are built (op-node's batch queue
        sets the parent hash of each batch as it pops it).
        """
        out: list[SingleBatch] = []
        origin_idx = 0
        for element in self.batches:
            if element.timestamp <= l2_safe_head.timestamp:
                continue
            for i in range(origin_idx, len(l1_origins)):
                if l1_origins[i].number == element.epoch_num:
                    origin_idx = i
                    epoch_hash = l1_origins[i].hash
                    break
            else:
                raise BatchError(f"span batch: unable to find L1 origin for epoch number {element.epoch_num}")
            parent = l2_safe_head.hash if not out else HASH_ZERO
            out.append(
                SingleBatch(parent, element.epoch_num, epoch_hash, element.timestamp, element.transactions)
            )
        return out

    @classmethod
    def from_singular_batches(
        cls,
        batches: Sequence[SingleBatch],
        genesis_timestamp: int,
        chain_id: int,
        *,
        first_seq_num: int = 0,
    ) -> SpanBatch:
        """Build a span batch from consecutive singular batches (op-node ``NewSpanBatch`` then
        ``AppendSingularBatch`` for each).

        ``parent_check`` is the first batch's parent hash truncated to 20 bytes, ``l1_origin_check``
        the last batch's epoch hash truncated to 20 bytes; ``first_seq_num`` is the first block's
        sequence number in its epoch (its origin bit is set when it is 0). Timestamps must increase,
        epoch numbers may only stay or advance by one, and every transaction must be packable
        (signed for ``chain_id`` if protected).
        """
        if not batches:
            raise BatchError("span batch: cannot build an empty span batch")
        for i in range(1, len(batches)):
            if batches[i].timestamp <= batches[i - 1].timestamp:
                raise BatchError(f"span batch: batch {i} timestamp {batches[i].timestamp} is not increasing")
        for name, value in (("parent_hash", batches[0].parent_hash), ("epoch_hash", batches[-1].epoch_hash)):
            if len(value) != 32:
                raise BatchError(f"span batch: {name} must be 32 bytes, got {len(value)}")
        span = cls(
            parent_check=batches[0].parent_hash[:SPAN_BATCH_CHECK_LENGTH],
            l1_origin_check=batches[-1].epoch_hash[:SPAN_BATCH_CHECK_LENGTH],
            genesis_timestamp=genesis_timestamp,
            chain_id=chain_id,
            batches=tuple(SpanBatchElement(b.epoch_num, b.timestamp, tuple(b.transactions)) for b in batches),
            origin_changed_bit=first_seq_num == 0,
        )
        span.origin_bits()
        SpanBatchTxs.from_txs([tx for b in batches for tx in b.transactions], chain_id)
        return span
