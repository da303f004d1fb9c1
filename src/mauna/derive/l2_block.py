"""What derivation reads back from an L2 block: its L1 origin and the system config after it.

Spec: protocol/deposits.md "L1 Attributes Deposited Transaction" (the first transaction of every L2
block carries its L1 origin, sequence number, batcher hash and fee scalars),
protocol/holocene/exec-engine.md and protocol/jovian/exec-engine.md (the header ``extraData``
carries the EIP-1559 parameters, from Jovian also ``minBaseFee``). Online and fault-proof L2
chain providers use these to implement ``l2_block_info_by_number`` and ``system_config_by_number``.
"""

from __future__ import annotations

from dataclasses import replace

from mauna.derive.errors import CriticalError
from mauna.derive.providers import L2Block
from mauna.errors import ProtocolError
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.protocol.l1_info import L1BlockInfoBedrock, decode_l1_info_tx
from mauna.protocol.system_config_logs import encode_ecotone_scalar


def l2_block_info_from_block(block: L2Block, rollup_config: RollupConfig) -> L2BlockInfo:
    """The block's ref: the genesis block has the genesis L1 origin, others read their L1-info tx."""
    header = block.header
    info = BlockInfo(header.hash(), header.number, header.parent_hash, header.timestamp)
    genesis = rollup_config.genesis
    if header.number == genesis.l2.number:
        if header.hash() != genesis.l2.hash:
            raise CriticalError(
                f"L2 genesis block hash {header.hash().hex()} does not match the rollup config"
            )
        return L2BlockInfo(info, genesis.l1, 0)
    if not block.transactions:
        raise CriticalError(f"L2 block #{header.number} has no L1-info transaction")
    try:
        _, l1_info = decode_l1_info_tx(block.transactions[0])
    except ProtocolError as exc:
        raise CriticalError(f"L2 block #{header.number}: {exc}") from exc
    return L2BlockInfo(info, BlockID(l1_info.hash, l1_info.number), l1_info.sequence_number)


def system_config_from_block(block: L2Block, rollup_config: RollupConfig) -> SystemConfig:
    """The system config in effect after this block (op-node ``PayloadToSystemConfig``)."""
    header = block.header
    genesis = rollup_config.genesis
    if header.number == genesis.l2.number:
        if genesis.system_config is None:
            raise CriticalError("rollup config has no genesis system config")
        return genesis.system_config
    if not block.transactions:
        raise CriticalError(f"L2 block #{header.number} has no L1-info transaction")
    try:
        _, info = decode_l1_info_tx(block.transactions[0])
    except ProtocolError as exc:
        raise CriticalError(f"L2 block #{header.number}: {exc}") from exc
    config = SystemConfig(batcher_address=info.batcher_address, gas_limit=header.gas_limit)
    if isinstance(info, L1BlockInfoBedrock):
        config = replace(config, overhead=info.l1_fee_overhead, scalar=info.l1_fee_scalar)
    else:
        config = replace(
            config,
            scalar=encode_ecotone_scalar(info.base_fee_scalar, info.blob_base_fee_scalar),
            base_fee_scalar=info.base_fee_scalar,
            blob_base_fee_scalar=info.blob_base_fee_scalar,
        )
        for name in ("operator_fee_scalar", "operator_fee_constant", "da_footprint_gas_scalar"):
            if hasattr(info, name):
                config = replace(config, **{name: getattr(info, name)})
    if rollup_config.is_holocene_active(header.timestamp):
        extra = header.extra_data
        jovian = rollup_config.is_jovian_active(header.timestamp)
        expected = (1, 17) if jovian else (0, 9)
        if len(extra) != expected[1] or extra[0] != expected[0]:
            raise CriticalError(
                f"L2 block #{header.number}: extraData 0x{extra.hex()} is not a version-{expected[0]} "
                f"{expected[1]}-byte EIP-1559 parameter encoding"
            )
        config = replace(
            config,
            eip1559_denominator=int.from_bytes(extra[1:5], "big"),
            eip1559_elasticity=int.from_bytes(extra[5:9], "big"),
        )
        if jovian:
            config = replace(config, min_base_fee=int.from_bytes(extra[9:17], "big"))
    return config
