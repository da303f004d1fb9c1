"""Singular (v0) batches: the inputs of one L2 block.

Spec: protocol/derivation.md, "Batch Format": ``batch_version`` 0 with content
``rlp_encode([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])`` where
``transaction_list`` is an RLP list of EIP-2718 encoded transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mauna.errors import BatchError, DecodeError
from mauna.primitives.block import BlockID
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.protocol.batch.constants import SINGLE_BATCH_TYPE
from mauna.protocol.batch.wire import MAX_RLP_NESTING, rlp_item_end, rlp_nesting_exceeds

_U64_MAX = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class SingleBatch:
    """A singular batch: one L2 block's parent, L1 origin (epoch), timestamp and transactions."""

    parent_hash: bytes
    epoch_num: int
    epoch_hash: bytes
    timestamp: int
    transactions: tuple[bytes, ...]

    def epoch(self) -> BlockID:
        """The L1 origin of the block."""
        return BlockID(self.epoch_hash, self.epoch_num)

    def encode(self) -> bytes:
        """``0x00 ++ rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])``."""
        for name, value in (("parent_hash", self.parent_hash), ("epoch_hash", self.epoch_hash)):
            if len(value) != 32:
                raise BatchError(f"single batch: {name} must be 32 bytes, got {len(value)}")
        for name, num in (("epoch_num", self.epoch_num), ("timestamp", self.timestamp)):
            if not 0 <= num <= _U64_MAX:
                raise BatchError(f"single batch: {name} {num} does not fit in a uint64")
        body = rlp_encode(
            [
                self.parent_hash,
                self.epoch_num,
                self.epoch_hash,
                self.timestamp,
                [bytes(tx) for tx in self.transactions],
            ]
        )
        return bytes([SINGLE_BATCH_TYPE]) + body

    @classmethod
    def decode(cls, data: bytes) -> SingleBatch:
        """Decode ``0x00 ++ rlp(...)``.

        Bytes after the RLP list are ignored, as op-node and kona do (both read one RLP value from
        the batch data).
        """
        if not data:
            raise BatchError("single batch: empty data")
        if data[0] != SINGLE_BATCH_TYPE:
            raise BatchError(f"single batch: batch type {data[0]}, expected {SINGLE_BATCH_TYPE}")
        body = data[1:]
        end = rlp_item_end(body, "single batch")
        if rlp_nesting_exceeds(body[:end]):
            raise BatchError(f"single batch: RLP lists nested deeper than {MAX_RLP_NESTING} levels")
        try:
            item = rlp_decode(body[:end], what="single batch")
        except DecodeError as exc:
            raise BatchError(str(exc)) from exc
        if not isinstance(item, list):
            raise BatchError("single batch: expected an RLP list, got a byte string")
        if len(item) != 5:
            raise BatchError(f"single batch: expected 5 fields, got {len(item)}")
        parent_hash = _hash(item[0], "parent_hash")
        epoch_num = _u64(item[1], "epoch_num")
        epoch_hash = _hash(item[2], "epoch_hash")
        timestamp = _u64(item[3], "timestamp")
        txs = item[4]
        if not isinstance(txs, list):
            raise BatchError("single batch: transactions must be a list")
        for i, tx in enumerate(txs):
            if not isinstance(tx, bytes):
                raise BatchError(f"single batch: transaction {i} must be a byte string, got a list")
        return cls(parent_hash, epoch_num, epoch_hash, timestamp, tuple(txs))


def _hash(value: Any, name: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise BatchError(f"single batch: {name} must be a 32-byte string")
    return value


def _u64(value: Any, name: str) -> int:
    if not isinstance(value, bytes):
        raise BatchError(f"single batch: {name} must be an integer, got a list")
    if value[:1] == b"\x00":
        raise BatchError(f"single batch: {name} is a non-canonical integer (leading zero)")
    if len(value) > 8:
        raise BatchError(f"single batch: {name} does not fit in a uint64")
    return int.from_bytes(value, "big")
