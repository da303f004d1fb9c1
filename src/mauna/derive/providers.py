"""Provider protocols: the only way the derivation pipeline reads L1, L2 and blob data.

Spec: protocol/derivation.md "L2 Chain Derivation Pipeline". The pipeline never does I/O itself: the
node (JSON-RPC / beacon API), the fault-proof program (preimage oracle) and the tests (in-memory)
each supply their own implementation of these protocols.

Errors: a provider that cannot answer right now raises :class:`~mauna.derive.errors.ProviderError`
(temporary: the pipeline yields and the caller retries); a provider may also raise
:class:`~mauna.derive.errors.ResetError` or :class:`~mauna.derive.errors.CriticalError` when
that is the right reaction. Any other exception is a bug in the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.primitives.header import Header
from mauna.primitives.receipt import Receipt


@dataclass(frozen=True, slots=True)
class IndexedBlobHash:
    """A blob versioned hash and the blob's index among all blobs of its L1 block."""

    index: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class L2Block:
    """An L2 block as derivation needs it: its header and raw EIP-2718 transactions."""

    header: Header
    transactions: tuple[bytes, ...]


@runtime_checkable
class ChainProvider(Protocol):
    """Read access to the L1 chain."""

    async def header_by_hash(self, block_hash: bytes) -> Header:
        """The L1 header with this hash."""
        ...

    async def block_info_by_number(self, number: int) -> BlockInfo:
        """The canonical L1 block at this height."""
        ...

    async def receipts_by_hash(self, block_hash: bytes) -> list[Receipt]:
        """The receipts of the L1 block with this hash, in transaction order."""
        ...

    async def block_info_and_transactions_by_hash(self, block_hash: bytes) -> tuple[BlockInfo, list[bytes]]:
        """The L1 block with this hash and its raw EIP-2718 transactions, in block order."""
        ...


@runtime_checkable
class L2ChainProvider(Protocol):
    """Read access to the (safe) L2 chain being derived."""

    async def l2_block_info_by_number(self, number: int) -> L2BlockInfo:
        """The L2 block at this height, with its L1 origin and sequence number."""
        ...

    async def block_by_number(self, number: int) -> L2Block:
        """The L2 block at this height with its transactions."""
        ...

    async def system_config_by_number(self, number: int, rollup_config: RollupConfig) -> SystemConfig:
        """The system config in effect after the L2 block at this height (from its L1-info tx)."""
        ...


@runtime_checkable
class BlobProvider(Protocol):
    """Blob sidecars of L1 blocks (the beacon API, the preimage oracle, or memory)."""

    async def get_blobs(self, block_ref: BlockInfo, blob_hashes: list[IndexedBlobHash]) -> list[bytes]:
        """The 131072-byte blobs with these versioned hashes, in the order asked."""
        ...
