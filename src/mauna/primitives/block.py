"""Block identifiers used across derivation and execution.

Spec: protocol/derivation.md ("L2 chain derivation"): an L2 block references its L1 origin (epoch)
and a sequence number within that epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

from mauna.primitives.bytes import HASH_ZERO


@dataclass(frozen=True, slots=True)
class BlockID:
    """A block by hash and number."""

    hash: bytes
    number: int


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """The header fields derivation needs of an L1 (or L2) block."""

    hash: bytes
    number: int
    parent_hash: bytes
    timestamp: int

    def id(self) -> BlockID:
        return BlockID(self.hash, self.number)


@dataclass(frozen=True, slots=True)
class L2BlockInfo:
    """An L2 block with its L1 origin and sequence number (op-node's ``L2BlockRef``)."""

    block_info: BlockInfo
    l1_origin: BlockID
    seq_num: int

    @property
    def hash(self) -> bytes:
        return self.block_info.hash

    @property
    def number(self) -> int:
        return self.block_info.number

    @property
    def timestamp(self) -> int:
        return self.block_info.timestamp

    @property
    def parent_hash(self) -> bytes:
        return self.block_info.parent_hash

    def id(self) -> BlockID:
        return self.block_info.id()


GENESIS_PARENT = BlockID(HASH_ZERO, 0)
