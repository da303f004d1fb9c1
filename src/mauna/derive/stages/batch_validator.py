"""Batch Validator (from Holocene): validates strictly ordered singular batches.

Spec: protocol/holocene/derivation.md "Batch Queue": no reordering and no ``future`` buffering
(future batches are dropped); ``past`` batches are skipped; a dropped batch drops the rest of its
span batch and channel ("Fast Channel Invalidation"); empty batches are still generated when the
sequencing window expires.
"""

from __future__ import annotations

import structlog

from mauna.derive.batch_validity import BatchValidity, check_single_batch
from mauna.derive.errors import CriticalError, EndOfData, NotEnoughData
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.batch_queue import L1Origins, check_epoch_continuity, empty_batch
from mauna.derive.stages.batch_stream import BatchStream
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.protocol.batch import SingleBatch

log = structlog.get_logger(__name__)


class BatchValidator:
    """Holocene batch validation; holds no batches itself."""

    def __init__(self, prev: BatchStream, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.l1 = L1Origins()

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    def is_last_in_span(self) -> bool:
        return self.prev.span_buffer_size() == 0

    async def next_batch(self, parent: L2BlockInfo) -> SingleBatch:
        behind = self.l1.update(self.origin(), parent)
        origin = self.l1.origin
        if origin is None:
            raise CriticalError("batch validator: no L1 origin")
        if behind or parent.l1_origin.number == origin.number:
            # Batches included in the parent's own L1 origin can only be past batches: drain them.
            await self.prev.next_batch(parent, self.l1.l1_blocks)
            raise NotEnoughData()
        if len(self.l1.l1_blocks) < 2:
            raise CriticalError("batch validator: fewer than two L1 blocks past the safe head's origin")
        epoch = self.l1.l1_blocks[0]
        check_epoch_continuity(parent, epoch)
        try:
            batch = await self.prev.next_batch(parent, self.l1.l1_blocks)
        except EndOfData:
            expiry = epoch.number + self.rollup_config.seq_window_size
            return empty_batch(self.rollup_config, self.l1, parent, force=expiry <= origin.number)
        if not isinstance(batch, SingleBatch):
            raise CriticalError("batch validator: received a span batch")
        verdict = check_single_batch(self.rollup_config, self.l1.l1_blocks, parent, batch, origin)
        if verdict.validity is BatchValidity.ACCEPT:
            return batch
        if verdict.validity is BatchValidity.PAST:
            log.info("skipping past batch", timestamp=batch.timestamp, parent=parent.number)
            raise NotEnoughData()
        if verdict.validity is BatchValidity.DROP:
            log.warning(
                "dropping batch and the rest of its channel",
                reason=verdict.reason and verdict.reason.value,
                timestamp=batch.timestamp,
            )
            self.prev.flush()
            raise NotEnoughData()
        if verdict.validity is BatchValidity.UNDECIDED:
            raise NotEnoughData()
        raise CriticalError("batch validator: a batch cannot be 'future' after Holocene")

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        await self.signal_local(signal)

    async def signal_local(self, signal: StageSignal) -> None:
        """Apply a signal to this stage only (the previous stages already received it)."""
        if signal.kind is Signal.RESET:
            if signal.l1_origin is None:
                raise CriticalError("batch validator: reset without an L1 origin")
            self.l1.reset(signal.l1_origin)
