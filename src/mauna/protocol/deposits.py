"""Deposited transactions (type ``0x7E``) and their source hashes.

Spec: protocol/deposits.md, "The Deposited Transaction Type" and "Source hash computation".
"""

from __future__ import annotations

from dataclasses import dataclass

from mauna.errors import DecodeError, DepositError
from mauna.primitives.bytes import keccak256
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
