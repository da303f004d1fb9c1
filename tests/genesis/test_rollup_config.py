"""RollupConfig: fork predicates, first-block checks and fork-dependent protocol parameters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import ConfigError
from mauna.genesis import BaseFeeParams, ChainGenesis, Hardfork, RollupConfig
from mauna.genesis.rollup_config import ChainOpConfig
from mauna.primitives import BlockID

GENESIS = ChainGenesis(BlockID(b"\x01" * 32, 100), BlockID(b"\x02" * 32, 0), 1000)
FORKS = [
    "regolith_time",
    "canyon_time",
    "delta_time",
    "ecotone_time",
    "fjord_time",
    "granite_time",
    "holocene_time",
    "isthmus_time",
    "jovian_time",
    "interop_time",
]


def config(block_time: int = 2, **times: int | None) -> RollupConfig:
    base = RollupConfig(
        genesis=GENESIS,
        block_time=block_time,
        max_sequencer_drift=600,
        seq_window_size=3600,
        channel_timeout=300,
        l1_chain_id=1,
        l2_chain_id=10,
    )
    return base.with_hardfork_times(**times)


STAGGERED = config(
    regolith_time=10,
    canyon_time=20,
    delta_time=30,
    ecotone_time=40,
    fjord_time=50,
    granite_time=60,
    holocene_time=70,
    pectra_blob_schedule_time=80,
    isthmus_time=90,
    jovian_time=100,
    interop_time=110,
)


def test_hardfork_order_and_fields() -> None:
    assert list(Hardfork) == sorted(Hardfork)
    assert [f.name for f in Hardfork][:3] == ["BEDROCK", "REGOLITH", "CANYON"]
    assert Hardfork.JOVIAN < Hardfork.INTEROP
    assert Hardfork.BEDROCK.time_field is None
    assert [f.time_field for f in Hardfork.timed()] == FORKS
    assert Hardfork.from_name("Holocene") is Hardfork.HOLOCENE
    with pytest.raises(ConfigError, match="unknown hardfork 'karst'"):
        Hardfork.from_name("karst")


def test_nothing_active_without_times() -> None:
    cfg = config()
    for fork in Hardfork.timed():
        assert not cfg.is_active(fork, 10**12)
    assert cfg.active_fork(10**12) is Hardfork.BEDROCK
    assert cfg.is_active(Hardfork.BEDROCK, 0)


@pytest.mark.parametrize("index", range(len(FORKS)))
def test_fork_boundary_and_cascade(index: int) -> None:
    name = FORKS[index]
    cfg = config(**{name: 1000})
    fork = Hardfork.timed()[index]
    predicate = getattr(cfg, f"is_{fork.name.lower()}_active")
    assert not predicate(999)
    assert predicate(1000)
    assert predicate(1001)
    # every earlier fork is implied; later ones are not
    for earlier in Hardfork.timed()[:index]:
        assert cfg.is_active(earlier, 1000)
        assert not cfg.is_active(earlier, 999)
    for later in Hardfork.timed()[index + 1 :]:
        assert not cfg.is_active(later, 10**12)
    assert not cfg.is_pectra_blob_schedule_active(10**12)
    assert cfg.active_fork(1000) is fork
    assert cfg.active_fork(999) is Hardfork.BEDROCK


def test_staggered_active_fork() -> None:
    expected = {
        0: Hardfork.BEDROCK,
        9: Hardfork.BEDROCK,
        10: Hardfork.REGOLITH,
        29: Hardfork.CANYON,
        45: Hardfork.ECOTONE,
        69: Hardfork.GRANITE,
        80: Hardfork.HOLOCENE,  # the pectra blob schedule is not a linear fork
        95: Hardfork.ISTHMUS,
        100: Hardfork.JOVIAN,
        10**9: Hardfork.INTEROP,
    }
    for ts, fork in expected.items():
        assert STAGGERED.active_fork(ts) is fork, ts


def test_pectra_blob_schedule_is_independent() -> None:
    cfg = config(pectra_blob_schedule_time=10)
    assert cfg.is_pectra_blob_schedule_active(10)
    assert not cfg.is_pectra_blob_schedule_active(9)
    assert not cfg.is_holocene_active(10)
    assert not cfg.is_regolith_active(10)
    assert not STAGGERED.is_pectra_blob_schedule_active(79)
    assert STAGGERED.is_pectra_blob_schedule_active(80)


@pytest.mark.parametrize(
    ("fork", "time"),
    [
        ("regolith", 10),
        ("canyon", 20),
        ("delta", 30),
        ("ecotone", 40),
        ("fjord", 50),
        ("granite", 60),
        ("holocene", 70),
        ("pectra_blob_schedule", 80),
        ("isthmus", 90),
        ("jovian", 100),
        ("interop", 110),
    ],
)
def test_is_first_block(fork: str, time: int) -> None:
    first = getattr(STAGGERED, f"is_first_{fork}_block")
    assert not first(time - 2)
    assert first(time)
    assert not first(time + 2)


def test_is_first_block_with_unaligned_activation() -> None:
    # activation at 11 with 2-second blocks: the block at 12 is the first one with the fork active
    cfg = config(ecotone_time=11)
    assert not cfg.is_first_ecotone_block(10)
    assert cfg.is_first_ecotone_block(12)
    assert not cfg.is_first_ecotone_block(14)


def test_activation_at_genesis_is_not_a_first_block() -> None:
    cfg = config(ecotone_time=0)
    assert cfg.is_ecotone_active(0)
    assert not cfg.is_first_ecotone_block(0)
    assert not cfg.is_first_ecotone_block(2)
    # a later fork's first block is also the first block of earlier forks it implies
    cfg = config(granite_time=100)
    assert cfg.is_first_fjord_block(100) and cfg.is_first_granite_block(100)
    assert not cfg.is_first_holocene_block(100)


def test_channel_timeout_granite() -> None:
    cfg = config(granite_time=1000)
    assert cfg.channel_timeout_at(999) == 300
    assert cfg.channel_timeout_at(1000) == 50
    custom = RollupConfig(
        genesis=GENESIS,
        block_time=2,
        max_sequencer_drift=600,
        seq_window_size=3600,
        channel_timeout=120,
        l1_chain_id=1,
        l2_chain_id=10,
        granite_channel_timeout=40,
        granite_time=5,
    )
    assert custom.channel_timeout_at(4) == 120
    assert custom.channel_timeout_at(5) == 40


def test_fjord_parameters() -> None:
    cfg = config(fjord_time=1000)
    assert cfg.max_rlp_bytes_per_channel(999) == 10_000_000
    assert cfg.max_rlp_bytes_per_channel(1000) == 100_000_000
    assert cfg.max_channel_bank_size(999) == 100_000_000
    assert cfg.max_channel_bank_size(1000) == 1_000_000_000
    assert cfg.max_sequencer_drift_at(999) == 600
    assert cfg.max_sequencer_drift_at(1000) == 1800
    # implied by a later fork too
    assert config(holocene_time=0).max_rlp_bytes_per_channel(0) == 100_000_000


def test_base_fee_params_canyon() -> None:
    cfg = config(canyon_time=1000)
    assert cfg.base_fee_params(999) == BaseFeeParams(max_change_denominator=50, elasticity_multiplier=6)
    assert cfg.base_fee_params(1000) == BaseFeeParams(max_change_denominator=250, elasticity_multiplier=6)
    other = RollupConfig(
        genesis=GENESIS,
        block_time=2,
        max_sequencer_drift=600,
        seq_window_size=3600,
        channel_timeout=300,
        l1_chain_id=1,
        l2_chain_id=84532,
        chain_op_config=ChainOpConfig(10, 50, 250),
        canyon_time=0,
    )
    assert other.base_fee_params(0) == BaseFeeParams(250, 10)


def test_block_timestamps() -> None:
    cfg = config()
    assert cfg.timestamp_for_block(0) == 1000
    assert cfg.timestamp_for_block(5) == 1010
    assert cfg.block_number_for_timestamp(1011) == 5
    assert cfg.block_number_for_timestamp(10) == 0


def test_with_hardfork_times_rejects_other_fields() -> None:
    with pytest.raises(ConfigError, match="block_time"):
        config().with_hardfork_times(block_time=3)


times = st.one_of(st.none(), st.integers(min_value=0, max_value=2**40))


@settings(max_examples=200, deadline=None)
@given(st.lists(times, min_size=len(FORKS), max_size=len(FORKS)), st.integers(0, 2**40))
def test_active_fork_is_consistent_with_predicates(values: list[int | None], ts: int) -> None:
    cfg = config().with_hardfork_times(**dict(zip(FORKS, values, strict=True)))
    active = cfg.active_fork(ts)
    for fork in Hardfork:
        assert cfg.is_active(fork, ts) == (fork <= active)
