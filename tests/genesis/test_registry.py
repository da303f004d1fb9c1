"""The bundled Superchain registry: every chain loads, known chains carry known values, lookups."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mauna.errors import ConfigError
from mauna.genesis import Hardfork, RollupConfig, load_chain, load_rollup_config
from mauna.genesis.registry import (
    Registry,
    UnknownChainError,
    default_registry,
    inherit_superchain_hardforks,
    list_chains,
    load_registry_dir,
)
from mauna.primitives import to_hex

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
REGISTRY_DIR = KONA / "registry"
RAW = json.loads((REGISTRY_DIR / "configs.json").read_text())
RAW_CHAINS = [(sc["name"], chain) for sc in RAW["superchains"] for chain in sc["chains"]]


def test_bundled_data_is_the_fixture() -> None:
    data = Path(__file__).parents[2] / "src" / "mauna" / "genesis" / "data"
    for name in ("configs.json", "chainList.json"):
        assert json.loads((data / name).read_text()) == json.loads((REGISTRY_DIR / name).read_text())


def test_every_chain_loads() -> None:
    chains = list_chains()
    assert len(chains) == len(RAW_CHAINS) == 65
    assert len({c.chain_id for c in chains}) == 65
    for superchain, raw in RAW_CHAINS:
        info = load_chain(raw["l2_chain_id"])
        cfg = info.rollup_config
        assert info.superchain == superchain
        assert cfg.l2_chain_id == raw["l2_chain_id"]
        assert cfg.block_time == raw["block_time"]
        assert cfg.seq_window_size == raw["seq_window_size"]
        assert cfg.max_sequencer_drift == raw["max_sequencer_drift"]
        assert to_hex(cfg.genesis.l2.hash) == raw["genesis"]["l2"]["hash"]
        assert cfg.genesis.l2_time == raw["genesis"]["l2_time"]
        assert cfg.regolith_time == 0
        for name, value in raw["hardfork_configuration"].items():
            assert getattr(cfg, name) == value, (info.name, name)
        assert to_hex(cfg.deposit_contract_address) == raw["Addresses"]["OptimismPortalProxy"]
        assert to_hex(cfg.l1_system_config_address) == raw["Addresses"]["SystemConfigProxy"]
        assert cfg.chain_op_config.eip1559_denominator == raw["optimism"]["eip1559Denominator"]
        assert (cfg.alt_da is not None) == (raw["alt_da"] is not None)
        # every chain has a usable name and survives the op-node JSON round trip
        assert load_chain(info.identifier) is info
        assert RollupConfig.from_op_node_json(cfg.to_op_node_json(include_extensions=True)) == cfg
        assert cfg.active_fork(2_000_000_000) >= Hardfork.DELTA


def test_op_mainnet_known_values() -> None:
    info = load_chain("op-mainnet")
    cfg = info.rollup_config
    assert (info.name, info.identifier, info.chain_id) == ("OP Mainnet", "mainnet/op", 10)
    assert (info.l1_chain_id, info.l1_name, info.superchain) == (1, "mainnet", "mainnet")
    assert to_hex(cfg.genesis.l1.hash) == "0x438335a20d98863a4c0c97999eb2481921ccd28553eac6f913af7c12aec04108"
    assert cfg.genesis.l1.number == 17422590
    assert to_hex(cfg.genesis.l2.hash) == "0xdbf6a80fef073de06add9b0d14026d6e5a86c85f6d102c36d3d8e9cf89c2afd3"
    assert cfg.genesis.l2.number == 105235063
    assert cfg.genesis.l2_time == 1686068903
    assert cfg.canyon_time == 1704992401
    assert cfg.delta_time == 1708560000
    assert cfg.ecotone_time == 1710374401
    assert cfg.fjord_time == 1720627201
    assert cfg.granite_time == 1726070401
    assert cfg.holocene_time == 1736445601
    assert cfg.isthmus_time == 1746806401
    assert cfg.jovian_time == 1764691201
    assert cfg.pectra_blob_schedule_time is None
    assert to_hex(cfg.batch_inbox_address) == "0xff00000000000000000000000000000000000010"
    assert to_hex(cfg.deposit_contract_address) == "0xbeb5fc579115071764c7423a4f12edde41f106ed"
    assert to_hex(cfg.l1_system_config_address) == "0x229047fed2591dbec1ef1118d64f7af3db9eb290"
    assert to_hex(cfg.protocol_versions_address) == "0x8062abc286f5e7d9428a0ccb9abd71e50d93b935"
    assert cfg.superchain_config_address is not None
    assert to_hex(cfg.superchain_config_address) == "0x95703e0982140d16f8eba6d158fccede42f04a4c"
    sys_cfg = cfg.genesis.system_config
    assert sys_cfg is not None
    assert to_hex(sys_cfg.batcher_address) == "0x6887246668a3b87f54deb3b94ba47a6f63f32985"
    assert (sys_cfg.overhead, sys_cfg.scalar, sys_cfg.gas_limit) == (0xBC, 0xA6FE0, 30_000_000)
    assert (cfg.channel_timeout, cfg.granite_channel_timeout) == (300, 50)
    assert cfg.active_fork(1710374400) is Hardfork.DELTA
    assert cfg.active_fork(1710374401) is Hardfork.ECOTONE
    assert cfg.is_first_ecotone_block(1710374401)
    assert cfg.is_first_isthmus_block(1746806401)
    assert cfg.active_fork(1686068903) is Hardfork.REGOLITH


def test_base_known_values() -> None:
    info = load_chain("base")
    cfg = info.rollup_config
    assert (info.chain_id, info.identifier) == (8453, "mainnet/base")
    assert to_hex(cfg.genesis.l1.hash) == "0x5c13d307623a926cd31415036c8b7fa14572f9dac64528e857a470511fc30771"
    assert cfg.genesis.l1.number == 17481768
    assert to_hex(cfg.genesis.l2.hash) == "0xf712aa9241cc24369b143cf6dce85f0902a9731e70d66818a3a5845b296c73dd"
    assert cfg.genesis.l2.number == 0
    assert cfg.genesis.l2_time == 1686789347
    assert to_hex(cfg.deposit_contract_address) == "0x49048044d57e1c92a77f79988d21fa8faf74e97e"
    assert to_hex(cfg.l1_system_config_address) == "0x73a79fab69143498ed3712e519a88a918e1f4072"
    assert cfg.genesis.system_config is not None
    assert to_hex(cfg.genesis.system_config.batcher_address) == "0x5050f69a9786f081509234f1a7f4684b5e5b76c9"
    assert (cfg.ecotone_time, cfg.holocene_time, cfg.isthmus_time) == (1710374401, 1736445601, 1746806401)
    sepolia = load_chain("base-sepolia").rollup_config
    assert sepolia.l2_chain_id == 84532 and sepolia.l1_chain_id == 11155111
    assert sepolia.chain_op_config.eip1559_elasticity == 10
    assert sepolia.pectra_blob_schedule_time == 1742486400


def test_op_sepolia_and_unichain() -> None:
    op_sepolia = load_chain("op-sepolia").rollup_config
    assert op_sepolia.l2_chain_id == 11155420
    assert op_sepolia.isthmus_time == 1744905600
    assert op_sepolia.pectra_blob_schedule_time == 1742486400
    unichain = load_chain("unichain")
    assert unichain.chain_id == 130 and unichain.rollup_config.block_time == 1
    assert unichain.rollup_config.granite_time == 0
    assert load_chain("unichain-sepolia").chain_id == 1301


def test_alt_da_chain() -> None:
    cfg = load_chain("redstone").rollup_config
    assert cfg.alt_da is not None and cfg.is_alt_da_enabled()
    assert to_hex(cfg.alt_da.da_challenge_address or b"") == "0x97a2da87d3439b172e6dd027220e01c9cb565b80"
    assert cfg.da_challenge_address == cfg.alt_da.da_challenge_address
    assert cfg.alt_da.da_commitment_type == "KeccakCommitment"
    assert not load_chain("op-mainnet").rollup_config.is_alt_da_enabled()


def test_interop_chain() -> None:
    cfg = load_chain("rehearsal-0-bn/rehearsal-0-bn-0").rollup_config
    assert cfg.interop_time == 1749150000
    assert cfg.active_fork(1749150000) is Hardfork.INTEROP
    assert cfg.active_fork(1749149999) is Hardfork.ISTHMUS


@pytest.mark.parametrize(
    ("query", "chain_id"),
    [
        (11155420, 11155420),
        ("11155420", 11155420),
        ("op-mainnet", 10),
        ("OP-Mainnet", 10),
        ("op", 10),
        ("mainnet/op", 10),
        ("base", 8453),
        ("base-mainnet", 8453),
        ("op-sepolia", 11155420),
        ("sepolia/op", 11155420),
        ("op-sepolia-testnet", 11155420),
        ("base-sepolia", 84532),
        ("unichain", 130),
        ("world-chain", 480),
        ("worldchain", 480),
        ("radius_testnet-sepolia", 863),
    ],
)
def test_lookup(query: str | int, chain_id: int) -> None:
    assert load_chain(query).chain_id == chain_id


@pytest.mark.parametrize("query", ["xyz", 999, "", "mainnet/", True])
def test_unknown_chain(query: str | int) -> None:
    with pytest.raises(UnknownChainError) as err:
        load_chain(query)
    assert isinstance(err.value, ConfigError)
    assert "try `mauna chains`" in str(err.value)


def test_unknown_chain_message() -> None:
    with pytest.raises(ConfigError, match=r"^unknown chain 'xyz'; try `mauna chains`$"):
        load_chain("xyz")


def test_ambiguous_aliases_are_dropped() -> None:
    reg = default_registry()
    aliases = reg.aliases()
    assert aliases["ethernity"].chain_id == 183
    assert aliases["ethernity-sepolia"].chain_id == 233
    for alias, info in aliases.items():
        assert alias == alias.lower()
        assert reg.find(alias) is info
    # two chains claiming the same alias: neither gets it, identifiers still work
    a = dataclasses.replace(reg.get(10), aliases=("mainnet/op", "shared"))
    b = dataclasses.replace(reg.get(8453), aliases=("mainnet/base", "shared"))
    pair = Registry((a, b))
    assert pair.find("shared") is None
    assert pair.get("mainnet/op") is a and pair.get(8453) is b


def test_custom_registry_merge() -> None:
    custom = Registry.from_dir(REGISTRY_DIR / "custom")
    assert sorted(c.chain_id for c in custom) == [123999119, 223999119]
    test1 = custom.get("test1/testnet")
    assert test1.l1_chain_id == 9999911112213
    assert test1.rollup_config.l1_chain_id == 9999911112213
    dead = "0x" + "dedaddeaddeaddeaddeaddeaddeaddeaddeadded"
    assert to_hex(test1.rollup_config.protocol_versions_address) == dead
    merged = load_registry_dir(REGISTRY_DIR / "custom")
    assert len(merged) == len(default_registry())  # same ids: the custom ones replace the bundled ones
    assert merged.get(123999119).l1_chain_id == 9999911112213
    assert default_registry().get(123999119).l1_chain_id == 11155111
    assert load_chain("test1/testnet", merged) is merged.get(123999119)
    assert merged.get("op-mainnet") is default_registry().get("op-mainnet")


def test_bad_registry_data() -> None:
    with pytest.raises(ConfigError, match="superchains"):
        Registry.from_json({})
    bad = json.loads(json.dumps(RAW))
    bad["superchains"][0]["chains"][0]["hardfork_configuration"]["karst_time"] = 1
    with pytest.raises(ConfigError, match="karst_time"):
        Registry.from_json(bad)
    dup = {"superchains": [RAW["superchains"][0], RAW["superchains"][0]]}
    with pytest.raises(ConfigError, match="appears twice"):
        Registry.from_json(dup)


def test_load_registry_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        Registry.from_dir(tmp_path)
    (tmp_path / "configs.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Registry.from_dir(tmp_path)


def test_load_rollup_config_file(tmp_path: Path) -> None:
    cfg = load_chain("base").rollup_config
    path = tmp_path / "rollup.json"
    path.write_text(json.dumps(cfg.to_op_node_json(include_extensions=True), indent=2))
    assert load_rollup_config(path) == cfg
    with pytest.raises(ConfigError, match="cannot read"):
        load_rollup_config(tmp_path / "missing.json")
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="expected a JSON object"):
        load_rollup_config(path)


def test_registry_hardforks_need_no_inheritance() -> None:
    # Registry >= 2.0 pre-applies superchain-wide times: the load-time rule changes nothing for
    # chains of the real superchains (test1/test2 are kona's synthetic chains).
    inherited = Registry.from_json(RAW, inherit_hardforks=True)
    for info in inherited:
        if info.name in ("test1", "test2"):
            continue
        assert info.rollup_config == default_registry().get(info.chain_id).rollup_config, info.name


def test_inherit_superchain_hardforks_rule() -> None:
    superchain = {"canyon_time": 100, "ecotone_time": 200, "fjord_time": 300, "granite_time": None}
    chain = {"canyon_time": 0, "ecotone_time": None, "fjord_time": None, "granite_time": None}
    # superchain_time unset: nothing inherited
    assert inherit_superchain_hardforks(chain, superchain, None, 50) == chain
    # only forks at/after superchain_time, only unset ones, genesis-or-earlier ones become 0
    assert inherit_superchain_hardforks(chain, superchain, 150, 50) == {
        "canyon_time": 0,
        "ecotone_time": 200,
        "fjord_time": 300,
        "granite_time": None,
    }
    assert inherit_superchain_hardforks(chain, superchain, 0, 250)["ecotone_time"] == 0
