"""Signed L2 user transactions as carried by batches: the EIP-2718 envelopes a span batch can pack.

Spec: protocol/delta/span-batches.md ("Store ``y_parity`` and ``protected_bit`` instead of ``v``",
"tx_datas") for legacy ([EIP-155] protected or not), [EIP-2930] and [EIP-1559] transactions, and
protocol/isthmus/derivation.md ("Span Batch Updates") for [EIP-7702] ``SetCode`` transactions.
Deposits (type ``0x7E``) and blob transactions (type 3) are never carried by batches and are
rejected.

Encodings (``||`` is concatenation):

- legacy: ``rlp([nonce, gasPrice, gas, to, value, data, v, r, s])`` with ``v = 27 + y_parity``, or
  ``v = 2 * chain_id + 35 + y_parity`` when protected by EIP-155;
- 1: ``0x01 || rlp([chainId, nonce, gasPrice, gas, to, value, data, accessList, yParity, r, s])``;
- 2: ``0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data,
  accessList, yParity, r, s])``;
- 4: ``0x04 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data,
  accessList, authorizationList, yParity, r, s])``.

[EIP-155]: https://eips.ethereum.org/EIPS/eip-155
[EIP-2930]: https://eips.ethereum.org/EIPS/eip-2930
[EIP-1559]: https://eips.ethereum.org/EIPS/eip-1559
[EIP-7702]: https://eips.ethereum.org/EIPS/eip-7702
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mauna.errors import DecodeError, TransactionError
from mauna.primitives.bytes import keccak256
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.protocol.batch.wire import MAX_RLP_NESTING, rlp_nesting_exceeds

LEGACY_TX_TYPE = 0
ACCESS_LIST_TX_TYPE = 1
DYNAMIC_FEE_TX_TYPE = 2
BLOB_TX_TYPE = 3
SET_CODE_TX_TYPE = 4
DEPOSIT_TX_TYPE = 0x7E

#: Transaction types a batch may carry (Isthmus adds ``SET_CODE_TX_TYPE``).
BATCH_TX_TYPES = frozenset({LEGACY_TX_TYPE, ACCESS_LIST_TX_TYPE, DYNAMIC_FEE_TX_TYPE, SET_CODE_TX_TYPE})

#: ``[(address, (storage_key, ...)), ...]`` with 20-byte addresses and 32-byte keys.
AccessList = tuple[tuple[bytes, tuple[bytes, ...]], ...]

U64_BYTES = 8
U256_BYTES = 32


# --- field codecs (shared with the span batch tx data) -------------------------------------------
def decode_uint(item: Any, what: str, max_bytes: int = U256_BYTES) -> int:
    """A canonical RLP scalar of at most ``max_bytes`` bytes."""
    if not isinstance(item, bytes):
        raise TransactionError(f"{what}: expected an integer, got a list")
    if item[:1] == b"\x00":
        raise TransactionError(f"{what}: non-canonical integer with leading zero byte")
    if len(item) > max_bytes:
        raise TransactionError(f"{what}: integer of {len(item)} bytes exceeds {max_bytes}")
    return int.from_bytes(item, "big")


def decode_bytes(item: Any, what: str, length: int | None = None) -> bytes:
    """An RLP byte string, of exactly ``length`` bytes if given."""
    if not isinstance(item, bytes):
        raise TransactionError(f"{what}: expected a byte string, got a list")
    if length is not None and len(item) != length:
        raise TransactionError(f"{what}: expected {length} bytes, got {len(item)}")
    return item


def decode_list(item: Any, what: str, length: int | None = None) -> list[Any]:
    """An RLP list, of exactly ``length`` items if given."""
    if not isinstance(item, list):
        raise TransactionError(f"{what}: expected a list, got a byte string")
    if length is not None and len(item) != length:
        raise TransactionError(f"{what}: expected {length} fields, got {len(item)}")
    return item


def decode_to(item: Any, what: str) -> bytes | None:
    """The ``to`` field: empty for a contract creation, else a 20-byte address."""
    raw = decode_bytes(item, what)
    if raw == b"":
        return None
    if len(raw) != 20:
        raise TransactionError(f"{what}: expected a 20-byte address or empty, got {len(raw)} bytes")
    return raw


def decode_access_list(item: Any, what: str) -> AccessList:
    """An EIP-2930 access list ``[[address, [storage_key, ...]], ...]``."""
    out = []
    for i, entry in enumerate(decode_list(item, what)):
        fields = decode_list(entry, f"{what}[{i}]", 2)
        address = decode_bytes(fields[0], f"{what}[{i}].address", 20)
        keys = tuple(
            decode_bytes(key, f"{what}[{i}].storage_keys[{j}]", 32)
            for j, key in enumerate(decode_list(fields[1], f"{what}[{i}].storage_keys"))
        )
        out.append((address, keys))
    return tuple(out)


def access_list_rlp(access_list: AccessList) -> list[Any]:
    """The RLP structure of an access list."""
    return [[address, list(keys)] for address, keys in access_list]


@dataclass(frozen=True, slots=True)
class Authorization:
    """An EIP-7702 signed authorization tuple ``[chain_id, address, nonce, y_parity, r, s]``."""

    chain_id: int
    address: bytes
    nonce: int
    y_parity: int
    r: int
    s: int

    def to_rlp(self) -> list[Any]:
        return [self.chain_id, self.address, self.nonce, self.y_parity, self.r, self.s]

    @classmethod
    def from_rlp(cls, item: Any, what: str) -> Authorization:
        fields = decode_list(item, what, 6)
        return cls(
            chain_id=decode_uint(fields[0], f"{what}.chain_id"),
            address=decode_bytes(fields[1], f"{what}.address", 20),
            nonce=decode_uint(fields[2], f"{what}.nonce", U64_BYTES),
            y_parity=decode_uint(fields[3], f"{what}.y_parity", 1),
            r=decode_uint(fields[4], f"{what}.r"),
            s=decode_uint(fields[5], f"{what}.s"),
        )


def decode_authorization_list(item: Any, what: str) -> tuple[Authorization, ...]:
    """An EIP-7702 authorization list."""
    return tuple(
        Authorization.from_rlp(entry, f"{what}[{i}]") for i, entry in enumerate(decode_list(item, what))
    )


def check_uint(value: int, what: str, max_bytes: int = U256_BYTES) -> None:
    """Raise TransactionError unless ``0 <= value < 2 ** (8 * max_bytes)``."""
    if value < 0 or value.bit_length() > 8 * max_bytes:
        raise TransactionError(f"{what}: {value} does not fit in {max_bytes} bytes")


def check_access_list(access_list: AccessList, what: str) -> None:
    """Raise TransactionError unless every address is 20 bytes and every storage key 32 bytes."""
    for i, (address, keys) in enumerate(access_list):
        if len(address) != 20 or any(len(key) != 32 for key in keys):
            raise TransactionError(f"{what}[{i}]: addresses must be 20 bytes and storage keys 32 bytes")


def check_authorizations(authorizations: tuple[Authorization, ...], what: str) -> None:
    """Raise TransactionError unless every authorization tuple fits its field sizes."""
    for i, auth in enumerate(authorizations):
        check_uint(auth.chain_id, f"{what}[{i}].chain_id")
        check_uint(auth.nonce, f"{what}[{i}].nonce", U64_BYTES)
        check_uint(auth.y_parity, f"{what}[{i}].y_parity", 1)
        check_uint(auth.r, f"{what}[{i}].r")
        check_uint(auth.s, f"{what}[{i}].s")
        if len(auth.address) != 20:
            raise TransactionError(f"{what}[{i}].address: must be 20 bytes")


def legacy_v(y_parity: int, chain_id: int | None) -> int:
    """The legacy ``v``: ``27 + y_parity``, or ``2 * chain_id + 35 + y_parity`` under EIP-155."""
    return 27 + y_parity if chain_id is None else 2 * chain_id + 35 + y_parity


def split_legacy_v(v: int, what: str = "legacy tx") -> tuple[int, int | None]:
    """``(y_parity, chain_id)`` of a legacy ``v`` (``chain_id`` is None when not EIP-155 protected)."""
    if v in (27, 28):
        return v - 27, None
    if v >= 35:
        return (v - 35) & 1, (v - 35) >> 1
    raise TransactionError(f"{what}: invalid v {v} (expected 27, 28 or >= 35)")


# --- the signed transaction ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SignedTx:
    """A signed user transaction of type 0 (legacy), 1, 2 or 4.

    ``chain_id`` is None only for a legacy transaction without EIP-155 replay protection.
    ``gas_price`` applies to types 0 and 1; ``max_priority_fee_per_gas``/``max_fee_per_gas`` to
    types 2 and 4; ``access_list`` to types 1, 2, 4; ``authorization_list`` to type 4.
    """

    tx_type: int
    chain_id: int | None
    nonce: int
    gas_limit: int
    to: bytes | None
    value: int
    data: bytes
    y_parity: int
    r: int
    s: int
    gas_price: int = 0
    max_priority_fee_per_gas: int = 0
    max_fee_per_gas: int = 0
    access_list: AccessList = ()
    authorization_list: tuple[Authorization, ...] = ()

    @property
    def protected(self) -> bool:
        """True if the signature commits to a chain id (always, except pre-EIP-155 legacy)."""
        return self.chain_id is not None

    @property
    def v(self) -> int:
        """The signature's ``v`` as it appears in the encoding."""
        if self.tx_type == LEGACY_TX_TYPE:
            return legacy_v(self.y_parity, self.chain_id)
        return self.y_parity

    def _check(self) -> None:
        if self.tx_type not in BATCH_TX_TYPES:
            raise TransactionError(f"tx: unsupported transaction type {self.tx_type}")
        if self.y_parity not in (0, 1):
            raise TransactionError(f"tx: y_parity must be 0 or 1, got {self.y_parity}")
        if self.tx_type != LEGACY_TX_TYPE and self.chain_id is None:
            raise TransactionError(f"tx: type {self.tx_type} transaction needs a chain id")
        if self.tx_type == SET_CODE_TX_TYPE and self.to is None:
            raise TransactionError("tx: a SetCode transaction cannot be a contract creation")
        if self.to is not None and len(self.to) != 20:
            raise TransactionError(f"tx: to must be 20 bytes, got {len(self.to)}")
        check_uint(self.nonce, "tx.nonce", U64_BYTES)
        check_uint(self.gas_limit, "tx.gas", U64_BYTES)
        for name in ("value", "r", "s", "gas_price", "max_priority_fee_per_gas", "max_fee_per_gas"):
            check_uint(getattr(self, name), f"tx.{name}")
        if self.chain_id is not None:
            check_uint(self.chain_id, "tx.chain_id")
        check_access_list(self.access_list, "tx.access_list")
        check_authorizations(self.authorization_list, "tx.authorization_list")

    def _payload_fields(self) -> list[Any]:
        """The unsigned fields, in encoding order (without the EIP-155 chain id suffix)."""
        to = b"" if self.to is None else self.to
        al = access_list_rlp(self.access_list)
        t = self.tx_type
        if t == LEGACY_TX_TYPE:
            return [self.nonce, self.gas_price, self.gas_limit, to, self.value, self.data]
        if t == ACCESS_LIST_TX_TYPE:
            return [self.chain_id, self.nonce, self.gas_price, self.gas_limit, to, self.value, self.data, al]
        fields = [
            self.chain_id,
            self.nonce,
            self.max_priority_fee_per_gas,
            self.max_fee_per_gas,
            self.gas_limit,
            to,
            self.value,
            self.data,
            al,
        ]
        if t == SET_CODE_TX_TYPE:
            fields.append([auth.to_rlp() for auth in self.authorization_list])
        return fields

    def encode(self) -> bytes:
        """The EIP-2718 encoding (the bare RLP list for legacy transactions)."""
        self._check()
        body = rlp_encode([*self._payload_fields(), self.v, self.r, self.s])
        if self.tx_type == LEGACY_TX_TYPE:
            return body
        return bytes([self.tx_type]) + body

    def signing_hash(self) -> bytes:
        """The hash the sender signed (EIP-155 for protected legacy, EIP-2718 payload otherwise)."""
        self._check()
        fields = self._payload_fields()
        if self.tx_type == LEGACY_TX_TYPE:
            if self.chain_id is not None:
                fields += [self.chain_id, 0, 0]
            return keccak256(rlp_encode(fields))
        return keccak256(bytes([self.tx_type]) + rlp_encode(fields))

    def tx_hash(self) -> bytes:
        """The transaction hash: keccak256 of the EIP-2718 encoding."""
        return keccak256(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> SignedTx:
        """Decode an EIP-2718 transaction of type 0, 1, 2 or 4; anything else raises TransactionError."""
        if not data:
            raise TransactionError("tx: empty transaction")
        first = data[0]
        if first >= 0xC0:
            return cls._decode_legacy(data)
        if first > 0x7F:
            raise TransactionError(f"tx: legacy transaction must be an RLP list, found prefix 0x{first:02x}")
        if first not in BATCH_TX_TYPES or first == LEGACY_TX_TYPE:
            raise TransactionError(f"tx: unsupported transaction type 0x{first:02x}")
        fields = _rlp_list(data[1:], f"type {first} tx")
        if first == ACCESS_LIST_TX_TYPE:
            return cls._decode_2930(fields)
        return cls._decode_fee_market(first, fields)

    @classmethod
    def _decode_legacy(cls, data: bytes) -> SignedTx:
        what = "legacy tx"
        f = decode_list(_rlp_list(data, what), what, 9)
        y_parity, chain_id = split_legacy_v(decode_uint(f[6], f"{what}.v"), what)
        return cls(
            tx_type=LEGACY_TX_TYPE,
            chain_id=chain_id,
            nonce=decode_uint(f[0], f"{what}.nonce", U64_BYTES),
            gas_price=decode_uint(f[1], f"{what}.gas_price"),
            gas_limit=decode_uint(f[2], f"{what}.gas", U64_BYTES),
            to=decode_to(f[3], f"{what}.to"),
            value=decode_uint(f[4], f"{what}.value"),
            data=decode_bytes(f[5], f"{what}.data"),
            y_parity=y_parity,
            r=decode_uint(f[7], f"{what}.r"),
            s=decode_uint(f[8], f"{what}.s"),
        )

    @classmethod
    def _decode_2930(cls, fields: list[Any]) -> SignedTx:
        what = "type 1 tx"
        f = decode_list(fields, what, 11)
        return cls(
            tx_type=ACCESS_LIST_TX_TYPE,
            chain_id=decode_uint(f[0], f"{what}.chain_id"),
            nonce=decode_uint(f[1], f"{what}.nonce", U64_BYTES),
            gas_price=decode_uint(f[2], f"{what}.gas_price"),
            gas_limit=decode_uint(f[3], f"{what}.gas", U64_BYTES),
            to=decode_to(f[4], f"{what}.to"),
            value=decode_uint(f[5], f"{what}.value"),
            data=decode_bytes(f[6], f"{what}.data"),
            access_list=decode_access_list(f[7], f"{what}.access_list"),
            y_parity=_y_parity(f[8], what),
            r=decode_uint(f[9], f"{what}.r"),
            s=decode_uint(f[10], f"{what}.s"),
        )

    @classmethod
    def _decode_fee_market(cls, tx_type: int, fields: list[Any]) -> SignedTx:
        what = f"type {tx_type} tx"
        set_code = tx_type == SET_CODE_TX_TYPE
        f = decode_list(fields, what, 13 if set_code else 12)
        sig = f[10:] if set_code else f[9:]
        to = decode_to(f[5], f"{what}.to")
        if set_code and to is None:
            raise TransactionError(f"{what}.to: a SetCode transaction cannot be a contract creation")
        return cls(
            tx_type=tx_type,
            chain_id=decode_uint(f[0], f"{what}.chain_id"),
            nonce=decode_uint(f[1], f"{what}.nonce", U64_BYTES),
            max_priority_fee_per_gas=decode_uint(f[2], f"{what}.max_priority_fee_per_gas"),
            max_fee_per_gas=decode_uint(f[3], f"{what}.max_fee_per_gas"),
            gas_limit=decode_uint(f[4], f"{what}.gas", U64_BYTES),
            to=to,
            value=decode_uint(f[6], f"{what}.value"),
            data=decode_bytes(f[7], f"{what}.data"),
            access_list=decode_access_list(f[8], f"{what}.access_list"),
            authorization_list=(
                decode_authorization_list(f[9], f"{what}.authorization_list") if set_code else ()
            ),
            y_parity=_y_parity(sig[0], what),
            r=decode_uint(sig[1], f"{what}.r"),
            s=decode_uint(sig[2], f"{what}.s"),
        )


def _y_parity(item: Any, what: str) -> int:
    y = decode_uint(item, f"{what}.y_parity", 1)
    if y > 1:
        raise TransactionError(f"{what}.y_parity: must be 0 or 1, got {y}")
    return y


def _rlp_list(data: bytes, what: str) -> list[Any]:
    if rlp_nesting_exceeds(data):
        raise TransactionError(f"{what}: RLP lists nested deeper than {MAX_RLP_NESTING} levels")
    try:
        item = rlp_decode(data, what=what)
    except DecodeError as exc:
        raise TransactionError(str(exc)) from exc
    return decode_list(item, what)
