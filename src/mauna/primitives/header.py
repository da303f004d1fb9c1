"""Ethereum block header (L1 and L2), with every optional field up to Prague / Isthmus.

The RLP layout is the execution-layer header: 15 London-era fields, then ``baseFeePerGas``
(London), ``withdrawalsRoot`` (Shanghai), ``blobGasUsed`` + ``excessBlobGas`` (Cancun),
``parentBeaconBlockRoot`` (Cancun) and ``requestsHash`` (Prague). On OP Stack L2 these are
activated by Canyon, Ecotone and Isthmus (protocol/exec-engine.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from mauna.errors import DecodeError
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import from_hex, hex_to_int, keccak256, to_hex
from mauna.primitives.rlp_utils import int_bytes, rlp_decode, rlp_encode, rlp_int

EMPTY_OMMERS_HASH = bytes.fromhex("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
EMPTY_ROOT_HASH = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
EMPTY_REQUESTS_HASH = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@dataclass(frozen=True, slots=True)
class Header:
    """A block header; optional fields are ``None`` when the block's fork predates them."""

    parent_hash: bytes
    ommers_hash: bytes
    beneficiary: bytes
    state_root: bytes
    transactions_root: bytes
    receipts_root: bytes
    logs_bloom: bytes
    difficulty: int
    number: int
    gas_limit: int
    gas_used: int
    timestamp: int
    extra_data: bytes
    mix_hash: bytes
    nonce: bytes
    base_fee_per_gas: int | None = None
    withdrawals_root: bytes | None = None
    blob_gas_used: int | None = None
    excess_blob_gas: int | None = None
    parent_beacon_block_root: bytes | None = None
    requests_hash: bytes | None = None
    _hash: bytes | None = field(default=None, compare=False, repr=False)

    # -- RLP ------------------------------------------------------------------------------------
    def rlp_fields(self) -> list[bytes]:
        items: list[bytes] = [
            self.parent_hash,
            self.ommers_hash,
            self.beneficiary,
            self.state_root,
            self.transactions_root,
            self.receipts_root,
            self.logs_bloom,
            int_bytes(self.difficulty),
            int_bytes(self.number),
            int_bytes(self.gas_limit),
            int_bytes(self.gas_used),
            int_bytes(self.timestamp),
            self.extra_data,
            self.mix_hash,
            self.nonce,
        ]
        optional: list[bytes | None] = [
            None if self.base_fee_per_gas is None else int_bytes(self.base_fee_per_gas),
            self.withdrawals_root,
            None if self.blob_gas_used is None else int_bytes(self.blob_gas_used),
            None if self.excess_blob_gas is None else int_bytes(self.excess_blob_gas),
            self.parent_beacon_block_root,
            self.requests_hash,
        ]
        # Optional fields are positional: stop at the first absent one.
        for value in optional:
            if value is None:
                break
            items.append(value)
        return items

    def encode(self) -> bytes:
        return rlp_encode(self.rlp_fields())

    def hash(self) -> bytes:
        if self._hash is None:
            object.__setattr__(self, "_hash", keccak256(self.encode()))
        assert self._hash is not None
        return self._hash

    @classmethod
    def decode(cls, data: bytes) -> Header:
        items = rlp_decode(data, what="header")
        if not isinstance(items, list) or not 15 <= len(items) <= 21:
            raise DecodeError(f"header: expected an RLP list of 15..21 fields, got {_shape(items)}")
        if any(not isinstance(x, bytes) for x in items):
            raise DecodeError("header: nested list inside a header field")
        names = [f.name for f in fields(cls) if f.name != "_hash"]
        int_fields = {
            "difficulty", "number", "gas_limit", "gas_used", "timestamp", "base_fee_per_gas",
            "blob_gas_used", "excess_blob_gas",
        }
        sizes = {
            "parent_hash": 32, "ommers_hash": 32, "beneficiary": 20, "state_root": 32,
            "transactions_root": 32, "receipts_root": 32, "logs_bloom": 256, "mix_hash": 32, "nonce": 8,
            "withdrawals_root": 32, "parent_beacon_block_root": 32, "requests_hash": 32,
        }
        kwargs: dict[str, Any] = {}
        for name, raw in zip(names, items, strict=False):
            if name in int_fields:
                kwargs[name] = rlp_int(raw, what=f"header.{name}")
            else:
                if name in sizes and len(raw) != sizes[name]:
                    raise DecodeError(f"header.{name}: expected {sizes[name]} bytes, got {len(raw)}")
                kwargs[name] = raw
        header = cls(**kwargs)
        object.__setattr__(header, "_hash", keccak256(bytes(data)))
        return header

    # -- JSON-RPC -------------------------------------------------------------------------------
    @classmethod
    def from_rpc(cls, obj: dict[str, Any]) -> Header:
        """Build from an ``eth_getBlockBy*`` JSON object (camelCase keys, hex quantities)."""

        def b(key: str, size: int | None = None) -> bytes:
            return from_hex(obj[key], length=size, what=f"header.{key}")

        def opt_b(key: str) -> bytes | None:
            return b(key, 32) if obj.get(key) is not None else None

        def opt_i(key: str) -> int | None:
            return hex_to_int(obj[key], what=f"header.{key}") if obj.get(key) is not None else None

        try:
            return cls(
                parent_hash=b("parentHash", 32),
                ommers_hash=b("sha3Uncles", 32),
                beneficiary=b("miner", 20),
                state_root=b("stateRoot", 32),
                transactions_root=b("transactionsRoot", 32),
                receipts_root=b("receiptsRoot", 32),
                logs_bloom=b("logsBloom", 256),
                difficulty=hex_to_int(obj["difficulty"]),
                number=hex_to_int(obj["number"]),
                gas_limit=hex_to_int(obj["gasLimit"]),
                gas_used=hex_to_int(obj["gasUsed"]),
                timestamp=hex_to_int(obj["timestamp"]),
                extra_data=b("extraData"),
                mix_hash=b("mixHash", 32),
                nonce=b("nonce", 8),
                base_fee_per_gas=opt_i("baseFeePerGas"),
                withdrawals_root=opt_b("withdrawalsRoot"),
                blob_gas_used=opt_i("blobGasUsed"),
                excess_blob_gas=opt_i("excessBlobGas"),
                parent_beacon_block_root=opt_b("parentBeaconBlockRoot"),
                requests_hash=opt_b("requestsHash"),
            )
        except KeyError as exc:
            raise DecodeError(f"header: missing field {exc.args[0]!r}") from exc

    def to_rpc(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "hash": to_hex(self.hash()),
            "parentHash": to_hex(self.parent_hash),
            "sha3Uncles": to_hex(self.ommers_hash),
            "miner": to_hex(self.beneficiary),
            "stateRoot": to_hex(self.state_root),
            "transactionsRoot": to_hex(self.transactions_root),
            "receiptsRoot": to_hex(self.receipts_root),
            "logsBloom": to_hex(self.logs_bloom),
            "difficulty": hex(self.difficulty),
            "number": hex(self.number),
            "gasLimit": hex(self.gas_limit),
            "gasUsed": hex(self.gas_used),
            "timestamp": hex(self.timestamp),
            "extraData": to_hex(self.extra_data),
            "mixHash": to_hex(self.mix_hash),
            "nonce": to_hex(self.nonce),
        }
        if self.base_fee_per_gas is not None:
            out["baseFeePerGas"] = hex(self.base_fee_per_gas)
        if self.withdrawals_root is not None:
            out["withdrawalsRoot"] = to_hex(self.withdrawals_root)
        if self.blob_gas_used is not None:
            out["blobGasUsed"] = hex(self.blob_gas_used)
        if self.excess_blob_gas is not None:
            out["excessBlobGas"] = hex(self.excess_blob_gas)
        if self.parent_beacon_block_root is not None:
            out["parentBeaconBlockRoot"] = to_hex(self.parent_beacon_block_root)
        if self.requests_hash is not None:
            out["requestsHash"] = to_hex(self.requests_hash)
        return out

    def block_info(self) -> BlockInfo:
        return BlockInfo(self.hash(), self.number, self.parent_hash, self.timestamp)


def _shape(items: Any) -> str:
    return f"a list of {len(items)}" if isinstance(items, list) else f"a string of {len(items)} bytes"
