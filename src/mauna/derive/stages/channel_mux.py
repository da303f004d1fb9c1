"""Chooses the Channel Bank (before Holocene) or the Channel Assembler (from Holocene).

Spec: protocol/holocene/derivation.md "Activation": the stage in use follows the L1 origin
timestamp; the activation signal that accompanies the switch drops all buffered channels.
"""

from __future__ import annotations

from mauna.derive.signals import StageSignal
from mauna.derive.stages.channel_assembler import ChannelAssembler
from mauna.derive.stages.channel_bank import ChannelBank
from mauna.derive.stages.frame_queue import FrameQueue
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo


class ChannelMux:
    """The channel stage for the current L1 origin."""

    def __init__(self, prev: FrameQueue, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.bank = ChannelBank(prev, rollup_config)
        self.assembler = ChannelAssembler(prev, rollup_config)

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    def active(self) -> ChannelBank | ChannelAssembler:
        origin = self.origin()
        if origin is not None and self.rollup_config.is_holocene_active(origin.timestamp):
            return self.assembler
        return self.bank

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def next_data(self) -> bytes:
        return await self.active().next_data()

    def flush(self) -> None:
        self.active().flush()

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        self.bank.channels.clear()
        self.assembler.channel = None
