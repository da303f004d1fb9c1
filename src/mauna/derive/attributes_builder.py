"""Stateful Attributes Builder: payload attributes for the L2 block after a parent, in an epoch.

Spec: protocol/derivation.md "Deriving Payload Attributes" ("Deriving the Transaction List",
"Network upgrade automation transactions", "Building Individual Payload Attributes"),
protocol/deposits.md (L1-info and user deposits), protocol/ecotone/derivation.md (parent beacon
block root), protocol/canyon (empty withdrawals), protocol/holocene/derivation.md "Attributes
Builder" (``eip1559Params``: zero on the activation block, then the SystemConfig's), and
protocol/jovian/exec-engine.md (``minBaseFee``).

The system config starts as the one after the parent block (from the L2 provider); on the first
block of an epoch the epoch's L1 receipts update it and provide the user deposits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mauna.derive.attributes import SEQUENCER_FEE_VAULT, OpPayloadAttributes
from mauna.derive.errors import CriticalError, ResetError
from mauna.derive.providers import ChainProvider, L2ChainProvider
from mauna.derive.system_config_update import apply_system_config_logs
from mauna.errors import ProtocolError
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, to_hex
from mauna.protocol.deposits import deposits_from_receipts
from mauna.protocol.l1_info import l1_info_deposit_from_header
from mauna.protocol.upgrades import upgrade_transactions

if TYPE_CHECKING:
    from mauna.genesis.blob_schedule import L1BlobSchedule


def eip1559_params(
    rollup_config: RollupConfig, system_config: SystemConfig, parent_time: int, next_time: int
) -> bytes | None:
    """``eip1559Params``: absent before Holocene, zero on its activation block, then
    ``denominator ‖ elasticity`` (two big-endian uint32) from the system config."""
    if not rollup_config.is_holocene_active(next_time):
        return None
    if not rollup_config.is_holocene_active(parent_time):
        return b"\x00" * 8
    denominator = system_config.eip1559_denominator or 0
    elasticity = system_config.eip1559_elasticity or 0
    return denominator.to_bytes(4, "big") + elasticity.to_bytes(4, "big")


class StatefulAttributesBuilder:
    """Builds :class:`OpPayloadAttributes` from L1 (header, receipts) and L2 (system config) data."""

    def __init__(
        self,
        rollup_config: RollupConfig,
        l1: ChainProvider,
        l2: L2ChainProvider,
        *,
        l1_blob_schedule: L1BlobSchedule | None = None,
    ) -> None:
        self.rollup_config = rollup_config
        self.l1 = l1
        self.l2 = l2
        self.l1_blob_schedule = l1_blob_schedule

    async def prepare_payload_attributes(self, parent: L2BlockInfo, epoch: BlockID) -> OpPayloadAttributes:
        cfg = self.rollup_config
        system_config = await self.l2.system_config_by_number(parent.number, cfg)
        deposits: list[bytes] = []
        header = await self.l1.header_by_hash(epoch.hash)
        if parent.l1_origin.number != epoch.number:
            if header.parent_hash != parent.l1_origin.hash:
                raise ResetError(
                    f"epoch #{epoch.number} {to_hex(epoch.hash)} does not build on the parent's L1 origin "
                    f"#{parent.l1_origin.number} {to_hex(parent.l1_origin.hash)}"
                )
            receipts = await self.l1.receipts_by_hash(epoch.hash)
            try:
                deposits = [
                    tx.encode()
                    for tx in deposits_from_receipts(receipts, cfg.deposit_contract_address, epoch.hash)
                ]
            except ProtocolError as exc:
                raise CriticalError(f"user deposits of L1 block #{epoch.number}: {exc}") from exc
            system_config = apply_system_config_logs(system_config, receipts, cfg, header.block_info())
            seq_number = 0
        else:
            if parent.l1_origin.hash != epoch.hash:
                raise ResetError(
                    f"epoch #{epoch.number} {to_hex(epoch.hash)} differs from the parent's L1 origin "
                    f"{to_hex(parent.l1_origin.hash)}"
                )
            seq_number = parent.seq_num + 1
        next_time = parent.timestamp + cfg.block_time
        if next_time < header.timestamp:
            raise ResetError(
                f"L2 time {next_time} would be before its L1 origin #{header.number} time {header.timestamp}"
            )
        try:
            _, l1_info_tx = l1_info_deposit_from_header(
                cfg, system_config, seq_number, header, next_time, l1_blob_schedule=self.l1_blob_schedule
            )
        except ProtocolError as exc:
            raise CriticalError(f"L1-info deposit for L2 time {next_time}: {exc}") from exc
        transactions = (l1_info_tx.encode(), *deposits, *upgrade_transactions(cfg, next_time))
        parent_beacon_root = None
        if cfg.is_ecotone_active(next_time):
            parent_beacon_root = header.parent_beacon_block_root or HASH_ZERO
        return OpPayloadAttributes(
            timestamp=next_time,
            prev_randao=header.mix_hash,
            suggested_fee_recipient=SEQUENCER_FEE_VAULT,
            withdrawals=() if cfg.is_canyon_active(next_time) else None,
            parent_beacon_block_root=parent_beacon_root,
            transactions=transactions,
            no_tx_pool=True,
            gas_limit=system_config.gas_limit,
            eip1559_params=eip1559_params(cfg, system_config, parent.timestamp, next_time),
            min_base_fee=(system_config.min_base_fee or 0) if cfg.is_jovian_active(next_time) else None,
        )
