"""Rollup config JSON: kona fixtures (current and historic), op-node round trips, bad input."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gzip
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import ConfigError, MaunaError
from mauna.genesis import Hardfork, RollupConfig, SystemConfig, load_chain
from mauna.genesis.rollup_json import detect_flavour, system_config_from_json, system_config_to_json
from mauna.primitives import to_hex

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
EXECUTOR = sorted((KONA / "executor").glob("block-*.json"))
HISTORY = sorted((KONA / "executor-history").glob("block-*.json.gz"))

OP_SEPOLIA_TIMES = {
    "canyon_time": 1699981200,
    "delta_time": 1703203200,
    "ecotone_time": 1708534800,
    "fjord_time": 1716998400,
    "granite_time": 1723478400,
    "holocene_time": 1732633200,
}
OP_MAINNET_TIMES = {
    "canyon_time": 1704992401,
    "delta_time": 1708560000,
    "ecotone_time": 1710374401,
    "fjord_time": 1720627201,
    "granite_time": 1726070401,
    "holocene_time": 1736445601,
}
UNICHAIN_TIMES = {
    "canyon_time": 0,
    "delta_time": 0,
    "ecotone_time": 0,
    "fjord_time": 0,
    "granite_time": 0,
    "holocene_time": 1736445601,
}


@cache
def rollup_json(path: Path) -> dict[str, Any]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        data = json.load(fh)
    return data["rollup_config"]


def test_fixture_counts() -> None:
    assert len(EXECUTOR) == 5
    assert len(HISTORY) == 12


@pytest.mark.parametrize("path", EXECUTOR, ids=lambda p: p.name)
def test_kona_executor_fixture(path: Path) -> None:
    cfg = RollupConfig.from_kona_json(rollup_json(path))
    assert cfg.l2_chain_id == 11155420
    assert cfg.l1_chain_id == 11155111
    for name, value in OP_SEPOLIA_TIMES.items():
        assert getattr(cfg, name) == value
    assert cfg.pectra_blob_schedule_time == 1742486400
    assert cfg.isthmus_time == 1744905600
    assert cfg.jovian_time is None
    assert cfg.regolith_time is None  # absent in kona's JSON; implied by Canyon
    assert cfg.is_regolith_active(1699981200) and not cfg.is_regolith_active(1699981199)
    assert to_hex(cfg.genesis.l2.hash) == "0x102de6ffb001480cc9b8b548fd05c34cd4f46ae4aa91759393db90ea0409887d"
    assert cfg.genesis.l1.number == 4071408
    assert cfg.genesis.system_config is not None
    assert to_hex(cfg.genesis.system_config.batcher_address) == "0x8f23bb38f531600e5d8fddaaec41f13fab46e98c"
    assert cfg.genesis.system_config.overhead == 0xBC
    assert cfg.genesis.system_config.scalar == 0xA6FE0
    assert to_hex(cfg.deposit_contract_address) == "0x16fc5058f25648194471939df75cf27a2fdc48bc"
    assert cfg.chain_op_config.eip1559_denominator_canyon == 250
    assert detect_flavour(rollup_json(path)) == "kona"
    assert RollupConfig.from_json(rollup_json(path)) == cfg


@pytest.mark.parametrize("path", HISTORY, ids=lambda p: p.name)
def test_kona_history_fixture(path: Path) -> None:
    raw = rollup_json(path)
    cfg = RollupConfig.from_kona_json(raw)
    assert RollupConfig.from_json(raw) == cfg
    number = int(path.name.split("-")[1].split(".")[0])
    if number in (10211000, 10215000):
        assert cfg.l2_chain_id == 130
        assert cfg.block_time == 1
        expected = UNICHAIN_TIMES
    elif number >= 132_000_000:
        assert cfg.l2_chain_id == 10
        assert cfg.genesis.l2.number == 105235063
        expected = OP_MAINNET_TIMES
    else:
        assert cfg.l2_chain_id == 11155420
        assert cfg.regolith_time == 0
        expected = OP_SEPOLIA_TIMES
    for name, value in expected.items():
        assert getattr(cfg, name) == value, name
    assert cfg.isthmus_time is None and cfg.pectra_blob_schedule_time is None
    assert cfg.chain_op_config.eip1559_elasticity == 6
    assert cfg.chain_op_config.eip1559_denominator == 50
    assert cfg.chain_op_config.eip1559_denominator_canyon == 250
    # the same chain in the bundled registry agrees on everything these older configs carry
    registry = load_chain(cfg.l2_chain_id).rollup_config
    assert registry.genesis == cfg.genesis
    assert registry.deposit_contract_address == cfg.deposit_contract_address
    assert registry.l1_system_config_address == cfg.l1_system_config_address
    for name, value in expected.items():
        assert getattr(registry, name) == value


def test_old_base_fee_params_variant() -> None:
    raw = rollup_json(KONA / "executor-history" / "block-22880574.json.gz")
    assert "base_fee_params" in raw and "chain_op_config" not in raw
    cfg = RollupConfig.from_kona_json(raw)
    assert cfg.base_fee_params(1699981199).max_change_denominator == 50
    assert cfg.base_fee_params(1699981200).max_change_denominator == 250
    bad = copy.deepcopy(raw)
    bad["canyon_base_fee_params"]["elasticity_multiplier"] = "0x7"
    with pytest.raises(ConfigError, match="elasticity"):
        RollupConfig.from_kona_json(bad)


def test_unichain_scalar_word() -> None:
    cfg = RollupConfig.from_kona_json(rollup_json(KONA / "executor-history" / "block-10211000.json.gz"))
    assert cfg.genesis.system_config is not None
    assert cfg.genesis.system_config.overhead == 0
    scalar = cfg.genesis.system_config.scalar.to_bytes(32, "big")
    assert scalar[0] == 1  # Ecotone-versioned scalar
    assert int.from_bytes(scalar[28:32], "big") == 0x7D0
    assert int.from_bytes(scalar[24:28], "big") == 0xDBBA0


def test_op_node_json_round_trip_of_fixture() -> None:
    cfg = RollupConfig.from_kona_json(rollup_json(EXECUTOR[0]))
    out = cfg.to_op_node_json()
    assert "superchain_config_address" not in out and "granite_channel_timeout" not in out
    assert out["genesis"]["system_config"]["overhead"] == "0x" + "00" * 31 + "bc"
    assert out["pectra_blob_schedule_time"] == 1742486400
    assert detect_flavour(out) == "op-node"
    back = RollupConfig.from_op_node_json(out)
    assert back.superchain_config_address is None
    assert back == RollupConfig.from_op_node_json(back.to_op_node_json())
    full = RollupConfig.from_op_node_json(cfg.to_op_node_json(include_extensions=True))
    assert full == cfg
    # JSON text round trip too
    assert RollupConfig.from_json(json.loads(json.dumps(cfg.to_op_node_json(include_extensions=True)))) == cfg


# Every upgrade's activation-time field (the list test_rollup_config pins), and the Pectra blob schedule.
FORK_FIELDS = [*(fork.time_field for fork in Hardfork.timed()), "pectra_blob_schedule_time"]
u64 = st.integers(min_value=0, max_value=2**64 - 1)
u32 = st.integers(min_value=1, max_value=2**32 - 1)


@settings(max_examples=200, deadline=None)
@given(
    times=st.fixed_dictionaries({name: st.one_of(st.none(), u64) for name in FORK_FIELDS}),
    chain=st.sampled_from(["op-mainnet", "base-sepolia", "redstone", "unichain", "celo"]),
    eip1559=st.one_of(st.none(), st.tuples(u32, u32)),
    operator=st.one_of(st.none(), st.tuples(u32, u64.filter(bool))),
)
def test_op_node_round_trip_hypothesis(
    times: dict[str, int | None],
    chain: str,
    eip1559: tuple[int, int] | None,
    operator: tuple[int, int] | None,
) -> None:
    base = load_chain(chain).rollup_config.with_hardfork_times(**times)
    sys_cfg = base.genesis.system_config
    assert sys_cfg is not None
    sys_cfg = SystemConfig(
        batcher_address=sys_cfg.batcher_address,
        overhead=sys_cfg.overhead,
        scalar=sys_cfg.scalar,
        gas_limit=sys_cfg.gas_limit,
        eip1559_denominator=None if eip1559 is None else eip1559[0],
        eip1559_elasticity=None if eip1559 is None else eip1559[1],
        operator_fee_scalar=None if operator is None else operator[0],
        operator_fee_constant=None if operator is None else operator[1],
    )
    cfg = dataclasses.replace(base, genesis=dataclasses.replace(base.genesis, system_config=sys_cfg))
    out = cfg.to_op_node_json(include_extensions=True)
    assert RollupConfig.from_op_node_json(out) == cfg
    assert RollupConfig.from_json(json.loads(json.dumps(out))) == cfg
    strict = cfg.to_op_node_json()
    assert RollupConfig.from_op_node_json(strict).to_op_node_json() == strict


def test_system_config_packed_fields() -> None:
    cfg = system_config_from_json(
        {
            "batcherAddr": "0x" + "11" * 20,
            "overhead": "0x0",
            "scalar": "0x" + "01" + "00" * 23 + "000dbba0" + "000007d0",
            "gasLimit": 60_000_000,
            "eip1559Params": "0x000000fa00000006",
            "operatorFeeParams": "0x" + "00" * 20 + "00000005" + "0000000000000007",
            "minBaseFee": 9,
            "daFootprintGasScalar": 400,
        }
    )
    assert cfg.eip1559_denominator == 250 and cfg.eip1559_elasticity == 6
    assert cfg.operator_fee_scalar == 5 and cfg.operator_fee_constant == 7
    assert cfg.min_base_fee == 9 and cfg.da_footprint_gas_scalar == 400
    assert system_config_from_json(system_config_to_json(cfg)) == cfg
    # zero packed values mean "not set"
    zero = system_config_from_json(
        {
            "batcherAddress": "0x" + "22" * 20,
            "overhead": "0xbc",
            "scalar": "0xa6fe0",
            "gasLimit": "0x1c9c380",
            "eip1559Params": "0x0000000000000000",
        }
    )
    assert zero.eip1559_denominator is None and zero.gas_limit == 30_000_000


def test_missing_chain_op_config_comes_from_the_registry() -> None:
    data = load_chain("base-sepolia").rollup_config.to_op_node_json()
    del data["chain_op_config"]
    assert RollupConfig.from_op_node_json(data).chain_op_config.eip1559_elasticity == 10
    data["l2_chain_id"] = 4242424242
    cfg = RollupConfig.from_op_node_json(data)
    assert (cfg.chain_op_config.eip1559_elasticity, cfg.chain_op_config.eip1559_denominator) == (6, 50)
    assert cfg.chain_op_config.eip1559_denominator_canyon == 250


def test_legacy_alt_da_fields() -> None:
    data = load_chain("op-mainnet").rollup_config.to_op_node_json()
    data.update(
        use_plasma=True,
        da_challenge_contract_address="0x" + "ab" * 20,
        da_challenge_window=160,
        da_resolve_window=80,
    )
    cfg = RollupConfig.from_op_node_json(data)
    assert cfg.alt_da is not None and cfg.is_alt_da_enabled()
    assert (cfg.alt_da.da_challenge_window, cfg.alt_da.da_resolve_window) == (160, 80)
    assert cfg.alt_da.da_commitment_type == "KeccakCommitment"
    assert cfg.da_challenge_address == b"\xab" * 20


def valid_op_node() -> dict[str, Any]:
    return load_chain("op-mainnet").rollup_config.to_op_node_json()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("genesis"), "missing required field 'genesis'"),
        (lambda d: d.pop("l2_chain_id"), "missing required field 'l2_chain_id'"),
        (lambda d: d.__setitem__("block_time", "two"), "block_time"),
        (lambda d: d.__setitem__("canyon_time", -1), "canyon_time"),
        (lambda d: d.__setitem__("ecotone_time", 2**64), "out of range"),
        (lambda d: d.__setitem__("batch_inbox_address", "0x1234"), "batch_inbox_address"),
        (lambda d: d["genesis"]["l1"].__setitem__("hash", "0xzz"), "genesis.l1.hash"),
        (lambda d: d["genesis"]["system_config"].pop("batcherAddr"), "batcherAddr"),
        (lambda d: d["genesis"].__setitem__("l2", []), "genesis.l2"),
        (lambda d: d["chain_op_config"].pop("eip1559Denominator"), "eip1559Denominator"),
        (lambda d: d["genesis"]["system_config"].__setitem__("overhead", "0x" + "00" * 33), "32-byte"),
    ],
)
def test_bad_input_names_the_field(mutate: Any, message: str) -> None:
    data = valid_op_node()
    mutate(data)
    with pytest.raises(ConfigError, match=message):
        RollupConfig.from_op_node_json(data)


def test_non_object_rejected() -> None:
    with pytest.raises(ConfigError, match="expected a JSON object"):
        RollupConfig.from_json([])  # type: ignore[arg-type]


def _mutations(value: Any, rng: random.Random) -> Any:
    choices: list[Any] = [None, -1, 2**70, "0x", "0xg", "x" * 5, [], {}, True, 1.5, "12", "0x" + "ab" * 40]
    return rng.choice(choices)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.extend(_paths(value, (*prefix, key)))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_fuzz_mutated_real_configs_raise_only_config_error(seed: int) -> None:
    rng = random.Random(seed)
    sources = [valid_op_node(), rollup_json(EXECUTOR[0]), rollup_json(HISTORY[0]), rollup_json(HISTORY[-1])]
    for _ in range(300):
        data = copy.deepcopy(rng.choice(sources))
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(_paths(data))
            target = data
            for key in path[:-1]:
                target = target[key]
            if rng.random() < 0.2:
                del target[path[-1]]
            else:
                target[path[-1]] = _mutations(target[path[-1]], rng)
        try:
            cfg = RollupConfig.from_json(data)
        except MaunaError as exc:
            assert isinstance(exc, ConfigError), type(exc)
        else:
            assert isinstance(cfg, RollupConfig)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
        max_leaves=12,
    )
)
def test_fuzz_random_json_raises_only_config_error(data: Any) -> None:
    with contextlib.suppress(ConfigError):
        RollupConfig.from_json(data)
