"""L1 Traversal: walks the L1 chain one block at a time.

Spec: protocol/derivation.md "L1 Traversal": read the header of the next L1 block, detect L1 reorgs
(the next block's parent hash must be the current origin's hash) and update the system config the
L1 Retrieval stage authenticates the batcher with, from the config-update logs of the new block's
receipts (protocol/system-config.md). protocol/holocene/derivation.md "Activation": crossing the
Holocene activation requires the stages to be swapped, reported as a reset.
"""

from __future__ import annotations

import structlog

from mauna.derive.errors import CriticalError, EndOfData, HoloceneActivationError, ReorgError
from mauna.derive.providers import ChainProvider
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.system_config_update import apply_system_config_logs
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import to_hex

log = structlog.get_logger(__name__)


class L1Traversal:
    """The first stage: owns the current L1 origin and the system config as of that block."""

    def __init__(self, provider: ChainProvider, rollup_config: RollupConfig) -> None:
        self.provider = provider
        self.rollup_config = rollup_config
        self.block: BlockInfo | None = None
        self.done = False
        self.system_config = SystemConfig()

    def origin(self) -> BlockInfo | None:
        return self.block

    @property
    def batcher_address(self) -> bytes:
        return self.system_config.batcher_address

    async def next_l1_block(self) -> BlockInfo:
        """The current origin, once; then :class:`EndOfData` until the origin advances."""
        if self.block is None:
            raise CriticalError("L1 traversal: no origin (the pipeline was not reset)")
        if self.done:
            raise EndOfData()
        self.done = True
        return self.block

    async def advance_origin(self) -> None:
        """Move to the next canonical L1 block; reset on a reorg, update the system config."""
        block = self.block
        if block is None:
            raise CriticalError("L1 traversal: cannot advance without a current origin")
        next_block = await self.provider.block_info_by_number(block.number + 1)
        if next_block.parent_hash != block.hash:
            raise ReorgError(
                f"L1 reorg detected: block #{next_block.number} has parent {to_hex(next_block.parent_hash)}, "
                f"current origin #{block.number} is {to_hex(block.hash)}"
            )
        receipts = await self.provider.receipts_by_hash(next_block.hash)
        updated = apply_system_config_logs(self.system_config, receipts, self.rollup_config, next_block)
        if updated != self.system_config:
            log.info("system config updated", l1_block=next_block.number)
        self.system_config = updated
        was_holocene = self.rollup_config.is_holocene_active(block.timestamp)
        self.block = next_block
        self.done = False
        log.debug("advanced L1 origin", number=next_block.number, hash=to_hex(next_block.hash))
        if not was_holocene and self.rollup_config.is_holocene_active(next_block.timestamp):
            raise HoloceneActivationError()

    async def signal(self, signal: StageSignal) -> None:
        if signal.kind in (Signal.RESET, Signal.ACTIVATION):
            if signal.l1_origin is None or signal.system_config is None:
                raise CriticalError(f"L1 traversal: {signal.kind.value} signal without origin or config")
            self.block = signal.l1_origin
            self.done = False
            self.system_config = signal.system_config
