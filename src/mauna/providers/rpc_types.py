"""JSON-RPC objects → the bytes and records derivation uses.

- :func:`encode_rpc_transaction`: an ``eth_getBlockBy*`` transaction object (types 0-4 and the
  OP Stack deposit type 0x7E) re-encoded to its exact EIP-2718 bytes. Callers check the result
  against the object's ``hash`` (and the block's ``transactionsRoot``).
- :func:`strip_blob_sidecar`: the canonical form of a type-3 transaction given in its network form
  (``0x03 ‖ rlp([tx_payload_body, blobs, commitments, proofs])``, as ``eth_getRawTransactionByHash``
  may return it).
- :func:`receipt_from_rpc` / :func:`encode_rpc_receipt`: a receipt object as a
  :class:`~mauna.primitives.receipt.Receipt`, and its consensus encoding (for the receipts root).

Malformed objects raise :class:`~mauna.errors.DecodeError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mauna.errors import DecodeError
from mauna.primitives.bytes import from_hex, hex_to_int
from mauna.primitives.receipt import Log, Receipt
from mauna.primitives.rlp_utils import int_bytes, rlp_decode, rlp_encode

DEPOSIT_TX_TYPE = 0x7E
BLOB_TX_TYPE = 3


class UnsupportedTransactionTypeError(DecodeError):
    """The transaction object has a type this module cannot re-encode."""


def _q(obj: Mapping[str, Any], key: str, what: str, default: int | None = None) -> int:
    value = obj.get(key)
    if value is None:
        if default is not None:
            return default
        raise DecodeError(f"{what}: missing field {key!r}")
    return hex_to_int(value, what=f"{what}.{key}")


def _b(obj: Mapping[str, Any], key: str, what: str, length: int | None = None) -> bytes:
    value = obj.get(key)
    if value is None:
        raise DecodeError(f"{what}: missing field {key!r}")
    return from_hex(value, length=length, what=f"{what}.{key}")


def _to(obj: Mapping[str, Any], what: str) -> bytes:
    to = obj.get("to")
    return b"" if to is None else from_hex(to, length=20, what=f"{what}.to")


def _input(obj: Mapping[str, Any], what: str) -> bytes:
    data = obj.get("input", obj.get("data"))
    if data is None:
        raise DecodeError(f"{what}: missing field 'input'")
    return from_hex(data, what=f"{what}.input")


def _access_list(obj: Mapping[str, Any], what: str) -> list[Any]:
    items = obj.get("accessList") or []
    if not isinstance(items, list):
        raise DecodeError(f"{what}.accessList: expected a list")
    out: list[Any] = []
    for i, entry in enumerate(items):
        if not isinstance(entry, Mapping):
            raise DecodeError(f"{what}.accessList[{i}]: expected an object")
        keys = entry.get("storageKeys") or []
        out.append(
            [
                _b(entry, "address", f"{what}.accessList[{i}]", 20),
                [from_hex(k, length=32, what=f"{what}.accessList[{i}].storageKeys") for k in keys],
            ]
        )
    return out


def _authorization_list(obj: Mapping[str, Any], what: str) -> list[Any]:
    items = obj.get("authorizationList") or []
    if not isinstance(items, list):
        raise DecodeError(f"{what}.authorizationList: expected a list")
    out: list[Any] = []
    for i, auth in enumerate(items):
        where = f"{what}.authorizationList[{i}]"
        if not isinstance(auth, Mapping):
            raise DecodeError(f"{where}: expected an object")
        parity = auth.get("yParity", auth.get("v"))
        if parity is None:
            raise DecodeError(f"{where}: missing field 'yParity'")
        out.append(
            [
                _q(auth, "chainId", where),
                _b(auth, "address", where, 20),
                _q(auth, "nonce", where),
                hex_to_int(parity, what=f"{where}.yParity"),
                _q(auth, "r", where),
                _q(auth, "s", where),
            ]
        )
    return out


def _signature(obj: Mapping[str, Any], what: str) -> list[int]:
    parity = obj.get("yParity", obj.get("v"))
    if parity is None:
        raise DecodeError(f"{what}: missing field 'yParity'")
    return [hex_to_int(parity, what=f"{what}.yParity"), _q(obj, "r", what), _q(obj, "s", what)]


def rpc_transaction_type(obj: Mapping[str, Any]) -> int:
    return _q(obj, "type", "transaction", default=0)


def encode_rpc_transaction(obj: Mapping[str, Any]) -> bytes:
    """The EIP-2718 encoding of a JSON-RPC transaction object."""
    if not isinstance(obj, Mapping):
        raise DecodeError(f"transaction: expected an object, got {type(obj).__name__}")
    tx_type = rpc_transaction_type(obj)
    what = f"transaction {obj.get('hash', '?')} (type 0x{tx_type:x})"
    if tx_type == 0:
        fields: list[Any] = [
            _q(obj, "nonce", what),
            _q(obj, "gasPrice", what),
            _q(obj, "gas", what),
            _to(obj, what),
            _q(obj, "value", what),
            _input(obj, what),
            _q(obj, "v", what),
            _q(obj, "r", what),
            _q(obj, "s", what),
        ]
        return rlp_encode(fields)
    if tx_type == DEPOSIT_TX_TYPE:
        is_system = obj.get("isSystemTx")
        if is_system not in (None, True, False):
            raise DecodeError(f"{what}.isSystemTx: expected a boolean, got {is_system!r}")
        fields = [
            _b(obj, "sourceHash", what, 32),
            _b(obj, "from", what, 20),
            _to(obj, what),
            _q(obj, "mint", what, default=0),
            _q(obj, "value", what),
            _q(obj, "gas", what),
            b"\x01" if is_system else b"",
            _input(obj, what),
        ]
        return bytes([tx_type]) + rlp_encode(fields)
    if tx_type == 1:
        fields = [
            _q(obj, "chainId", what),
            _q(obj, "nonce", what),
            _q(obj, "gasPrice", what),
            _q(obj, "gas", what),
            _to(obj, what),
            _q(obj, "value", what),
            _input(obj, what),
            _access_list(obj, what),
        ]
    elif tx_type in (2, 3, 4):
        fields = [
            _q(obj, "chainId", what),
            _q(obj, "nonce", what),
            _q(obj, "maxPriorityFeePerGas", what),
            _q(obj, "maxFeePerGas", what),
            _q(obj, "gas", what),
            _to(obj, what),
            _q(obj, "value", what),
            _input(obj, what),
            _access_list(obj, what),
        ]
        if tx_type == 3:
            hashes = obj.get("blobVersionedHashes")
            if not isinstance(hashes, list):
                raise DecodeError(f"{what}: missing field 'blobVersionedHashes'")
            fields += [
                _q(obj, "maxFeePerBlobGas", what),
                [from_hex(h, length=32, what=f"{what}.blobVersionedHashes") for h in hashes],
            ]
        elif tx_type == 4:
            fields.append(_authorization_list(obj, what))
    else:
        raise UnsupportedTransactionTypeError(f"{what}: unsupported transaction type")
    return bytes([tx_type]) + rlp_encode([*fields, *_signature(obj, what)])


def strip_blob_sidecar(raw: bytes) -> bytes:
    """A type-3 transaction without its network wrapper (other transactions are returned as is)."""
    if not raw or raw[0] != BLOB_TX_TYPE:
        return raw
    items = rlp_decode(raw[1:], what="blob transaction")
    if isinstance(items, list) and items and isinstance(items[0], list):
        return bytes([BLOB_TX_TYPE]) + rlp_encode(items[0])
    return raw


def log_from_rpc(obj: Mapping[str, Any], what: str = "log") -> Log:
    if not isinstance(obj, Mapping):
        raise DecodeError(f"{what}: expected an object")
    topics = obj.get("topics")
    if not isinstance(topics, list):
        raise DecodeError(f"{what}: missing field 'topics'")
    return Log(
        address=_b(obj, "address", what, 20),
        topics=tuple(from_hex(t, length=32, what=f"{what}.topics") for t in topics),
        data=_b(obj, "data", what),
    )


def receipt_from_rpc(obj: Mapping[str, Any]) -> Receipt:
    """A receipt object as a :class:`Receipt` (pre-Byzantium ``root`` receipts count as successful)."""
    if not isinstance(obj, Mapping):
        raise DecodeError(f"receipt: expected an object, got {type(obj).__name__}")
    what = f"receipt of {obj.get('transactionHash', '?')}"
    status = _q(obj, "status", what) if obj.get("status") is not None else 1
    logs = obj.get("logs")
    if not isinstance(logs, list):
        raise DecodeError(f"{what}: missing field 'logs'")
    return Receipt(
        status=status,
        cumulative_gas_used=_q(obj, "cumulativeGasUsed", what),
        logs=tuple(log_from_rpc(entry, f"{what}.logs[{i}]") for i, entry in enumerate(logs)),
        tx_type=_q(obj, "type", what, default=0),
    )


def encode_rpc_receipt(obj: Mapping[str, Any]) -> bytes:
    """The consensus (receipts-trie) encoding of an L1 receipt object."""
    receipt = receipt_from_rpc(obj)
    what = f"receipt of {obj.get('transactionHash', '?')}"
    first: bytes
    if obj.get("status") is not None:
        first = int_bytes(receipt.status)
    else:
        first = _b(obj, "root", what, 32)
    bloom = _b(obj, "logsBloom", what, 256)
    logs = [[log.address, list(log.topics), log.data] for log in receipt.logs]
    payload = rlp_encode([first, int_bytes(receipt.cumulative_gas_used), bloom, logs])
    return payload if receipt.tx_type == 0 else bytes([receipt.tx_type]) + payload


__all__ = [
    "UnsupportedTransactionTypeError",
    "encode_rpc_receipt",
    "encode_rpc_transaction",
    "log_from_rpc",
    "receipt_from_rpc",
    "rpc_transaction_type",
    "strip_blob_sidecar",
]
