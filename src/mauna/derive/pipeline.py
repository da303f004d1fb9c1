"""The derivation pipeline: stages wired in spec order, stepped by the caller.

Spec: protocol/derivation.md "L2 Chain Derivation Pipeline" and "Resetting the Pipeline".

    L1Traversal → L1Retrieval → FrameQueue → ChannelMux (ChannelBank | ChannelAssembler)
    → ChannelReader → BatchStream → BatchMux (BatchQueue | BatchValidator) → AttributesQueue

The caller drives it: :meth:`DerivationPipeline.step` with the current L2 safe head either prepares
one payload attributes (then read with :meth:`next_attributes`), advances the L1 origin, or fails
with a temporary (step again), reset (call :meth:`signal` with ``Signal.RESET``; for a
:class:`~mauna.derive.errors.HoloceneActivationError` ``Signal.ACTIVATION``) or critical error.
:meth:`run_until_attributes` does that loop for one block.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import structlog

from mauna.derive.attributes import OpPayloadAttributesWithParent
from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.errors import (
    CriticalError,
    EndOfData,
    HoloceneActivationError,
    PipelineError,
    ProviderError,
    ResetError,
    TemporaryError,
)
from mauna.derive.providers import BlobProvider, ChainProvider, L2ChainProvider
from mauna.derive.signals import Signal, StageSignal, StepOutcome, StepResult
from mauna.derive.stages.attributes_queue import AttributesQueue
from mauna.derive.stages.batch_mux import BatchMux
from mauna.derive.stages.batch_stream import BatchStream
from mauna.derive.stages.channel_mux import ChannelMux
from mauna.derive.stages.channel_reader import ChannelReader
from mauna.derive.stages.data_source import EthereumDataSource
from mauna.derive.stages.frame_queue import FrameQueue
from mauna.derive.stages.l1_retrieval import DataAvailabilityProvider, L1Retrieval
from mauna.derive.stages.l1_traversal import L1Traversal
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo

if TYPE_CHECKING:
    from mauna.genesis.blob_schedule import L1BlobSchedule

log = structlog.get_logger(__name__)


class DerivationPipeline:
    """The stages plus a queue of prepared attributes."""

    def __init__(
        self,
        attributes: AttributesQueue,
        traversal: L1Traversal,
        rollup_config: RollupConfig,
        l1: ChainProvider,
        l2: L2ChainProvider,
    ) -> None:
        self.attributes = attributes
        self.traversal = traversal
        self.rollup_config = rollup_config
        self.l1 = l1
        self.l2 = l2
        self.prepared: deque[OpPayloadAttributesWithParent] = deque()

    @property
    def origin(self) -> BlockInfo | None:
        """The L1 block the pipeline is currently reading."""
        return self.attributes.origin()

    def peek(self) -> OpPayloadAttributesWithParent | None:
        return self.prepared[0] if self.prepared else None

    def next_attributes(self) -> OpPayloadAttributesWithParent | None:
        """The next prepared attributes, if any (one per successful step)."""
        return self.prepared.popleft() if self.prepared else None

    async def signal(
        self,
        kind: Signal,
        l2_safe_head: L2BlockInfo | None = None,
        l1_origin: BlockInfo | None = None,
    ) -> None:
        """Send a signal through the stages.

        ``RESET`` and ``ACTIVATION`` need the L2 safe head and the L1 block to (re)start reading
        from (for a reset normally :meth:`reset_origin`; for an activation the current origin);
        the system config is the one after the safe head.
        """
        if kind is Signal.FLUSH_CHANNEL:
            await self.attributes.signal(StageSignal(kind))
            return
        if l2_safe_head is None:
            raise CriticalError(f"pipeline: {kind.value} signal needs the L2 safe head")
        if l1_origin is None:
            l1_origin = self.origin if kind is Signal.ACTIVATION else await self.reset_origin(l2_safe_head)
        if l1_origin is None:
            raise CriticalError(f"pipeline: {kind.value} signal without an L1 origin")
        system_config = await self.l2.system_config_by_number(l2_safe_head.number, self.rollup_config)
        self.prepared.clear()
        await self.attributes.signal(StageSignal(kind, l2_safe_head, l1_origin, system_config))
        log.info(
            "pipeline signalled", kind=kind.value, l1_origin=l1_origin.number, safe_head=l2_safe_head.number
        )

    async def reset_origin(self, l2_safe_head: L2BlockInfo) -> BlockInfo:
        """The L1 block to restart from for this safe head: its L1 origin walked back by the channel
        timeout (so a channel holding the next batch is read whole), never before the genesis L1
        block (protocol/derivation.md "Finding the sync starting point", step 5)."""
        cfg = self.rollup_config
        timeout = cfg.channel_timeout_at(l2_safe_head.timestamp)
        number = max(l2_safe_head.l1_origin.number - timeout, cfg.genesis.l1.number)
        return await self.l1.block_info_by_number(number)

    async def step(self, cursor: L2BlockInfo) -> StepResult:
        """One unit of work on top of the L2 safe head ``cursor``."""
        try:
            prepared = await self.attributes.next_attributes(cursor)
        except EndOfData:
            try:
                await self.attributes.advance_origin()
            except PipelineError as exc:
                return StepResult(StepOutcome.ORIGIN_ADVANCE_ERROR, exc)
            return StepResult(StepOutcome.ADVANCED_ORIGIN)
        except PipelineError as exc:
            return StepResult(StepOutcome.STEP_FAILED, exc)
        self.prepared.append(prepared)
        return StepResult(StepOutcome.PREPARED_ATTRIBUTES)

    async def run_until_attributes(
        self, cursor: L2BlockInfo, *, max_steps: int = 100_000
    ) -> OpPayloadAttributesWithParent | None:
        """Step until attributes for the block after ``cursor`` are ready, handling resets and the
        Holocene activation; ``None`` when a provider cannot serve the data yet (e.g. the L1 tip is
        reached): call again later."""
        for _ in range(max_steps):
            result = await self.step(cursor)
            if result.outcome is StepOutcome.PREPARED_ATTRIBUTES:
                return self.next_attributes()
            error = result.error
            if error is None:
                continue
            if isinstance(error, HoloceneActivationError):
                await self.signal(Signal.ACTIVATION, cursor, self.origin)
            elif isinstance(error, ResetError):
                await self.signal(Signal.RESET, cursor)
            elif isinstance(error, ProviderError) or (
                result.outcome is StepOutcome.ORIGIN_ADVANCE_ERROR and isinstance(error, TemporaryError)
            ):
                return None
            elif not isinstance(error, TemporaryError):
                raise error
        raise CriticalError(f"pipeline made no attributes in {max_steps} steps")


class PipelineBuilder:
    """Wires the stages over the given providers."""

    def __init__(self, rollup_config: RollupConfig) -> None:
        self.rollup_config = rollup_config
        self._l1: ChainProvider | None = None
        self._l2: L2ChainProvider | None = None
        self._blobs: BlobProvider | None = None
        self._source: DataAvailabilityProvider | None = None
        self._blob_schedule: L1BlobSchedule | None = None

    def chain_provider(self, provider: ChainProvider) -> PipelineBuilder:
        self._l1 = provider
        return self

    def l2_chain_provider(self, provider: L2ChainProvider) -> PipelineBuilder:
        self._l2 = provider
        return self

    def blob_provider(self, provider: BlobProvider) -> PipelineBuilder:
        self._blobs = provider
        return self

    def data_source(self, source: DataAvailabilityProvider) -> PipelineBuilder:
        """Replace the default (calldata + blobs) data source, e.g. for Alt-DA."""
        self._source = source
        return self

    def l1_blob_schedule(self, schedule: L1BlobSchedule) -> PipelineBuilder:
        self._blob_schedule = schedule
        return self

    def build(self) -> DerivationPipeline:
        if self._l1 is None or self._l2 is None:
            raise CriticalError("pipeline builder: a chain provider and an L2 chain provider are required")
        cfg, l1, l2 = self.rollup_config, self._l1, self._l2
        source = self._source or EthereumDataSource(l1, self._blobs, cfg)
        traversal = L1Traversal(l1, cfg)
        retrieval = L1Retrieval(traversal, source)
        frames = FrameQueue(retrieval, cfg)
        channels = ChannelMux(frames, cfg)
        reader = ChannelReader(channels, cfg)
        stream = BatchStream(reader, cfg, l2)
        batches = BatchMux(stream, cfg, l2)
        builder = StatefulAttributesBuilder(cfg, l1, l2, l1_blob_schedule=self._blob_schedule)
        attributes = AttributesQueue(batches, cfg, builder)
        return DerivationPipeline(attributes, traversal, cfg, l1, l2)
