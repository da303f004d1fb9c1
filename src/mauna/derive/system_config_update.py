"""Applying an L1 block's SystemConfig ``ConfigUpdate`` logs during derivation.

Spec: protocol/system-config.md "System config updates": the logs of successful receipts emitted by
the L1 SystemConfig contract update the system config, in order. A log that cannot be parsed is
skipped (and reported here), as op-node does.
"""

from __future__ import annotations

import structlog

from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo
from mauna.primitives.receipt import Receipt
from mauna.protocol.system_config_logs import update_system_config_from_receipts_with_errors

log = structlog.get_logger(__name__)


def apply_system_config_logs(
    system_config: SystemConfig,
    receipts: list[Receipt],
    rollup_config: RollupConfig,
    l1_block: BlockInfo,
) -> SystemConfig:
    """The system config after the ConfigUpdate logs of ``l1_block``'s ``receipts``."""
    config, errors = update_system_config_from_receipts_with_errors(
        system_config,
        receipts,
        rollup_config.l1_system_config_address,
        ecotone_active=rollup_config.is_ecotone_active(l1_block.timestamp),
    )
    for error in errors:
        log.warning("skipping malformed system config update", l1_block=l1_block.number, error=str(error))
    return config
