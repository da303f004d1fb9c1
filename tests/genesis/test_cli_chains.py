"""``mauna chains`` and ``mauna config`` through click's CliRunner and the console entry point."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mauna.cli.main import cli, main
from mauna.genesis import RollupConfig, load_chain
from mauna.genesis.registry import UnknownChainError

CUSTOM = Path(__file__).parents[1] / "fixtures" / "kona" / "registry" / "custom"


def _rows(output: str) -> dict[str, list[str]]:
    lines = output.strip().splitlines()
    header = lines[0].split()
    assert header == ["NAME", "IDENTIFIER", "CHAIN", "ID", "L1", "FORK"]
    rows: dict[str, list[str]] = {}
    for line in lines[1:]:
        parts = line.split()
        # name may contain spaces; the last four columns never do
        rows[parts[-4]] = parts[-4:]
    return rows


def test_chains_table_at_timestamp() -> None:
    result = CliRunner().invoke(cli, ["chains", "--at", "1720627201"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert len(rows) == 65
    assert rows["mainnet/op"] == ["mainnet/op", "10", "mainnet", "fjord"]
    assert rows["mainnet/base"] == ["mainnet/base", "8453", "mainnet", "fjord"]
    assert rows["sepolia/op"] == ["sepolia/op", "11155420", "sepolia", "fjord"]
    assert rows["mainnet/unichain"][-1] == "granite"
    assert result.output.splitlines()[1].startswith("OP Mainnet ")


def test_chains_fork_changes_with_time() -> None:
    before = _rows(CliRunner().invoke(cli, ["chains", "--at", "1746806400"]).output)
    after = _rows(CliRunner().invoke(cli, ["chains", "--at", "1746806401"]).output)
    assert before["mainnet/op"][-1] == "holocene"
    assert after["mainnet/op"][-1] == "isthmus"


def test_chains_now_uses_current_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import mauna.cli.chains as chains_module

    monkeypatch.setattr(chains_module.time, "time", lambda: 1736445600.5)
    rows = _rows(CliRunner().invoke(cli, ["chains"]).output)
    assert rows["mainnet/op"][-1] == "granite"
    monkeypatch.setattr(chains_module.time, "time", lambda: 1736445601.0)
    rows = _rows(CliRunner().invoke(cli, ["chains"]).output)
    assert rows["mainnet/op"][-1] == "holocene"


def test_chains_custom_registry() -> None:
    result = CliRunner().invoke(cli, ["chains", "--at", "0", "--registry", str(CUSTOM)])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert rows["test1/testnet"] == ["test1/testnet", "123999119", "9999911112213", "regolith"]


def test_chains_rejects_bad_timestamp() -> None:
    result = CliRunner().invoke(cli, ["chains", "--at", "soon"])
    assert result.exit_code == 2
    assert "TIMESTAMP" in result.output or "soon" in result.output


@pytest.mark.parametrize("name", ["op-mainnet", "10", "mainnet/op"])
def test_config_prints_op_node_json(name: str) -> None:
    result = CliRunner().invoke(cli, ["config", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith('{\n  "genesis": {\n')
    data = json.loads(result.output)
    assert data["l2_chain_id"] == 10
    assert data["ecotone_time"] == 1710374401
    genesis_l2 = "0xdbf6a80fef073de06add9b0d14026d6e5a86c85f6d102c36d3d8e9cf89c2afd3"
    assert data["genesis"]["l2"]["hash"] == genesis_l2
    assert "superchain_config_address" not in data
    cfg = RollupConfig.from_op_node_json(data)
    assert cfg == RollupConfig.from_op_node_json(load_chain("op-mainnet").rollup_config.to_op_node_json())


def test_config_with_extensions_round_trips() -> None:
    result = CliRunner().invoke(cli, ["config", "base-sepolia", "--extensions"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["superchain_config_address"] == "0xc2be75506d5724086deb7245bd260cc9753911be"
    assert RollupConfig.from_json(data) == load_chain("base-sepolia").rollup_config


def test_config_unknown_chain_raises_mauna_error() -> None:
    result = CliRunner().invoke(cli, ["config", "xyz"])
    assert isinstance(result.exception, UnknownChainError)
    assert str(result.exception) == "unknown chain 'xyz'; try `mauna chains`"


def test_main_turns_unknown_chain_into_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["mauna", "config", "xyz"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: UnknownChainError: unknown chain 'xyz'; try `mauna chains`"
