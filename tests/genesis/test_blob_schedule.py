"""Blob base fee: EIP-4844 fake_exponential and the L1-info update fraction (Pectra blob schedule)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import ConfigError
from mauna.genesis import load_chain
from mauna.genesis.blob_schedule import (
    BLOB_BASE_FEE_UPDATE_FRACTION_BPO1,
    BLOB_BASE_FEE_UPDATE_FRACTION_BPO2,
    BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
    BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
    L1BlobSchedule,
    calc_blob_base_fee,
    fake_exponential,
    l1_blob_schedule,
    l1_info_blob_base_fee,
    l1_info_blob_base_fee_update_fraction,
)

SEPOLIA_PRAGUE = 1_741_159_776
MAINNET_PRAGUE = 1_746_612_311


@pytest.mark.parametrize(
    ("factor", "numerator", "denominator", "expected"),
    [  # go-ethereum consensus/misc/eip4844 TestFakeExponential
        (1, 0, 1, 1),
        (38493, 0, 1000, 38493),
        (0, 1234, 2345, 0),
        (1, 2, 1, 6),
        (1, 4, 2, 6),
        (1, 3, 1, 16),
        (1, 6, 2, 18),
        (1, 4, 1, 49),
        (1, 8, 2, 50),
        (10, 8, 2, 542),
        (11, 8, 2, 596),
        (1, 5, 1, 136),
        (1, 5, 2, 11),
        (2, 5, 2, 23),
        (1, 50000000, 2225652, 5709098764),
    ],
)
def test_fake_exponential_vectors(factor: int, numerator: int, denominator: int, expected: int) -> None:
    assert fake_exponential(factor, numerator, denominator) == expected


def test_calc_blob_base_fee_cancun_vectors() -> None:
    # go-ethereum TestCalcBlobFee (Cancun update fraction)
    assert calc_blob_base_fee(0) == 1
    assert calc_blob_base_fee(2314057) == 1
    assert calc_blob_base_fee(2314058) == 2
    assert calc_blob_base_fee(10 * 1024 * 1024) == 23
    assert calc_blob_base_fee(10 * 1024 * 1024, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE) == 8


def test_fraction_constants() -> None:
    assert BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN == 3338477
    assert BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE == 5007716


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**28), st.integers(0, 2**28))
def test_blob_base_fee_monotonic_and_prague_cheaper(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert 1 <= calc_blob_base_fee(lo) <= calc_blob_base_fee(hi)
    assert calc_blob_base_fee(hi, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE) <= calc_blob_base_fee(hi)


def test_fake_exponential_rejects_bad_denominator() -> None:
    with pytest.raises(ConfigError, match="denominator"):
        fake_exponential(1, 1, 0)


def test_op_sepolia_pectra_blob_schedule() -> None:
    cfg = load_chain("op-sepolia").rollup_config
    pectra = cfg.pectra_blob_schedule_time
    assert pectra == 1742486400
    fraction = cfg.l1_info_blob_base_fee_update_fraction
    assert fraction(SEPOLIA_PRAGUE - 1) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    # L1 is on Prague, but the chain kept the Cancun fraction until its pectra_blob_schedule_time
    assert fraction(SEPOLIA_PRAGUE) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    assert fraction(pectra - 1) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    assert fraction(pectra) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE
    # later L1 forks follow the L1's schedule
    assert fraction(1_760_427_360) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE  # Osaka
    assert fraction(1_761_017_184) == BLOB_BASE_FEE_UPDATE_FRACTION_BPO1
    assert fraction(1_761_607_008) == BLOB_BASE_FEE_UPDATE_FRACTION_BPO2


def test_chain_without_pectra_blob_schedule_uses_prague_at_once() -> None:
    cfg = load_chain("op-mainnet").rollup_config
    assert cfg.pectra_blob_schedule_time is None
    fraction = l1_info_blob_base_fee_update_fraction
    assert fraction(cfg, MAINNET_PRAGUE - 1) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    assert fraction(cfg, MAINNET_PRAGUE) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE
    assert fraction(cfg, 1_765_290_071) == BLOB_BASE_FEE_UPDATE_FRACTION_BPO1
    assert fraction(cfg, 1_767_747_671) == BLOB_BASE_FEE_UPDATE_FRACTION_BPO2
    # pre-Cancun L1 blocks: no excess blob gas, the L1-info deposit carries 1
    assert l1_info_blob_base_fee(cfg, 1_700_000_000, None) == 1
    excess = 10 * 1024 * 1024
    assert l1_info_blob_base_fee(cfg, MAINNET_PRAGUE - 1, excess) == 23
    assert l1_info_blob_base_fee(cfg, MAINNET_PRAGUE, excess) == 8


def test_pectra_blob_schedule_after_osaka_does_not_apply() -> None:
    cfg = load_chain("op-sepolia").rollup_config.with_hardfork_times(pectra_blob_schedule_time=2_000_000_000)
    assert cfg.l1_info_blob_base_fee_update_fraction(1_760_427_360) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE


def test_unknown_l1_needs_a_schedule() -> None:
    custom = dataclasses.replace(load_chain("test1/testnet").rollup_config, l1_chain_id=424242)
    with pytest.raises(ConfigError, match="no blob schedule for L1 chain 424242"):
        custom.l1_info_blob_base_fee_update_fraction(0)
    geth_config = {
        "chainId": 424242,
        "cancunTime": 0,
        "pragueTime": 100,
        "blobSchedule": {"prague": {"baseFeeUpdateFraction": 77}},
    }
    schedule = L1BlobSchedule.from_geth_chain_config(geth_config)
    assert schedule.chain_id == 424242
    assert l1_info_blob_base_fee_update_fraction(custom, 99, schedule) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
    assert l1_info_blob_base_fee_update_fraction(custom, 100, schedule) == 77


def test_geth_chain_config_errors() -> None:
    with pytest.raises(ConfigError, match="pragueTime"):
        L1BlobSchedule.from_geth_chain_config({"pragueTime": "soon"})
    with pytest.raises(ConfigError, match="bpo3"):
        L1BlobSchedule.from_geth_chain_config({"bpo3Time": 5})
    with pytest.raises(ConfigError, match="blobSchedule"):
        L1BlobSchedule.from_geth_chain_config({"blobSchedule": []})


def test_bundled_l1_schedules() -> None:
    assert l1_blob_schedule(1).update_fraction_at(MAINNET_PRAGUE) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE
    assert l1_blob_schedule(1).update_fraction_at(1_710_338_134) is None
    assert l1_blob_schedule(17000).update_fraction_at(1_740_434_112) == BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE
    assert l1_blob_schedule(560048).update_fraction_at(0) == BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN
