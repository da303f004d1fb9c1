"""Channel Bank (before Holocene): buffers frames per channel until a channel is complete.

Spec: protocol/derivation.md "Channel Bank" ("Pruning", "Timeouts", "Reading", "Loading frames").
Channels are kept in FIFO order of opening; the bank is pruned to ``MAX_CHANNEL_BANK_SIZE`` (frame
data plus 200 bytes per frame); a channel times out once
``current_l1_block.number > channel.open_l1_block.number + CHANNEL_TIMEOUT``. Before Canyon only the
first channel can be read; from Canyon the first ready channel in FIFO order.
"""

from __future__ import annotations

from collections import OrderedDict

import structlog

from mauna.derive.errors import CriticalError, EndOfData, NotEnoughData
from mauna.derive.signals import StageSignal
from mauna.derive.stages.frame_queue import FrameQueue
from mauna.errors import ChannelError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.protocol.channel import Channel
from mauna.protocol.frames import Frame

log = structlog.get_logger(__name__)


class ChannelBank:
    """Pre-Holocene channel buffering."""

    def __init__(self, prev: FrameQueue, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.channels: OrderedDict[bytes, Channel] = OrderedDict()

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    def _origin(self) -> BlockInfo:
        origin = self.origin()
        if origin is None:
            raise CriticalError("channel bank: no L1 origin")
        return origin

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    def size(self) -> int:
        return sum(ch.size for ch in self.channels.values())

    def ingest_frame(self, frame: Frame) -> None:
        origin = self._origin()
        channel = self.channels.get(frame.channel_id)
        if channel is None:
            channel = Channel(frame.channel_id, origin.id())
            self.channels[frame.channel_id] = channel
        timeout = self.rollup_config.channel_timeout_at(origin.timestamp)
        if channel.is_timed_out(origin.number, timeout):
            log.warning(
                "dropping frame of timed-out channel",
                channel=frame.channel_id.hex(),
                number=frame.number,
                opened=channel.open_block.number,
                l1_block=origin.number,
            )
            return
        try:
            channel.add_frame(frame, origin.id())
        except ChannelError as exc:
            log.warning(
                "dropping frame", channel=frame.channel_id.hex(), number=frame.number, reason=str(exc)
            )
            return
        self.prune()

    def prune(self) -> None:
        limit = self.rollup_config.max_channel_bank_size(self._origin().timestamp)
        total = self.size()
        while total > limit and self.channels:
            channel_id, channel = self.channels.popitem(last=False)
            log.warning("pruning channel from full channel bank", channel=channel_id.hex(), size=channel.size)
            total -= channel.size

    def read(self) -> bytes | None:
        """A ready channel's data, ``None`` if the first channel timed out (and was dropped)."""
        if not self.channels:
            raise EndOfData()
        origin = self._origin()
        timeout = self.rollup_config.channel_timeout_at(origin.timestamp)
        first_id, first = next(iter(self.channels.items()))
        if first.is_timed_out(origin.number, timeout):
            log.warning(
                "dropping timed-out channel",
                channel=first_id.hex(),
                opened=first.open_block.number,
                l1_block=origin.number,
            )
            del self.channels[first_id]
            return None
        candidates = list(self.channels.items())
        if not self.rollup_config.is_canyon_active(origin.timestamp):
            candidates = candidates[:1]
        for channel_id, channel in candidates:
            if channel.is_timed_out(origin.number, timeout) or not channel.is_ready():
                continue
            del self.channels[channel_id]
            return channel.frame_data()
        raise EndOfData()

    async def next_data(self) -> bytes:
        """The next complete channel's compressed data."""
        try:
            data = self.read()
        except EndOfData:
            pass
        else:
            if data is None:
                raise NotEnoughData("channel bank: dropped a timed-out channel")
            return data
        frame = await self.prev.next_frame()
        self.ingest_frame(frame)
        raise NotEnoughData("channel bank: ingested a frame")

    def flush(self) -> None:
        """Nothing to flush before Holocene (channels are read whole)."""

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        self.channels.clear()
