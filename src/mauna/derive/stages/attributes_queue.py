"""Attributes Queue: turns each accepted batch into payload attributes.

Spec: protocol/derivation.md "Payload Attributes Derivation" and "Deriving the Transaction List":
the builder's deposits (L1 info, user deposits, upgrade transactions) come first, then the batch's
transactions; ``noTxPool`` is true. A batch that does not build on the parent (hash or timestamp)
means the pipeline is out of sync: reset.
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from mauna.derive.attributes import OpPayloadAttributesWithParent
from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.errors import ResetError
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.batch_mux import BatchMux
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.primitives.bytes import to_hex
from mauna.protocol.batch import SingleBatch

log = structlog.get_logger(__name__)


class AttributesQueue:
    """The last stage: holds at most one batch until its attributes are built."""

    def __init__(
        self, prev: BatchMux, rollup_config: RollupConfig, builder: StatefulAttributesBuilder
    ) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.builder = builder
        self.batch: SingleBatch | None = None
        self.is_last_in_span = False

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    async def next_attributes(self, parent: L2BlockInfo) -> OpPayloadAttributesWithParent:
        if self.batch is None:
            self.batch = await self.prev.next_batch(parent)
            self.is_last_in_span = self.prev.is_last_in_span()
        batch = self.batch
        if batch.parent_hash != parent.hash:
            raise ResetError(
                f"batch parent {to_hex(batch.parent_hash)} is not the safe head {to_hex(parent.hash)}"
            )
        expected = parent.timestamp + self.rollup_config.block_time
        if batch.timestamp != expected:
            raise ResetError(f"batch timestamp {batch.timestamp} is not the next L2 time {expected}")
        attributes = await self.builder.prepare_payload_attributes(parent, batch.epoch())
        attributes = replace(
            attributes, transactions=(*attributes.transactions, *batch.transactions), no_tx_pool=True
        )
        out = OpPayloadAttributesWithParent(attributes, parent, self.origin(), self.is_last_in_span)
        log.info(
            "derived payload attributes",
            timestamp=batch.timestamp,
            txs=len(batch.transactions),
            epoch=batch.epoch_num,
        )
        self.batch = None
        self.is_last_in_span = False
        return out

    async def signal(self, signal: StageSignal) -> None:
        await self.prev.signal(signal)
        if signal.kind in (Signal.RESET, Signal.ACTIVATION, Signal.FLUSH_CHANNEL):
            self.batch = None
            self.is_last_in_span = False
