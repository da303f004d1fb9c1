"""Deposited transactions (type ``0x7E``) and their source hashes.

Spec: protocol/deposits.md, "The Deposited Transaction Type", "Source hash computation",
"User-Deposited Transactions" (the ``TransactionDeposited`` event of the deposit contract) and
"Address Aliasing".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mauna.errors import DecodeError, DepositError
from mauna.primitives.bytes import keccak256
from mauna.primitives.receipt import Log, Receipt
from mauna.primitives.rlp_utils import int_bytes, rlp_decode, rlp_encode, rlp_int

DEPOSIT_TX_TYPE = 0x7E

# Source-hash domains (protocol/deposits.md "Source hash computation"; interop adds 3 and 4).
USER_DEPOSIT_SOURCE_DOMAIN = 0
L1_INFO_DEPOSIT_SOURCE_DOMAIN = 1
UPGRADE_DEPOSIT_SOURCE_DOMAIN = 2
INVALIDATED_BLOCK_SOURCE_DOMAIN = 3
AFTER_FORCE_INCLUDE_SOURCE_DOMAIN = 4


def _domain_hash(domain: int, inner: bytes) -> bytes:
    return keccak256(domain.to_bytes(32, "big") + keccak256(inner))


def user_deposit_source_hash(l1_block_hash: bytes, log_index: int) -> bytes:
    """``keccak256(bytes32(0), keccak256(l1BlockHash, bytes32(l1LogIndex)))``."""
    return _domain_hash(USER_DEPOSIT_SOURCE_DOMAIN, l1_block_hash + log_index.to_bytes(32, "big"))


def l1_info_deposit_source_hash(l1_block_hash: bytes, seq_number: int) -> bytes:
    """``keccak256(bytes32(1), keccak256(l1BlockHash, bytes32(seqNumber)))``."""
    return _domain_hash(L1_INFO_DEPOSIT_SOURCE_DOMAIN, l1_block_hash + seq_number.to_bytes(32, "big"))


def upgrade_deposit_source_hash(intent: str) -> bytes:
    """``keccak256(bytes32(2), keccak256(intent))`` with ``intent`` a UTF-8 string."""
    return _domain_hash(UPGRADE_DEPOSIT_SOURCE_DOMAIN, intent.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class DepositTx:
    """A deposited transaction.

    RLP fields, in order: ``sourceHash, from, to, mint, value, gas, isSystemTx, data``; ``to`` is
    ``None`` for a contract creation (encoded as the empty string). ``isSystemTx`` must be false
    from Regolith on (enforced by the executor, not by the codec).
    """

    source_hash: bytes
    from_: bytes
    to: bytes | None
    mint: int
    value: int
    gas: int
    is_system_tx: bool
    data: bytes

    def rlp_fields(self) -> list[bytes]:
        return [
            self.source_hash,
            self.from_,
            self.to if self.to is not None else b"",
            int_bytes(self.mint),
            int_bytes(self.value),
            int_bytes(self.gas),
            b"\x01" if self.is_system_tx else b"",
            self.data,
        ]

    def encode(self) -> bytes:
        """EIP-2718 envelope: ``0x7E ‖ rlp([...])``."""
        return bytes([DEPOSIT_TX_TYPE]) + rlp_encode(self.rlp_fields())

    def tx_hash(self) -> bytes:
        return keccak256(self.encode())

    @classmethod
    def decode(cls, raw: bytes) -> DepositTx:
        """Decode an EIP-2718 deposit envelope (``0x7E`` prefix included)."""
        if not raw:
            raise DepositError("deposit tx: empty input")
        if raw[0] != DEPOSIT_TX_TYPE:
            raise DepositError(f"deposit tx: type byte 0x{raw[0]:02x} is not 0x7e")
        try:
            items = rlp_decode(raw[1:], what="deposit tx")
        except DecodeError as exc:
            raise DepositError(str(exc)) from exc
        if not isinstance(items, list) or len(items) != 8:
            n = len(items) if isinstance(items, list) else "a string"
            raise DepositError(f"deposit tx: expected an RLP list of 8 fields, got {n}")
        if any(not isinstance(x, bytes) for x in items):
            raise DepositError("deposit tx: nested list inside a field")
        source_hash, from_, to, mint, value, gas, is_system, data = items
        if len(source_hash) != 32:
            raise DepositError(f"deposit tx: sourceHash has {len(source_hash)} bytes, expected 32")
        if len(from_) != 20:
            raise DepositError(f"deposit tx: from has {len(from_)} bytes, expected 20")
        if len(to) not in (0, 20):
            raise DepositError(f"deposit tx: to has {len(to)} bytes, expected 0 or 20")
        if is_system not in (b"", b"\x01"):
            raise DepositError(f"deposit tx: isSystemTx is 0x{is_system.hex()}, expected a boolean")
        try:
            mint_i = rlp_int(mint, what="deposit tx mint")
            value_i = rlp_int(value, what="deposit tx value")
            gas_i = rlp_int(gas, what="deposit tx gas")
        except DecodeError as exc:
            raise DepositError(str(exc)) from exc
        if mint_i >= 1 << 256 or value_i >= 1 << 256:
            raise DepositError("deposit tx: mint or value exceeds 256 bits")
        if gas_i >= 1 << 64:
            raise DepositError("deposit tx: gas exceeds 64 bits")
        return cls(source_hash, from_, to or None, mint_i, value_i, gas_i, is_system == b"\x01", data)


# --- User deposits: the TransactionDeposited event ---------------------------------------------
# protocol/deposits.md, "User-Deposited Transactions" and "Deposit Contract".

DEPOSIT_EVENT_ABI = "TransactionDeposited(address,address,uint256,bytes)"
DEPOSIT_EVENT_TOPIC = keccak256(DEPOSIT_EVENT_ABI.encode("ascii"))
"""``keccak256("TransactionDeposited(address,address,uint256,bytes)")``: the event's topic 0."""
DEPOSIT_EVENT_VERSION_0 = 0

# mint(32) ‖ value(32) ‖ gas(8) ‖ isCreation(1) ‖ data: the fixed part of the version-0 opaque data.
_OPAQUE_FIXED_LEN = 32 + 32 + 8 + 1

L1_TO_L2_ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
_UINT160 = 1 << 160


def apply_l1_to_l2_alias(address: bytes) -> bytes:
    """L1 contract address → its L2 alias: ``uint160(address) + 0x1111…1111`` (wrapping).

    Spec: protocol/deposits.md, "Address Aliasing".
    """
    value = _address_int(address, "apply_l1_to_l2_alias")
    return ((value + L1_TO_L2_ALIAS_OFFSET) % _UINT160).to_bytes(20, "big")


def undo_l1_to_l2_alias(address: bytes) -> bytes:
    """Inverse of :func:`apply_l1_to_l2_alias`: ``uint160(address) - 0x1111…1111`` (wrapping)."""
    value = _address_int(address, "undo_l1_to_l2_alias")
    return ((value - L1_TO_L2_ALIAS_OFFSET) % _UINT160).to_bytes(20, "big")


def _address_int(address: bytes, what: str) -> int:
    if not isinstance(address, bytes | bytearray) or len(address) != 20:
        size = len(address) if isinstance(address, bytes | bytearray) else type(address).__name__
        raise DepositError(f"{what}: expected a 20-byte address, got {size}")
    return int.from_bytes(address, "big")


def decode_deposit_log(log: Log, l1_block_hash: bytes, log_index: int) -> DepositTx:
    """Derive the user-deposited transaction of a ``TransactionDeposited`` log.

    ``log_index`` is the log's index among all logs of the L1 block (it goes into the source
    hash). Topics: event signature, ``from``, ``to``, ``version`` (only 0 is known). The data is the
    ABI encoding of one ``bytes opaqueData``: offset word (must be 32), length word (a uint64 that
    fits the data, with minimal padding: the data is ``64 + ceil32(length)`` bytes), then the
    version-0 opaque data ``mint(32) ‖ value(32) ‖ gas(8) ‖ isCreation(1) ‖ data``. A non-zero
    ``isCreation`` byte makes a contract creation (``to`` is then dropped). As op-node does, the
    address topics contribute their low 20 bytes and the pad bytes after the opaque data are not
    inspected.
    """
    where = f"deposit log {log_index}"
    if len(l1_block_hash) != 32:
        raise DepositError(f"{where}: L1 block hash has {len(l1_block_hash)} bytes, expected 32")
    if log_index < 0:
        raise DepositError(f"{where}: negative log index")
    topics = log.topics
    if len(topics) != 4:
        raise DepositError(f"{where}: expected 4 topics (event, from, to, version), got {len(topics)}")
    for i, topic in enumerate(topics):
        if len(topic) != 32:
            raise DepositError(f"{where}: topic {i} has {len(topic)} bytes, expected 32")
    if topics[0] != DEPOSIT_EVENT_TOPIC:
        raise DepositError(f"{where}: topic 0 is 0x{topics[0].hex()}, not the TransactionDeposited event")
    data = log.data
    if len(data) < 64:
        raise DepositError(f"{where}: data has {len(data)} bytes, too short for the opaqueData header")
    if len(data) % 32:
        raise DepositError(f"{where}: data length {len(data)} is not a multiple of 32")
    offset = int.from_bytes(data[0:32], "big")
    if offset != 32:
        raise DepositError(f"{where}: opaqueData offset is {offset}, expected 32")
    length = int.from_bytes(data[32:64], "big")
    available = len(data) - 64
    if length >= 1 << 64:
        raise DepositError(f"{where}: opaqueData length word exceeds uint64")
    if length > available:
        raise DepositError(f"{where}: opaqueData length {length} exceeds the {available} bytes present")
    if length + 32 <= available:
        raise DepositError(
            f"{where}: opaqueData length {length} leaves {available - length} bytes of padding (not minimal)"
        )
    version = int.from_bytes(topics[3], "big")
    if version != DEPOSIT_EVENT_VERSION_0:
        raise DepositError(f"{where}: unknown deposit version {version}")
    opaque = data[64 : 64 + length]
    if len(opaque) < _OPAQUE_FIXED_LEN:
        raise DepositError(
            f"{where}: opaqueData has {len(opaque)} bytes, expected at least {_OPAQUE_FIXED_LEN}"
        )
    mint = int.from_bytes(opaque[0:32], "big")
    value = int.from_bytes(opaque[32:64], "big")
    gas = int.from_bytes(opaque[64:72], "big")
    is_creation = opaque[72] != 0
    to = None if is_creation else bytes(topics[2][12:])
    return DepositTx(
        source_hash=user_deposit_source_hash(l1_block_hash, log_index),
        from_=bytes(topics[1][12:]),
        to=to,
        mint=mint,
        value=value,
        gas=gas,
        is_system_tx=False,
        data=bytes(opaque[_OPAQUE_FIXED_LEN:]),
    )


def encode_deposit_log(deposit: DepositTx, deposit_contract: bytes) -> Log:
    """The ``TransactionDeposited`` log (version 0) that :func:`decode_deposit_log` turns into
    ``deposit`` (its source hash aside, which comes from where the log sits on L1).

    A contract creation (``to is None``) gets a zero ``to`` topic and ``isCreation = 1``.
    """
    if len(deposit_contract) != 20:
        raise DepositError(f"deposit log: contract address has {len(deposit_contract)} bytes, expected 20")
    if len(deposit.from_) != 20 or (deposit.to is not None and len(deposit.to) != 20):
        raise DepositError("deposit log: from/to must be 20-byte addresses")
    if deposit.is_system_tx:
        raise DepositError("deposit log: a user deposit cannot be a system transaction")
    if not (0 <= deposit.mint < 1 << 256 and 0 <= deposit.value < 1 << 256):
        raise DepositError("deposit log: mint and value must fit in 256 bits")
    if not 0 <= deposit.gas < 1 << 64:
        raise DepositError("deposit log: gas must fit in 64 bits")
    opaque = (
        deposit.mint.to_bytes(32, "big")
        + deposit.value.to_bytes(32, "big")
        + deposit.gas.to_bytes(8, "big")
        + (b"\x01" if deposit.to is None else b"\x00")
        + deposit.data
    )
    padding = b"\x00" * (-len(opaque) % 32)
    data = (32).to_bytes(32, "big") + len(opaque).to_bytes(32, "big") + opaque + padding
    to_topic = b"\x00" * 32 if deposit.to is None else b"\x00" * 12 + deposit.to
    topics = (
        DEPOSIT_EVENT_TOPIC,
        b"\x00" * 12 + deposit.from_,
        to_topic,
        DEPOSIT_EVENT_VERSION_0.to_bytes(32, "big"),
    )
    return Log(address=bytes(deposit_contract), topics=topics, data=data)


def deposits_from_receipts(
    receipts: Sequence[Receipt], deposit_contract: bytes, l1_block_hash: bytes
) -> list[DepositTx]:
    """All user deposits of an L1 block, in log order.

    Only successful receipts (status 1) count; of their logs, those emitted by ``deposit_contract``
    whose topic 0 is the deposit event are decoded. The log index used for each source hash counts
    every log of the block, in receipt order. Any malformed deposit log raises
    :class:`DepositError` (derivation cannot skip a deposit).
    """
    out: list[DepositTx] = []
    log_index = 0
    for receipt in receipts:
        for log in receipt.logs:
            if (
                receipt.status == 1
                and log.address == deposit_contract
                and log.topics
                and log.topics[0] == DEPOSIT_EVENT_TOPIC
            ):
                out.append(decode_deposit_log(log, l1_block_hash, log_index))
            log_index += 1
    return out
