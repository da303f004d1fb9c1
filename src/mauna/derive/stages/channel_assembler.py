"""Channel Assembler (from Holocene): builds the single staging channel from in-order frames.

Spec: protocol/holocene/derivation.md "Channel Bank" ("Pruning", "Timeout", "Reading & Frame
Loading"): a first frame starts a new staging channel (dropping an unfinished one); frames of a
timed-out channel are dropped with it; frames must arrive in order across batcher transactions too
(a frame whose number is not the next one is dropped); a channel whose size (frame data plus 200
bytes per frame) exceeds ``MAX_RLP_BYTES_PER_CHANNEL`` is dropped.
"""

from __future__ import annotations

import structlog

from mauna.derive.errors import CriticalError, NotEnoughData
from mauna.derive.signals import StageSignal
from mauna.derive.stages.frame_queue import FrameQueue
from mauna.errors import ChannelError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.protocol.channel import Channel

log = structlog.get_logger(__name__)


class ChannelAssembler:
    """Holocene channel assembly: at most one channel at a time."""

    def __init__(self, prev: FrameQueue, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.channel: Channel | None = None

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def next_data(self) -> bytes:
        origin = self.origin()
        if origin is None:
            raise CriticalError("channel assembler: no L1 origin")
        timeout = self.rollup_config.channel_timeout_at(origin.timestamp)
        if self.channel is not None and self.channel.is_timed_out(origin.number, timeout):
            log.warning(
                "dropping timed-out channel",
                channel=self.channel.id.hex(),
                opened=self.channel.open_block.number,
                l1_block=origin.number,
            )
            self.channel = None
        frame = await self.prev.next_frame()
        if frame.number == 0:
            if self.channel is not None:
                log.warning("dropping unfinished channel for a new one", channel=self.channel.id.hex())
            self.channel = Channel(frame.channel_id, origin.id())
        if self.channel is None:
            log.warning(
                "dropping frame without a staging channel",
                channel=frame.channel_id.hex(),
                number=frame.number,
            )
            raise NotEnoughData()
        if frame.channel_id == self.channel.id and frame.number != self.channel.frame_count:
            # Strict ordering across batcher transactions: the frame queue only orders the frames of
            # one transaction, so the next frame number is checked again here.
            log.warning(
                "dropping out-of-order frame",
                channel=frame.channel_id.hex(),
                number=frame.number,
                expected=self.channel.frame_count,
            )
            raise NotEnoughData()
        try:
            self.channel.add_frame(frame, origin.id())
        except ChannelError as exc:
            log.warning(
                "dropping frame", channel=frame.channel_id.hex(), number=frame.number, reason=str(exc)
            )
            raise NotEnoughData() from exc
        limit = self.rollup_config.max_rlp_bytes_per_channel(origin.timestamp)
        if self.channel.size > limit:
            log.warning(
                "dropping channel above MAX_RLP_BYTES_PER_CHANNEL",
                channel=frame.channel_id.hex(),
                size=self.channel.size,
                limit=limit,
            )
            self.channel = None
            raise NotEnoughData()
        if self.channel.is_ready():
            data = self.channel.frame_data()
            self.channel = None
            return data
        raise NotEnoughData()

    def flush(self) -> None:
        """Nothing buffered past the channel being read (the reader holds it)."""

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        self.channel = None
