"""Chooses the Batch Queue (before Holocene) or the Batch Validator (from Holocene).

Spec: protocol/holocene/derivation.md "Activation" (by the L1 origin timestamp). The L1 blocks the
stage tracks carry over on the switch.
"""

from __future__ import annotations

from mauna.derive.providers import L2ChainProvider
from mauna.derive.signals import StageSignal
from mauna.derive.stages.batch_queue import BatchQueue
from mauna.derive.stages.batch_stream import BatchStream
from mauna.derive.stages.batch_validator import BatchValidator
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.protocol.batch import SingleBatch


class BatchMux:
    """The batch stage for the current L1 origin."""

    def __init__(self, prev: BatchStream, rollup_config: RollupConfig, l2: L2ChainProvider) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.queue = BatchQueue(prev, rollup_config, l2)
        self.validator = BatchValidator(prev, rollup_config)
        self._holocene: bool | None = None

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    def active(self) -> BatchQueue | BatchValidator:
        origin = self.origin()
        holocene = origin is not None and self.rollup_config.is_holocene_active(origin.timestamp)
        if self._holocene is not None and holocene != self._holocene:
            # Carry the tracked L1 blocks over to the stage taking over.
            src, dst = (self.queue, self.validator) if holocene else (self.validator, self.queue)
            dst.l1.origin = src.l1.origin
            dst.l1.l1_blocks = list(src.l1.l1_blocks)
        self._holocene = holocene
        return self.validator if holocene else self.queue

    def is_last_in_span(self) -> bool:
        return self.active().is_last_in_span()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def next_batch(self, parent: L2BlockInfo) -> SingleBatch:
        return await self.active().next_batch(parent)

    async def signal(self, signal: StageSignal) -> None:
        await self.queue.signal(signal)  # forwards to the previous stages
        await self.validator.signal_local(signal)
