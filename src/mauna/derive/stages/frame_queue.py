"""Frame Queue: decodes batcher data into frames and buffers them.

Spec: protocol/derivation.md "Frame Queue" and protocol/holocene/derivation.md "Frame Queue": from
Holocene (by the L1 origin timestamp) out-of-order frames are dropped right away: a non-first frame
that does not continue the previous frame's channel (number + 1, channel not closed) is dropped, and
a first frame arriving while the previous channel is unclosed drops that channel's frames.
"""

from __future__ import annotations

from collections import deque

import structlog

from mauna.derive.errors import CriticalError, NotEnoughData
from mauna.derive.signals import StageSignal
from mauna.derive.stages.l1_retrieval import L1Retrieval
from mauna.errors import FrameError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.protocol.frames import Frame, parse_frames

log = structlog.get_logger(__name__)


def prune_frames_holocene(frames: list[Frame]) -> list[Frame]:
    """Apply the Holocene frame-ordering rules to a queue of frames; returns the kept frames."""
    out: list[Frame] = []
    for frame in frames:
        if not out:
            out.append(frame)
            continue
        prev = out[-1]
        same_channel = prev.channel_id == frame.channel_id
        if same_channel and (prev.is_last or frame.number != prev.number + 1):
            log.warning("dropping out-of-order frame", channel=frame.channel_id.hex(), number=frame.number)
            continue
        if not same_channel and frame.number != 0:
            log.warning(
                "dropping non-first frame of a new channel",
                channel=frame.channel_id.hex(),
                number=frame.number,
            )
            continue
        if not same_channel and not prev.is_last:
            dropped = prev.channel_id
            log.warning("dropping frames of unclosed channel", channel=dropped.hex())
            while out and out[-1].channel_id == dropped:
                out.pop()
        out.append(frame)
    return out


class FrameQueue:
    """Buffers the frames of the batcher transactions of the current L1 origin."""

    def __init__(self, prev: L1Retrieval, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.queue: deque[Frame] = deque()

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def _load_frames(self) -> None:
        if self.queue:
            return
        data = await self.prev.next_data()
        origin = self.origin()
        if origin is None:
            raise CriticalError("frame queue: no L1 origin")
        try:
            frames = parse_frames(data)
        except FrameError as exc:
            log.warning(
                "dropping batcher transaction with invalid frames", l1_block=origin.number, error=str(exc)
            )
            return
        self.queue.extend(frames)
        if self.rollup_config.is_holocene_active(origin.timestamp):
            self.queue = deque(prune_frames_holocene(list(self.queue)))

    async def next_frame(self) -> Frame:
        await self._load_frames()
        if not self.queue:
            raise NotEnoughData("frame queue: no frames in this batcher transaction")
        return self.queue.popleft()

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        self.queue.clear()
