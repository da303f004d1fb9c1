"""Batch Queue (before Holocene): buffers batches, applies the validity rules, fills gaps.

Spec: protocol/derivation.md "Batch Queue" and protocol/delta/span-batches.md "Batch Queue": batches
are buffered in L1 inclusion order, ``future`` ones kept, the first ``accept``-ed one is used;
when the sequencing window of the current epoch has passed without a batch, an empty batch is
generated (keeping the epoch if ``next_timestamp < next_epoch.time`` or if it is the first block of
the epoch, else advancing the epoch).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import structlog

from mauna.derive.batch_validity import BatchValidity, Verdict, check_single_batch, check_span_batch
from mauna.derive.errors import CriticalError, EndOfData, NotEnoughData, ResetError
from mauna.derive.providers import L2ChainProvider
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.batch_stream import BatchStream
from mauna.derive.stages.channel_reader import Batch
from mauna.errors import ProtocolError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.protocol.batch import SingleBatch

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class BatchWithInclusionBlock:
    """A batch and the L1 block it was (fully) derived from."""

    inclusion_block: BlockInfo
    batch: Batch


class L1Origins:
    """The L1 blocks from the safe head's L1 origin up to the stage's origin (shared logic of the
    batch queue and the batch validator)."""

    def __init__(self) -> None:
        self.origin: BlockInfo | None = None
        self.l1_blocks: list[BlockInfo] = []

    def update(self, prev_origin: BlockInfo | None, parent: L2BlockInfo) -> bool:
        """Track the previous stage's origin and drop L1 blocks older than the parent's origin.

        Returns whether the previous stage's origin is behind the parent's L1 origin.
        """
        behind = prev_origin is None or prev_origin.number < parent.l1_origin.number
        if self.origin != prev_origin:
            self.origin = prev_origin
            if not behind and prev_origin is not None:
                self.l1_blocks.append(prev_origin)
            else:
                self.l1_blocks.clear()
        if self.l1_blocks and parent.l1_origin.number > self.l1_blocks[0].number:
            for i, block in enumerate(self.l1_blocks):
                if block.number == parent.l1_origin.number:
                    del self.l1_blocks[:i]
                    break
        return behind

    def reset(self, l1_origin: BlockInfo) -> None:
        self.origin = l1_origin
        self.l1_blocks = [l1_origin]


def check_epoch_continuity(parent: L2BlockInfo, epoch: BlockInfo) -> None:
    """The safe head must be in the current epoch or the one before, else the pipeline is lost."""
    if parent.l1_origin != epoch.id() and parent.l1_origin.number != epoch.number - 1:
        raise ResetError(
            f"L1 origin mismatch: safe head #{parent.number} has L1 origin #{parent.l1_origin.number}, "
            f"batch stage epoch is #{epoch.number}"
        )


def empty_batch(cfg: RollupConfig, l1: L1Origins, parent: L2BlockInfo, *, force: bool) -> SingleBatch:
    """The empty batch to derive when the sequencing window expired (:class:`EndOfData` if none)."""
    epoch = l1.l1_blocks[0]
    if not force:
        raise EndOfData()
    if len(l1.l1_blocks) < 2:
        raise EndOfData()
    next_epoch = l1.l1_blocks[1]
    next_timestamp = parent.timestamp + cfg.block_time
    first_of_epoch = epoch.number == parent.l1_origin.number + 1
    if next_timestamp < next_epoch.timestamp or first_of_epoch:
        log.info("generating empty batch", epoch=epoch.number, timestamp=next_timestamp)
        return SingleBatch(parent.hash, epoch.number, epoch.hash, next_timestamp, ())
    log.info("advancing epoch for empty batches", epoch=next_epoch.number)
    l1.l1_blocks.pop(0)
    raise EndOfData()


class BatchQueue:
    """Pre-Holocene batch buffering and validation."""

    def __init__(self, prev: BatchStream, rollup_config: RollupConfig, l2: L2ChainProvider) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.l2 = l2
        self.l1 = L1Origins()
        self.batches: list[BatchWithInclusionBlock] = []
        self.next_spans: deque[SingleBatch] = deque()

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    def is_last_in_span(self) -> bool:
        return not self.next_spans

    async def _check(self, item: BatchWithInclusionBlock, parent: L2BlockInfo) -> Verdict:
        if isinstance(item.batch, SingleBatch):
            return check_single_batch(
                self.rollup_config, self.l1.l1_blocks, parent, item.batch, item.inclusion_block
            )
        return await check_span_batch(
            self.rollup_config, self.l1.l1_blocks, parent, item.batch, item.inclusion_block, self.l2
        )

    async def add_batch(self, batch: Batch, parent: L2BlockInfo) -> None:
        if not self.l1.l1_blocks or self.l1.origin is None:
            raise CriticalError("batch queue: cannot add a batch without an L1 origin")
        item = BatchWithInclusionBlock(self.l1.origin, batch)
        verdict = await self._check(item, parent)
        if verdict.validity is BatchValidity.DROP:
            log.warning(
                "dropping batch",
                reason=verdict.reason and verdict.reason.value,
                l1_block=self.l1.origin.number,
            )
            return
        self.batches.append(item)

    async def derive_next_batch(self, empty: bool, parent: L2BlockInfo) -> Batch:
        if not self.l1.l1_blocks or self.l1.origin is None:
            raise CriticalError("batch queue: no L1 origin")
        epoch = self.l1.l1_blocks[0]
        check_epoch_continuity(parent, epoch)
        remaining: list[BatchWithInclusionBlock] = []
        chosen: BatchWithInclusionBlock | None = None
        for i, item in enumerate(self.batches):
            verdict = await self._check(item, parent)
            if verdict.validity is BatchValidity.FUTURE:
                remaining.append(item)
            elif verdict.validity is BatchValidity.DROP:
                log.warning(
                    "dropping buffered batch",
                    reason=verdict.reason and verdict.reason.value,
                    parent=parent.number,
                )
            elif verdict.validity is BatchValidity.ACCEPT:
                chosen = item
                remaining.extend(self.batches[i + 1 :])
                break
            elif verdict.validity is BatchValidity.UNDECIDED:
                remaining.extend(self.batches[i:])
                self.batches = remaining
                raise EndOfData()
            else:
                raise CriticalError("batch queue: a batch cannot be 'past' before Holocene")
        self.batches = remaining
        if chosen is not None:
            return chosen.batch
        expiry_epoch = epoch.number + self.rollup_config.seq_window_size
        origin = self.l1.origin
        force = (expiry_epoch == origin.number and empty) or expiry_epoch < origin.number
        return empty_batch(self.rollup_config, self.l1, parent, force=force)

    async def next_batch(self, parent: L2BlockInfo) -> SingleBatch:
        cfg = self.rollup_config
        if self.next_spans:
            if self.next_spans[0].timestamp == parent.timestamp + cfg.block_time:
                return replace(self.next_spans.popleft(), parent_hash=parent.hash)
            log.warning(
                "dropping cached span batch blocks that do not follow the parent", count=len(self.next_spans)
            )
            self.next_spans.clear()
        behind = self.l1.update(self.origin(), parent)
        out_of_data = False
        try:
            batch = await self.prev.next_batch(parent, self.l1.l1_blocks)
        except EndOfData:
            out_of_data = True
        else:
            if behind:
                log.warning("dropping batch: L1 origin behind the safe head's")
            else:
                await self.add_batch(batch, parent)
        if behind:
            if out_of_data:
                raise EndOfData()
            raise NotEnoughData()
        try:
            next_batch = await self.derive_next_batch(out_of_data, parent)
        except EndOfData:
            if out_of_data:
                raise
            raise NotEnoughData() from None
        if isinstance(next_batch, SingleBatch):
            return next_batch
        try:
            singles = next_batch.get_singular_batches(self.l1.l1_blocks, parent)
        except ProtocolError as exc:
            raise CriticalError(f"batch queue: accepted span batch cannot be unrolled: {exc}") from exc
        self.next_spans = deque(singles)
        if not self.next_spans:
            raise CriticalError("batch queue: accepted span batch holds no new block")
        return replace(self.next_spans.popleft(), parent_hash=parent.hash)

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        if signal.kind is Signal.RESET:
            if signal.l1_origin is None:
                raise CriticalError("batch queue: reset without an L1 origin")
            self.l1.reset(signal.l1_origin)
        self.batches.clear()
        self.next_spans.clear()
