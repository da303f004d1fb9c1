"""Stateless execution of real OP Stack blocks (kona executor fixtures) to their exact hashes."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mauna.cli.execute import execute_fixture_cmd
from mauna.errors import ExecutionError, MissingPreimageError
from mauna.executor import OpPayloadAttributes, StatelessL2Builder, check_header
from mauna.executor.builder import HeaderMismatchError, encode_extra_data, next_base_fee
from mauna.executor.chain import ChainRules, OpFork
from mauna.executor.fixture import ExecutorFixture, FixtureError, load_fixture
from mauna.mpt import DictTrieProvider, NoopTrieHinter
from mauna.primitives.bytes import from_hex

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
CURRENT = sorted((KONA / "executor").glob("block-*.json"))
HISTORY = sorted((KONA / "executor-history").glob("block-*.json.gz"))

EXPECTED = {
    26207960: "0xdb32d9ddfa5fd26c9fb0260bbfa53da88326aa2a465e34d75180564aa31b851e",
    26207961: "0x163f974efd18250b43c4eb16c9d4f638cf25e4fe7d8b444db58916d62404d4a5",
    26207962: "0xdcacc3f9f5d921a6c9640fb35bdb675d54107e4b7f788f6d5d4e40dc2d722943",
    26207963: "0xc19e417cd6c2c9edaf2093b4701514635b5cfd414fb00d0e4d00450f90d55ce5",
    26208384: "0x26733c902943d6075a7a97b3617cca3df816f64acd733aa1989d1648cef739e4",
    10211000: "0x62b2830a235317b16c210de250b2e2a63532f77bbb1d130275fbccea6beeb334",
    10215000: "0x6364737a25d82cb338ee674259e1202c7050487ee25ea79840b042154b8e9a89",
    132795025: "0x9120de2b818f1dbb7435ba7b880f0d12240436d83ca97231a2230a645e827382",
    132796000: "0x0dee155de25dbc6d6159de4e8b83f443cb934dc97ffe76a9a366fbdccd99d0a4",
    132796100: "0x1c037da874d9b9eee4ac196f390e395db2c0e41121b7774d3be5e223362ff70b",
    132798000: "0xe466791c8bc82af3b829667fcd798afc77f02e3cf73348fbf0cbb6c19c4a79c1",
    22880574: "0x34332fdc5caa2443abe4da4e2d2f500c32ceff9972613c43794ebf599369b376",
    22880944: "0x73622298e94ba434ed9bc20af0c616ded2cdd6658cd82d5c944f1480f2c5f4c3",
    22884230: "0x29680bc1415e837a227106cf229834cff38bf06d412b2d51e0e9323306d1ca1e",
    22884231: "0x433a9f6c0c2483f7ae7531445e1ce4c91dc549a80afc7d31c6d879cac7bf033c",
    22886311: "0x96da94ee13c7a5d0c2b9e9a92abea03c7dcc41327c0989e819322a6ba143eddc",
    22886464: "0x8829c0290664efa831297b53f078e36ab00353717a511c9bbc367491e8c0fbb4",
}


def _build(fx: ExecutorFixture):  # type: ignore[no-untyped-def]
    builder = StatelessL2Builder(
        fx.rollup_config, DictTrieProvider(fx.preimages), NoopTrieHinter(), fx.parent_header
    )
    return builder.build_block(fx.attributes)


@pytest.mark.parametrize("path", CURRENT + HISTORY, ids=lambda p: p.name)
def test_block_hash_matches(path: Path) -> None:
    fx = load_fixture(path)
    result = _build(fx)
    assert result.block_hash == fx.expected_block_hash
    assert result.block_hash == from_hex(EXPECTED[fx.number])
    assert result.header.number == fx.number
    assert len(result.receipts) == len(fx.attributes.transactions)
    assert result.receipts[-1].cumulative_gas_used == result.header.gas_used


@pytest.mark.parametrize(
    ("block", "child"),
    [
        ("executor/block-26207960.json", "executor/block-26207961.json"),
        ("executor/block-26207962.json", "executor/block-26207963.json"),
        ("executor-history/block-22884230.json.gz", "executor-history/block-22884231.json.gz"),
    ],
)
def test_every_header_field_matches_the_chain(block: str, child: str) -> None:
    fx = load_fixture(KONA / block)
    real_header = load_fixture(KONA / child).parent_header
    result = _build(fx)
    check_header(real_header, result.header)
    assert result.header == real_header


def test_missing_preimage_names_the_hash() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207960.json")
    root = fx.parent_header.state_root
    broken = dataclasses.replace(fx, preimages={k: v for k, v in fx.preimages.items() if k != root})
    with pytest.raises(MissingPreimageError, match=f"trie node 0x{root.hex()} not available"):
        _build(broken)


def test_corrupted_deep_node_names_the_hash() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207963.json")
    # Drop a bytecode the block runs: the error names it.
    code_hashes = [k for k, v in fx.preimages.items() if v[:1] not in (b"\xf8", b"\xf9") and len(v) > 600]
    victim = code_hashes[0]
    broken = dataclasses.replace(fx, preimages={k: v for k, v in fx.preimages.items() if k != victim})
    with pytest.raises(MissingPreimageError, match=f"0x{victim.hex()} not available"):
        _build(broken)


def test_wrong_parent_is_reported_per_field() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207960.json")
    real_header = load_fixture(KONA / "executor" / "block-26207961.json").parent_header
    # A parent with a different gas used: same state, other base fee and parent hash.
    wrong_parent = dataclasses.replace(fx.parent_header, gas_used=fx.parent_header.gas_limit, _hash=None)
    built = _build(dataclasses.replace(fx, parent_header=wrong_parent))
    assert built.block_hash != fx.expected_block_hash
    with pytest.raises(HeaderMismatchError) as info:
        check_header(real_header, built.header)
    message = str(info.value)
    assert "parent hash: expected 0x" in message and "base fee per gas: expected" in message
    assert f"expected {real_header.base_fee_per_gas}, computed {built.header.base_fee_per_gas}" in message


def test_parent_from_another_block_misses_its_state() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207960.json")
    other = load_fixture(KONA / "executor" / "block-26208384.json").parent_header
    bad = dataclasses.replace(fx, parent_header=other)
    attrs = dataclasses.replace(fx.attributes, timestamp=other.timestamp + 2)
    with pytest.raises(MissingPreimageError, match=f"0x{other.state_root.hex()}"):
        StatelessL2Builder(bad.rollup_config, DictTrieProvider(bad.preimages), None, other).build_block(attrs)


def test_invalid_payload_errors() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207960.json")
    builder = StatelessL2Builder(fx.rollup_config, DictTrieProvider(fx.preimages), None, fx.parent_header)
    with pytest.raises(ExecutionError, match="not after the parent"):
        builder.build_block(dataclasses.replace(fx.attributes, timestamp=fx.parent_header.timestamp))
    with pytest.raises(ExecutionError, match="eip1559Params"):
        builder.build_block(dataclasses.replace(fx.attributes, eip1559_params=None))
    txs = fx.attributes.transactions
    with pytest.raises(ExecutionError, match="transaction 1"):
        builder.build_block(dataclasses.replace(fx.attributes, transactions=(txs[0], txs[1][:-3])))


def test_base_fee_and_extra_data() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207961.json")
    rules = ChainRules.from_config(fx.rollup_config)
    ts = fx.attributes.timestamp
    assert rules.fork_at(ts) is OpFork.HOLOCENE
    real_header = load_fixture(KONA / "executor" / "block-26207962.json").parent_header
    assert next_base_fee(rules, fx.parent_header, ts) == real_header.base_fee_per_gas
    assert encode_extra_data(rules, fx.attributes, ts) == real_header.extra_data
    zero = dataclasses.replace(fx.attributes, eip1559_params=b"\x00" * 8)
    assert encode_extra_data(rules, zero, ts) == bytes.fromhex("00000000fa00000006")


def test_chain_rules_from_old_kona_config() -> None:
    fx = load_fixture(KONA / "executor-history" / "block-22880574.json.gz")
    rules = ChainRules.from_config(fx.rollup_config)
    assert rules.base_fee_params(0) == (50, 6)
    assert rules.base_fee_params(fx.attributes.timestamp) == (250, 6)
    assert rules.fork_at(fx.attributes.timestamp) is OpFork.HOLOCENE
    unichain = ChainRules.from_config(
        load_fixture(KONA / "executor-history" / "block-10211000.json.gz").rollup_config
    )
    # Unichain's config omits regolith_time; Canyon at genesis implies it.
    assert unichain.is_active(OpFork.REGOLITH, 0)


def test_attributes_json_round_trip() -> None:
    fx = load_fixture(KONA / "executor" / "block-26207962.json")
    again = OpPayloadAttributes.from_json(fx.attributes.to_json())
    assert again == fx.attributes
    assert len(again.transactions) == 48
    assert again.eip1559_params == bytes.fromhex("000000fa00000006")


def test_cli_execute_fixture() -> None:
    files = [
        str(KONA / "executor" / "block-26207960.json"),
        str(KONA / "executor-history" / "block-10211000.json.gz"),
    ]
    result = CliRunner().invoke(execute_fixture_cmd, files)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("block=26207960 txs=10 gas=953624 ")
    assert f"computed={EXPECTED[26207960]} match=true" in lines[0]
    assert "output_root=" in lines[0] and "mgas_per_s=" in lines[0]


def test_cli_exit_code_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = CliRunner().invoke(execute_fixture_cmd, [str(bad)])
    assert result.exit_code == 1
    assert "match=false" in result.output and "missing field" in result.output


def test_rocksdb_fixture_without_rocksdict_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rocksdict", None)
    with pytest.raises(FixtureError, match=r"rocksdict \(pip install 'mauna\[rocksdb\]'\)"):
        load_fixture(KONA / "executor" / "block-26207960.tar.gz")


@pytest.mark.slow
def test_rocksdb_fixture_builds() -> None:
    """kona's original RocksDB fixture (needs the ``rocksdb`` extra: rocksdict)."""
    fx = load_fixture(KONA / "executor" / "block-26207960.tar.gz")
    assert fx.preimages == load_fixture(KONA / "executor" / "block-26207960.json").preimages
    assert _build(fx).block_hash == from_hex(EXPECTED[26207960])
