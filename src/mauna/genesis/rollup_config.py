"""The rollup configuration: everything a rollup node needs to derive and execute an OP Stack chain.

Spec: protocol/rollup-node.md and protocol/derivation.md ("Protocol Parameters"), the per-upgrade
derivation pages (protocol/fjord/derivation.md for the constant ``max_sequencer_drift``, channel
bank size and RLP-bytes limit; protocol/granite/derivation.md for ``CHANNEL_TIMEOUT`` 50),
protocol/pectra-blob-schedule/overview.md, and protocol/superchain-upgrades.md for activation.

Fields mirror op-node's ``rollup.json`` (``op-node/rollup/types.go``) plus kona's additions
(``granite_channel_timeout``, ``superchain_config_address``, ``interop_message_expiry_window``,
``blobs_enabled_l1_timestamp``). JSON reading and writing lives in :mod:`mauna.genesis.rollup_json`.

Activation semantics: an upgrade is active at ``timestamp`` when its time is set and
``timestamp >= time``, *or* when a later upgrade is active (kona's rule; op-node gets the same result
by rejecting configs whose fork times are out of order). The Pectra blob schedule is not part of that
order. ``is_first_<fork>_block(ts)`` is op-node's ``Is<Fork>ActivationBlock``: active at ``ts``, not
active at ``ts - block_time``, and ``ts >= block_time`` (activation at genesis does not count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mauna.errors import ConfigError
from mauna.genesis.hardforks import HARDFORK_TIME_FIELDS, Hardfork
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import ADDRESS_ZERO

if TYPE_CHECKING:
    from mauna.genesis.blob_schedule import L1BlobSchedule

# --- protocol constants that depend on the rollup config (protocol/derivation.md) ------------------
MAX_FRAME_LEN = 1_000_000
"""Maximum ``frame_data_length`` of a frame (protocol/derivation.md, "Frame Format")."""
MAX_RLP_BYTES_PER_CHANNEL_BEDROCK = 10_000_000
MAX_RLP_BYTES_PER_CHANNEL_FJORD = 100_000_000
MAX_CHANNEL_BANK_SIZE_BEDROCK = 100_000_000
MAX_CHANNEL_BANK_SIZE_FJORD = 1_000_000_000
MAX_SPAN_BATCH_ELEMENT_COUNT = 10_000_000
FJORD_MAX_SEQUENCER_DRIFT = 1800
CHANNEL_TIMEOUT_BEDROCK = 300
GRANITE_CHANNEL_TIMEOUT = 50
DEFAULT_INTEROP_MESSAGE_EXPIRY_WINDOW = 3600

_IMPLYING_TIME_FIELDS: dict[Hardfork, tuple[str, ...]] = {
    fork: HARDFORK_TIME_FIELDS[max(fork - 1, 0) :] for fork in Hardfork if fork is not Hardfork.BEDROCK
}
"""For each timed upgrade: its own time field and those of every later upgrade (which imply it)."""


@dataclass(frozen=True, slots=True)
class ChainGenesis:
    """The anchor of the rollup: L1 block it starts after, L2 genesis block, its time and config."""

    l1: BlockID
    l2: BlockID
    l2_time: int
    system_config: SystemConfig | None = None


@dataclass(frozen=True, slots=True)
class BaseFeeParams:
    """EIP-1559 parameters: base fee changes by at most 1/``max_change_denominator`` per block."""

    max_change_denominator: int
    elasticity_multiplier: int


@dataclass(frozen=True, slots=True)
class ChainOpConfig:
    """op-geth's ``OptimismConfig``: the chain's EIP-1559 parameters before/after Canyon."""

    eip1559_elasticity: int = 6
    eip1559_denominator: int = 50
    eip1559_denominator_canyon: int = 250

    def pre_canyon(self) -> BaseFeeParams:
        return BaseFeeParams(self.eip1559_denominator, self.eip1559_elasticity)

    def post_canyon(self) -> BaseFeeParams:
        return BaseFeeParams(self.eip1559_denominator_canyon, self.eip1559_elasticity)


OP_MAINNET_CHAIN_OP_CONFIG = ChainOpConfig(6, 50, 250)


@dataclass(frozen=True, slots=True)
class AltDAConfig:
    """Alt-DA (formerly Plasma) mode settings (op-node ``AltDAConfig``)."""

    da_challenge_address: bytes | None = None
    da_challenge_window: int | None = None
    da_resolve_window: int | None = None
    da_commitment_type: str | None = None


@dataclass(frozen=True, slots=True)
class RollupConfig:
    """The rollup configuration of one OP Stack chain (op-node's ``rollup.Config``)."""

    genesis: ChainGenesis
    block_time: int
    max_sequencer_drift: int
    seq_window_size: int
    channel_timeout: int
    l1_chain_id: int
    l2_chain_id: int
    granite_channel_timeout: int = GRANITE_CHANNEL_TIMEOUT
    regolith_time: int | None = None
    canyon_time: int | None = None
    delta_time: int | None = None
    ecotone_time: int | None = None
    fjord_time: int | None = None
    granite_time: int | None = None
    holocene_time: int | None = None
    isthmus_time: int | None = None
    jovian_time: int | None = None
    interop_time: int | None = None
    pectra_blob_schedule_time: int | None = None
    batch_inbox_address: bytes = ADDRESS_ZERO
    deposit_contract_address: bytes = ADDRESS_ZERO
    l1_system_config_address: bytes = ADDRESS_ZERO
    protocol_versions_address: bytes = ADDRESS_ZERO
    superchain_config_address: bytes | None = None
    da_challenge_address: bytes | None = None
    alt_da: AltDAConfig | None = None
    chain_op_config: ChainOpConfig = field(default_factory=ChainOpConfig)
    interop_message_expiry_window: int = DEFAULT_INTEROP_MESSAGE_EXPIRY_WINDOW
    blobs_enabled_l1_timestamp: int | None = None

    # --- activation -----------------------------------------------------------------------------
    def fork_time(self, fork: Hardfork) -> int | None:
        """The configured activation time of ``fork`` (Bedrock: 0, the genesis)."""
        name = fork.time_field
        if name is None:
            return 0
        value: int | None = getattr(self, name)
        return value

    def is_active(self, fork: Hardfork, timestamp: int) -> bool:
        """Whether ``fork`` (or any later upgrade) is active at L2 ``timestamp``."""
        if fork is Hardfork.BEDROCK:
            return True
        for name in _IMPLYING_TIME_FIELDS[fork]:
            time = getattr(self, name)
            if time is not None and timestamp >= time:
                return True
        return False

    def is_first_block(self, fork: Hardfork, timestamp: int) -> bool:
        """Whether the block at ``timestamp`` is the first with ``fork`` active (not at genesis)."""
        return (
            self.is_active(fork, timestamp)
            and timestamp >= self.block_time
            and not self.is_active(fork, timestamp - self.block_time)
        )

    def active_fork(self, timestamp: int) -> Hardfork:
        """The latest upgrade active at ``timestamp`` (Bedrock if none)."""
        for fork in reversed(Hardfork):
            if self.is_active(fork, timestamp):
                return fork
        return Hardfork.BEDROCK

    def is_regolith_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.REGOLITH, timestamp)

    def is_canyon_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.CANYON, timestamp)

    def is_delta_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.DELTA, timestamp)

    def is_ecotone_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.ECOTONE, timestamp)

    def is_fjord_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.FJORD, timestamp)

    def is_granite_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.GRANITE, timestamp)

    def is_holocene_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.HOLOCENE, timestamp)

    def is_isthmus_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.ISTHMUS, timestamp)

    def is_jovian_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.JOVIAN, timestamp)

    def is_interop_active(self, timestamp: int) -> bool:
        return self.is_active(Hardfork.INTEROP, timestamp)

    def is_pectra_blob_schedule_active(self, timestamp: int) -> bool:
        """Whether the Pectra blob schedule fork is active (independent of the linear order)."""
        return self.pectra_blob_schedule_time is not None and timestamp >= self.pectra_blob_schedule_time

    def is_first_regolith_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.REGOLITH, timestamp)

    def is_first_canyon_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.CANYON, timestamp)

    def is_first_delta_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.DELTA, timestamp)

    def is_first_ecotone_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.ECOTONE, timestamp)

    def is_first_fjord_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.FJORD, timestamp)

    def is_first_granite_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.GRANITE, timestamp)

    def is_first_holocene_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.HOLOCENE, timestamp)

    def is_first_isthmus_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.ISTHMUS, timestamp)

    def is_first_jovian_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.JOVIAN, timestamp)

    def is_first_interop_block(self, timestamp: int) -> bool:
        return self.is_first_block(Hardfork.INTEROP, timestamp)

    def is_first_pectra_blob_schedule_block(self, timestamp: int) -> bool:
        return (
            self.is_pectra_blob_schedule_active(timestamp)
            and timestamp >= self.block_time
            and not self.is_pectra_blob_schedule_active(timestamp - self.block_time)
        )

    def is_alt_da_enabled(self) -> bool:
        """Alt-DA mode: a non-zero DA challenge contract is configured."""
        address = self.da_challenge_address
        if address is None and self.alt_da is not None:
            address = self.alt_da.da_challenge_address
        return address is not None and address != ADDRESS_ZERO

    # --- fork-dependent protocol parameters ------------------------------------------------------
    def channel_timeout_at(self, timestamp: int) -> int:
        """``CHANNEL_TIMEOUT`` in L1 blocks: ``granite_channel_timeout`` once Granite is active.

        op-node and kona evaluate this at the L1 block (inclusion/origin) timestamp.
        """
        return self.granite_channel_timeout if self.is_granite_active(timestamp) else self.channel_timeout

    def max_rlp_bytes_per_channel(self, timestamp: int) -> int:
        """``MAX_RLP_BYTES_PER_CHANNEL``: 100,000,000 with Fjord, 10,000,000 before."""
        if self.is_fjord_active(timestamp):
            return MAX_RLP_BYTES_PER_CHANNEL_FJORD
        return MAX_RLP_BYTES_PER_CHANNEL_BEDROCK

    def max_channel_bank_size(self, timestamp: int) -> int:
        """``MAX_CHANNEL_BANK_SIZE``: 1,000,000,000 with Fjord, 100,000,000 before."""
        if self.is_fjord_active(timestamp):
            return MAX_CHANNEL_BANK_SIZE_FJORD
        return MAX_CHANNEL_BANK_SIZE_BEDROCK

    def max_sequencer_drift_at(self, timestamp: int) -> int:
        """``max_sequencer_drift``: the constant 1800 once Fjord is active (by L1 origin time)."""
        return FJORD_MAX_SEQUENCER_DRIFT if self.is_fjord_active(timestamp) else self.max_sequencer_drift

    def base_fee_params(self, timestamp: int) -> BaseFeeParams:
        """The chain's EIP-1559 parameters at L2 ``timestamp`` (Canyon denominator once active).

        From Holocene on, non-zero parameters from the SystemConfig take precedence; this gives the
        chain defaults those zero values fall back to.
        """
        if self.is_canyon_active(timestamp):
            return self.chain_op_config.post_canyon()
        return self.chain_op_config.pre_canyon()

    def l1_info_blob_base_fee_update_fraction(
        self, l1_timestamp: int, schedule: L1BlobSchedule | None = None
    ) -> int:
        """See :func:`mauna.genesis.blob_schedule.l1_info_blob_base_fee_update_fraction`."""
        from mauna.genesis.blob_schedule import l1_info_blob_base_fee_update_fraction

        return l1_info_blob_base_fee_update_fraction(self, l1_timestamp, schedule)

    # --- block numbers and timestamps ------------------------------------------------------------
    def timestamp_for_block(self, block_number: int) -> int:
        """L2 timestamp of L2 block ``block_number`` (op-node ``TimestampForBlock``)."""
        return self.genesis.l2_time + (block_number - self.genesis.l2.number) * self.block_time

    def block_number_for_timestamp(self, timestamp: int) -> int:
        """L2 block number at ``timestamp`` (rounded down; never before genesis)."""
        if timestamp <= self.genesis.l2_time or self.block_time <= 0:
            return self.genesis.l2.number
        return self.genesis.l2.number + (timestamp - self.genesis.l2_time) // self.block_time

    # --- views / conversions ---------------------------------------------------------------------
    def hardfork_times(self) -> dict[str, int | None]:
        """``{"regolith_time": …, …, "interop_time": …, "pectra_blob_schedule_time": …}``."""
        out: dict[str, int | None] = {name: getattr(self, name) for name in HARDFORK_TIME_FIELDS}
        out["pectra_blob_schedule_time"] = self.pectra_blob_schedule_time
        return out

    def with_hardfork_times(self, **times: int | None) -> RollupConfig:
        """A copy with some activation times replaced (``canyon_time=…``)."""
        allowed = (*HARDFORK_TIME_FIELDS, "pectra_blob_schedule_time")
        unknown = sorted(set(times) - set(allowed))
        if unknown:
            raise ConfigError(f"not hardfork time fields: {', '.join(unknown)}")
        return replace(self, **times)  # type: ignore[arg-type]

    @classmethod
    def from_op_node_json(cls, data: Mapping[str, Any]) -> RollupConfig:
        """Parse op-node's ``rollup.json`` (see :mod:`mauna.genesis.rollup_json`)."""
        from mauna.genesis.rollup_json import rollup_config_from_json

        return rollup_config_from_json(data, flavour="op-node")

    @classmethod
    def from_kona_json(cls, data: Mapping[str, Any]) -> RollupConfig:
        """Parse kona's serde ``RollupConfig`` JSON, current and older variants."""
        from mauna.genesis.rollup_json import rollup_config_from_json

        return rollup_config_from_json(data, flavour="kona")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RollupConfig:
        """Parse either flavour, detecting which one ``data`` is."""
        from mauna.genesis.rollup_json import detect_flavour, rollup_config_from_json

        return rollup_config_from_json(data, flavour=detect_flavour(data))

    def to_op_node_json(self, *, include_extensions: bool = False) -> dict[str, Any]:
        """op-node's ``rollup.json`` object (see :func:`mauna.genesis.rollup_json.rollup_config_to_json`)."""
        from mauna.genesis.rollup_json import rollup_config_to_json

        return rollup_config_to_json(self, include_extensions=include_extensions)
