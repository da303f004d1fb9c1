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
        fields = decode_single_canonical(data) if isinstance(data, bytes) else None
        if fields is not None:
            return cls(*fields)
        # Malformed or unusual input: the checks below name the problem.
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


def _canonical_uint64(data: bytes, pos: int) -> tuple[int, int] | None:
    """A canonical RLP integer of at most 8 bytes at ``pos``: ``(value, next position)``, or
    ``None`` when it is not one (non-canonical, too long, or a list)."""
    b0 = data[pos]
    if b0 > 0x81:
        if b0 > 0x88 or data[pos + 1] == 0:
            return None
        end = pos + 1 + b0 - 0x80
        return int.from_bytes(data[pos + 1 : end], "big"), end
    if b0 == 0x81:
        value = data[pos + 1]
        return None if value < 0x80 else (value, pos + 2)
    if b0 == 0x80:
        return 0, pos + 1
    if b0:
        return b0, pos + 1
    return None


def decode_single_canonical(data: bytes) -> tuple[bytes, int, bytes, int, tuple[bytes, ...]] | None:
    """The fields of a well-formed ``0x00 ++ rlp([...])`` batch, or ``None``.

    A single pass over the bytes for the common case: every length prefix canonical, both hashes
    32-byte strings, both integers canonical uint64 strings, every transaction a byte string,
    lists nested two levels deep. Input outside that case (however valid) gives ``None``, and
    :meth:`SingleBatch.decode` then takes its general path, which accepts and rejects exactly the
    same inputs as before, with its error messages.
    """
    try:
        n = len(data)
        if n < 71 or data[0] != SINGLE_BATCH_TYPE:
            return None
        # The batch list: at least 69 bytes (two hashes, two integers, a transaction list), so long form.
        b0 = data[1]
        if b0 == 0xF9:
            pos = 4
            end = 4 + (data[2] << 8 | data[3])
            if data[2] == 0:
                return None
        elif b0 == 0xF8:
            pos = 3
            end = 3 + data[2]
        elif b0 > 0xF9:
            pos = b0 - 0xF5  # 2 + length of the length
            if pos > n or data[2] == 0:
                return None
            end = pos + int.from_bytes(data[2:pos], "big")
        else:
            return None
        if end > n or end - pos < 69 or data[pos] != 0xA0:
            return None
        parent_hash = data[pos + 1 : pos + 33]
        # epoch_num: a canonical integer of at most 8 bytes (0x00 is non-canonical, zero is 0x80)
        pos += 33
        parsed = _canonical_uint64(data, pos)
        if parsed is None:
            return None
        epoch_num, pos = parsed
        if pos + 35 > end or data[pos] != 0xA0:
            return None
        epoch_hash = data[pos + 1 : pos + 33]
        # timestamp
        pos += 33
        parsed = _canonical_uint64(data, pos)
        if parsed is None:
            return None
        timestamp, pos = parsed
        # transaction list: the last field, ending where the batch list ends
        if pos >= end:
            return None
        b0 = data[pos]
        if b0 == 0xF9:
            if pos + 3 > end or data[pos + 1] == 0 or pos + 3 + (data[pos + 1] << 8 | data[pos + 2]) != end:
                return None
            pos += 3
        elif b0 == 0xF8:
            if pos + 2 > end or data[pos + 1] < 56 or pos + 2 + data[pos + 1] != end:
                return None
            pos += 2
        elif b0 > 0xF9:
            first = pos + b0 - 0xF6
            if (
                first > end
                or data[pos + 1] == 0
                or first + int.from_bytes(data[pos + 1 : first], "big") != end
            ):
                return None
            pos = first
        elif b0 >= 0xC0:
            if pos + 1 + b0 - 0xC0 != end:
                return None
            pos += 1
        else:
            return None
        txs: list[bytes] = []
        append = txs.append
        while pos < end:
            b0 = data[pos]
            if b0 == 0xB9:  # the usual transaction: 256 bytes to 64 KiB
                first = pos + 3
                pos = first + (data[pos + 1] << 8 | data[pos + 2])
                if pos > end or data[first - 2] == 0:
                    return None
            elif b0 == 0xB8:
                first = pos + 2
                pos = first + data[pos + 1]
                if pos > end or pos - first < 56:
                    return None
            elif b0 < 0x80:
                first = pos
                pos += 1
            elif b0 < 0xB8:
                first = pos + 1
                pos = first + b0 - 0x80
                if pos > end or (b0 == 0x81 and data[first] < 0x80):
                    return None
            elif b0 < 0xC0:
                first = pos + b0 - 0xB6
                if first > end or data[pos + 1] == 0:
                    return None
                pos = first + int.from_bytes(data[pos + 1 : first], "big")
                if pos - first < 56 or pos > end:
                    return None
            else:
                return None
            append(data[first:pos])
        return parent_hash, epoch_num, epoch_hash, timestamp, tuple(txs)
    except IndexError:  # a length byte past the end of the data
        return None


_new = object.__new__
_SET_FIELDS = tuple(
    getattr(SingleBatch, name).__set__
    for name in ("parent_hash", "epoch_num", "epoch_hash", "timestamp", "transactions")
)


def single_batch_from_fields(fields: tuple[bytes, int, bytes, int, tuple[bytes, ...]]) -> SingleBatch:
    """``SingleBatch(*fields)`` for fields already checked by :func:`decode_single_canonical`.

    Fills the slots directly (the frozen dataclass ``__init__`` goes through a slower
    ``object.__setattr__`` per field); the result compares, hashes and behaves the same.
    """
    batch: SingleBatch = _new(SingleBatch)
    set0, set1, set2, set3, set4 = _SET_FIELDS
    set0(batch, fields[0])
    set1(batch, fields[1])
    set2(batch, fields[2])
    set3(batch, fields[3])
    set4(batch, fields[4])
    return batch
