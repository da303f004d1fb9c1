"""L1 Retrieval: hands out the batcher data of the current L1 origin, one transaction at a time.

Spec: protocol/derivation.md "L1 Retrieval".
"""

from __future__ import annotations

from typing import Protocol

from mauna.derive.errors import EndOfData
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.l1_traversal import L1Traversal
from mauna.primitives.block import BlockInfo


class DataAvailabilityProvider(Protocol):
    """Yields the batcher data of one L1 block; :class:`EndOfData` when exhausted."""

    async def next(self, block: BlockInfo, batcher: bytes) -> bytes: ...

    def clear(self) -> None: ...


class L1Retrieval:
    """Reads the batcher data of each L1 block the traversal stage hands out."""

    def __init__(self, prev: L1Traversal, source: DataAvailabilityProvider) -> None:
        self.prev = prev
        self.source = source
        self.next_block: BlockInfo | None = None

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def next_data(self) -> bytes:
        if self.next_block is None:
            self.next_block = await self.prev.next_l1_block()
        try:
            return await self.source.next(self.next_block, self.prev.batcher_address)
        except EndOfData:
            self.next_block = None
            self.source.clear()
            raise

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        if signal.kind in (Signal.RESET, Signal.ACTIVATION):
            self.source.clear()
            self.next_block = None
