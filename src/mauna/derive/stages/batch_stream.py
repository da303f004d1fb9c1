"""Batch Stream (from Holocene): unrolls span batches into singular batches.

Spec: protocol/holocene/derivation.md "Span Batches": a span batch passes the span-level checks
(L1 origin check, parent check, no gap, ``past`` if it holds nothing new) before its blocks are
streamed one at a time; a dropped span batch drops the rest of its channel, a ``past`` one is only
skipped. Before Holocene this stage passes batches through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import replace

import structlog

from mauna.derive.batch_validity import BatchValidity, check_span_batch_prefix
from mauna.derive.errors import CriticalError, NotEnoughData
from mauna.derive.providers import L2ChainProvider
from mauna.derive.signals import StageSignal
from mauna.derive.stages.channel_reader import Batch, ChannelReader
from mauna.errors import ProtocolError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.protocol.batch import SingleBatch, SpanBatch

log = structlog.get_logger(__name__)


class BatchStream:
    """Holds at most one span batch and hands out its blocks as singular batches."""

    def __init__(self, prev: ChannelReader, rollup_config: RollupConfig, l2: L2ChainProvider) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.l2 = l2
        self.span: SpanBatch | None = None
        self.buffer: deque[SingleBatch] = deque()

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    def _origin(self) -> BlockInfo:
        origin = self.origin()
        if origin is None:
            raise CriticalError("batch stream: no L1 origin")
        return origin

    def is_active(self) -> bool:
        return self.rollup_config.is_holocene_active(self._origin().timestamp)

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    def span_buffer_size(self) -> int:
        return len(self.buffer)

    def flush(self) -> None:
        """Drop the current span batch and the rest of its channel (Holocene only)."""
        if self.is_active():
            self.prev.flush()
            self.span = None
            self.buffer.clear()

    async def next_batch(self, parent: L2BlockInfo, l1_blocks: Sequence[BlockInfo]) -> Batch:
        if not self.is_active():
            return await self.prev.next_batch()
        if not self.buffer:
            inclusion = self._origin()
            batch = await self.prev.next_batch()
            if isinstance(batch, SingleBatch):
                return batch
            verdict, _ = await check_span_batch_prefix(
                self.rollup_config, l1_blocks, parent, batch, inclusion, self.l2
            )
            if verdict.validity is BatchValidity.ACCEPT:
                self.span = batch
            elif verdict.validity is BatchValidity.DROP:
                log.warning(
                    "dropping span batch and its channel",
                    reason=verdict.reason and verdict.reason.value,
                    l1_block=inclusion.number,
                )
                self.flush()
                raise NotEnoughData()
            elif verdict.validity is BatchValidity.PAST:
                log.info("skipping span batch older than the safe head", l1_block=inclusion.number)
                raise NotEnoughData()
            else:
                raise NotEnoughData()
        if self.span is not None:
            span, self.span = self.span, None
            try:
                self.buffer.extend(span.get_singular_batches(l1_blocks, parent))
            except ProtocolError as exc:
                log.warning("dropping span batch whose blocks cannot be extracted", error=str(exc))
                self.flush()
                raise NotEnoughData() from exc
        if not self.buffer:
            raise NotEnoughData()
        # The span's parent check covered its first block; each later block builds on the safe head.
        return replace(self.buffer.popleft(), parent_hash=parent.hash)

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        self.span = None
        self.buffer.clear()
