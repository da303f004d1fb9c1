"""A minimal decoder of L1 transactions, as the data sources need them.

Spec: protocol/derivation.md "L1 Retrieval": a batcher transaction is one of type 0, 1, 2, 3 (or the
deposit type 0x7E, for nested OP Stack chains), sent to the batch inbox by the batcher address
recovered from its signature. This decodes an EIP-2718 envelope (legacy, EIP-2930, EIP-1559,
EIP-4844, EIP-7702, deposit) into the fields the data sources read: type, ``to``, calldata, blob
versioned hashes and the recovered sender. A signature that does not recover gives ``sender=None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coincurve import PublicKey

from mauna.errors import DecodeError, TransactionError
from mauna.primitives.bytes import keccak256
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode, rlp_int

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

LEGACY_TX_TYPE = 0
ACCESS_LIST_TX_TYPE = 1
DYNAMIC_FEE_TX_TYPE = 2
BLOB_TX_TYPE = 3
SET_CODE_TX_TYPE = 4
DEPOSIT_TX_TYPE = 0x7E

# Index of (to, value, data) and number of unsigned fields per typed transaction.
_TYPED_LAYOUT: dict[int, tuple[int, int]] = {
    ACCESS_LIST_TX_TYPE: (4, 8),
    DYNAMIC_FEE_TX_TYPE: (5, 9),
    BLOB_TX_TYPE: (5, 11),
    SET_CODE_TX_TYPE: (5, 10),
}


@dataclass(frozen=True, slots=True)
class L1Transaction:
    """The parts of an L1 transaction derivation reads."""

    tx_type: int
    to: bytes | None
    data: bytes
    blob_versioned_hashes: tuple[bytes, ...]
    sender: bytes | None
    tx_hash: bytes


def _bytes_field(item: Any, what: str) -> bytes:
    if not isinstance(item, bytes):
        raise TransactionError(f"L1 tx: {what} is a list, expected a byte string")
    return item


def _int_field(item: Any, what: str) -> int:
    try:
        return rlp_int(_bytes_field(item, what), what=f"L1 tx {what}")
    except DecodeError as exc:
        raise TransactionError(str(exc)) from exc


def _to_field(item: Any) -> bytes | None:
    to = _bytes_field(item, "to")
    if len(to) not in (0, 20):
        raise TransactionError(f"L1 tx: to has {len(to)} bytes, expected 0 or 20")
    return to or None


def recover_sender(signing_hash: bytes, y_parity: int, r: int, s: int) -> bytes | None:
    """Address that signed ``signing_hash``, or ``None`` if the signature is invalid (incl. high s)."""
    if y_parity not in (0, 1) or not 0 < r < SECP256K1_N or not 0 < s <= SECP256K1_N // 2:
        return None
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([y_parity])
    try:
        public = PublicKey.from_signature_and_message(signature, signing_hash, hasher=None)
    except Exception:  # coincurve raises plain Exception for unrecoverable signatures
        return None
    return keccak256(public.format(compressed=False)[1:])[12:]


def decode_l1_transaction(raw: bytes) -> L1Transaction:
    """Decode an EIP-2718 encoded L1 transaction; :class:`TransactionError` if malformed."""
    raw = bytes(raw)
    if not raw:
        raise TransactionError("L1 tx: empty input")
    tx_hash = keccak256(raw)
    first = raw[0]
    if first >= 0xC0:
        return _decode_legacy(raw, tx_hash)
    if first == DEPOSIT_TX_TYPE:
        return _decode_deposit(raw, tx_hash)
    if first not in _TYPED_LAYOUT:
        raise TransactionError(f"L1 tx: unsupported transaction type 0x{first:02x}")
    try:
        items = rlp_decode(raw[1:], what=f"L1 tx type {first}")
    except DecodeError as exc:
        raise TransactionError(str(exc)) from exc
    if first == BLOB_TX_TYPE and isinstance(items, list) and items and isinstance(items[0], list):
        # Network form with sidecar: [tx_payload_body, blobs, commitments, proofs].
        items = items[0]
    to_index, unsigned_count = _TYPED_LAYOUT[first]
    if not isinstance(items, list) or len(items) != unsigned_count + 3:
        n = len(items) if isinstance(items, list) else "a string"
        raise TransactionError(f"L1 tx type {first}: expected {unsigned_count + 3} fields, got {n}")
    to = _to_field(items[to_index])
    data = _bytes_field(items[to_index + 2], "data")
    hashes: tuple[bytes, ...] = ()
    if first == BLOB_TX_TYPE:
        if to is None:
            raise TransactionError("L1 tx type 3: blob transactions cannot create contracts")
        blob_hashes = items[10]
        if not isinstance(blob_hashes, list) or any(
            not isinstance(h, bytes) or len(h) != 32 for h in blob_hashes
        ):
            raise TransactionError("L1 tx type 3: blob versioned hashes must be 32-byte strings")
        hashes = tuple(blob_hashes)
    y_parity = _int_field(items[unsigned_count], "yParity")
    r = _int_field(items[unsigned_count + 1], "r")
    s = _int_field(items[unsigned_count + 2], "s")
    signing_hash = keccak256(bytes([first]) + rlp_encode(items[:unsigned_count]))
    sender = recover_sender(signing_hash, y_parity, r, s)
    return L1Transaction(first, to, data, hashes, sender, tx_hash)


def _decode_legacy(raw: bytes, tx_hash: bytes) -> L1Transaction:
    try:
        items = rlp_decode(raw, what="L1 legacy tx")
    except DecodeError as exc:
        raise TransactionError(str(exc)) from exc
    if not isinstance(items, list) or len(items) != 9:
        n = len(items) if isinstance(items, list) else "a string"
        raise TransactionError(f"L1 legacy tx: expected 9 fields, got {n}")
    to = _to_field(items[3])
    data = _bytes_field(items[5], "data")
    v = _int_field(items[6], "v")
    r = _int_field(items[7], "r")
    s = _int_field(items[8], "s")
    if v in (27, 28):
        signing_hash = keccak256(rlp_encode(items[:6]))
        y_parity = v - 27
    elif v >= 35:
        chain_id = (v - 35) // 2
        y_parity = v - 35 - 2 * chain_id
        signing_hash = keccak256(rlp_encode([*items[:6], chain_id, 0, 0]))
    else:
        return L1Transaction(LEGACY_TX_TYPE, to, data, (), None, tx_hash)
    sender = recover_sender(signing_hash, y_parity, r, s)
    return L1Transaction(LEGACY_TX_TYPE, to, data, (), sender, tx_hash)


def _decode_deposit(raw: bytes, tx_hash: bytes) -> L1Transaction:
    from mauna.errors import DepositError
    from mauna.protocol.deposits import DepositTx

    try:
        deposit = DepositTx.decode(raw)
    except DepositError as exc:
        raise TransactionError(str(exc)) from exc
    return L1Transaction(DEPOSIT_TX_TYPE, deposit.to, deposit.data, (), deposit.from_, tx_hash)
