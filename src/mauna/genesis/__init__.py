"""Chain configuration: rollup configs, hardforks, system config and the bundled Superchain registry.

Spec: protocol/rollup-node.md, protocol/derivation.md ("Protocol Parameters"),
protocol/superchain-upgrades.md, protocol/system-config.md.
"""

from mauna.genesis.blob_schedule import (
    BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
    BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
    L1BlobSchedule,
    calc_blob_base_fee,
    fake_exponential,
    l1_info_blob_base_fee,
    l1_info_blob_base_fee_update_fraction,
)
from mauna.genesis.hardforks import Hardfork
from mauna.genesis.registry import (
    ChainInfo,
    Registry,
    UnknownChainError,
    default_registry,
    list_chains,
    load_chain,
    load_registry_dir,
    load_rollup_config,
)
from mauna.genesis.rollup_config import (
    FJORD_MAX_SEQUENCER_DRIFT,
    GRANITE_CHANNEL_TIMEOUT,
    MAX_FRAME_LEN,
    MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
    MAX_SPAN_BATCH_ELEMENT_COUNT,
    AltDAConfig,
    BaseFeeParams,
    ChainGenesis,
    ChainOpConfig,
    RollupConfig,
)
from mauna.genesis.system_config import SystemConfig

__all__ = [
    "BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN",
    "BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE",
    "FJORD_MAX_SEQUENCER_DRIFT",
    "GRANITE_CHANNEL_TIMEOUT",
    "MAX_FRAME_LEN",
    "MAX_RLP_BYTES_PER_CHANNEL_BEDROCK",
    "MAX_RLP_BYTES_PER_CHANNEL_FJORD",
    "MAX_SPAN_BATCH_ELEMENT_COUNT",
    "AltDAConfig",
    "BaseFeeParams",
    "ChainGenesis",
    "ChainInfo",
    "ChainOpConfig",
    "Hardfork",
    "L1BlobSchedule",
    "Registry",
    "RollupConfig",
    "SystemConfig",
    "UnknownChainError",
    "calc_blob_base_fee",
    "default_registry",
    "fake_exponential",
    "l1_info_blob_base_fee",
    "l1_info_blob_base_fee_update_fraction",
    "list_chains",
    "load_chain",
    "load_registry_dir",
    "load_rollup_config",
]
