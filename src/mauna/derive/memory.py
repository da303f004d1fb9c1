"""In-memory providers: an L1 chain, an L2 chain and blob sidecars held in dictionaries.

They implement :mod:`mauna.derive.providers` for tests and for tools that already hold the data.
L1 reorgs are modelled by adding a competing block at an existing height with ``canonical=True``:
lookups by hash still find the old block, lookups by number find the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mauna.derive.errors import ProviderError
from mauna.derive.providers import IndexedBlobHash, L2Block
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.primitives.bytes import to_hex
from mauna.primitives.header import Header
from mauna.primitives.receipt import Receipt


@dataclass(frozen=True, slots=True)
class L1Block:
    """An L1 block held in memory: header, raw transactions, receipts and blob sidecars."""

    header: Header
    transactions: tuple[bytes, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    blobs: tuple[tuple[bytes, bytes], ...] = ()
    """``(versioned_hash, blob)`` pairs in the order the block's blob transactions carry them."""

    @property
    def hash(self) -> bytes:
        return self.header.hash()

    def info(self) -> BlockInfo:
        return self.header.block_info()


@dataclass
class InMemoryChainProvider:
    """An L1 chain: blocks by hash (every block ever added) and the canonical chain by number."""

    blocks: dict[bytes, L1Block] = field(default_factory=dict)
    canonical: dict[int, bytes] = field(default_factory=dict)

    def add_block(self, block: L1Block, *, canonical: bool = True) -> None:
        self.blocks[block.hash] = block
        if canonical:
            self.canonical[block.header.number] = block.hash

    def set_canonical(self, block_hash: bytes) -> None:
        """Make this (already added) block the canonical one at its height."""
        block = self._get(block_hash)
        self.canonical[block.header.number] = block_hash

    def truncate(self, number: int) -> None:
        """Forget the canonical blocks above ``number`` (their hashes stay resolvable)."""
        for n in [n for n in self.canonical if n > number]:
            del self.canonical[n]

    def block(self, block_hash: bytes) -> L1Block:
        return self._get(block_hash)

    def _get(self, block_hash: bytes) -> L1Block:
        try:
            return self.blocks[bytes(block_hash)]
        except KeyError:
            raise ProviderError(f"L1 block {to_hex(block_hash)} not found") from None

    async def header_by_hash(self, block_hash: bytes) -> Header:
        return self._get(block_hash).header

    async def block_info_by_number(self, number: int) -> BlockInfo:
        block_hash = self.canonical.get(number)
        if block_hash is None:
            raise ProviderError(f"L1 block #{number} not found")
        return self.blocks[block_hash].info()

    async def receipts_by_hash(self, block_hash: bytes) -> list[Receipt]:
        return list(self._get(block_hash).receipts)

    async def block_info_and_transactions_by_hash(self, block_hash: bytes) -> tuple[BlockInfo, list[bytes]]:
        block = self._get(block_hash)
        return block.info(), list(block.transactions)


@dataclass
class InMemoryBlobProvider:
    """Blob sidecars looked up by the L1 block hash and versioned hash."""

    blobs: dict[bytes, dict[bytes, bytes]] = field(default_factory=dict)
    requests: list[tuple[BlockInfo, tuple[IndexedBlobHash, ...]]] = field(default_factory=list)

    def add_blob(self, block_hash: bytes, versioned_hash: bytes, blob: bytes) -> None:
        self.blobs.setdefault(bytes(block_hash), {})[bytes(versioned_hash)] = bytes(blob)

    def add_block(self, block: L1Block) -> None:
        for versioned_hash, blob in block.blobs:
            self.add_blob(block.hash, versioned_hash, blob)

    async def get_blobs(self, block_ref: BlockInfo, blob_hashes: list[IndexedBlobHash]) -> list[bytes]:
        self.requests.append((block_ref, tuple(blob_hashes)))
        sidecars = self.blobs.get(block_ref.hash, {})
        out = []
        for indexed in blob_hashes:
            blob = sidecars.get(indexed.hash)
            if blob is None:
                raise ProviderError(
                    f"blob {to_hex(indexed.hash)} (index {indexed.index}) of L1 block "
                    f"#{block_ref.number} not found"
                )
            out.append(blob)
        return out


@dataclass(frozen=True, slots=True)
class L2Entry:
    """One L2 block as the in-memory L2 provider holds it."""

    info: L2BlockInfo
    system_config: SystemConfig
    block: L2Block | None = None


@dataclass
class InMemoryL2ChainProvider:
    """An L2 chain: block refs, blocks and the system config after each block, by number."""

    entries: dict[int, L2Entry] = field(default_factory=dict)

    def add_block(self, info: L2BlockInfo, system_config: SystemConfig, block: L2Block | None = None) -> None:
        self.entries[info.number] = L2Entry(info, system_config, block)

    def truncate(self, number: int) -> None:
        """Forget the L2 blocks above ``number``."""
        for n in [n for n in self.entries if n > number]:
            del self.entries[n]

    def _get(self, number: int) -> L2Entry:
        entry = self.entries.get(number)
        if entry is None:
            raise ProviderError(f"L2 block #{number} not found")
        return entry

    async def l2_block_info_by_number(self, number: int) -> L2BlockInfo:
        return self._get(number).info

    async def block_by_number(self, number: int) -> L2Block:
        block = self._get(number).block
        if block is None:
            raise ProviderError(f"L2 block #{number}: transactions not held")
        return block

    async def system_config_by_number(self, number: int, rollup_config: RollupConfig) -> SystemConfig:
        return self._get(number).system_config
