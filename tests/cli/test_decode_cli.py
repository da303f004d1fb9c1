"""``mauna decode`` / ``mauna encode`` on real data, and their one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mauna.cli.main import cli

KONA = Path(__file__).parents[1] / "fixtures" / "kona"


def run(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def first_payload_tx(block: int) -> str:
    fixture = json.loads((KONA / "executor" / f"block-{block}.json").read_text())
    return fixture["executing_payload"]["transactions"][0]


def test_decode_frames_of_real_batcher_tx() -> None:
    out = run("decode", "frames", f"@{KONA / 'derive' / 'raw_batcher_tx.hex'}")
    assert out["frame_count"] == 1
    assert out["frames"][0] == {
        "channel_id": "0xac329933f5efdcc35ccd284232a376d3",
        "frame_number": 0,
        "data_length": 119_799,
        "is_last": True,
    }


def test_decode_channel_expands_span_batch_with_chain() -> None:
    out = run("decode", "channel", f"@{KONA / 'derive' / 'batch.hex'}", "--chain", "op-mainnet")
    assert out["compression"] == "zlib"
    assert out["batch_count"] == 1
    batch = out["batches"][0]
    assert batch["batch_type"] == "span"
    assert batch["block_count"] == 143
    assert batch["tx_count"] == 1766
    blocks = batch["blocks"]
    assert len(blocks) == 143
    # OP Mainnet: genesis block 105235063 at 1686068903, 2 s blocks.
    assert blocks[0]["number"] == 121_382_930
    assert blocks[0]["timestamp"] == 1_718_364_637
    assert blocks[0]["epoch_num"] == 20_089_746
    assert blocks[-1]["epoch_num"] == 20_089_770
    assert len(blocks[0]["transactions"]) == 20


def test_decode_batch_raw_span_batch() -> None:
    raw = (KONA / "protocol" / "raw_span_batch.hex").read_bytes()
    out = run("decode", "batch", "0x01" + raw.hex())
    assert out["batch_type"] == "span"
    assert out["block_count"] == 4
    assert out["block_tx_counts"] == [8, 15, 15, 1]


def test_l1_info_decode_then_encode_is_byte_identical() -> None:
    for block in (26207960, 26208384):
        tx = first_payload_tx(block)
        decoded = run("decode", "l1-info", tx)
        assert decoded["fork"] == "ecotone"
        assert decoded["base_fee_scalar"] == 7600
        assert decoded["blob_base_fee_scalar"] == 862000
        fork = decoded.pop("fork")
        result = CliRunner().invoke(cli, ["encode", "l1-info", "--fork", fork, "--json", json.dumps(decoded)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == tx


def test_decode_l1_info_from_bare_calldata_reports_source_hash() -> None:
    tx = first_payload_tx(26207960)
    from_tx = run("decode", "l1-info", tx)
    calldata = run("decode", "deposit-tx", tx)["data"]
    from_calldata = run("decode", "l1-info", calldata)
    assert from_calldata == from_tx
    assert from_tx["source_hash"] == "0x77efb5d9d697e7e37fffcb8b904e28df49667b73d9fc17515eb0e4a0c377d3db"


def test_decode_deposit_tx_fields() -> None:
    out = run("decode", "deposit-tx", first_payload_tx(26207960))
    assert out["from"] == "0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001"
    assert out["to"] == "0x4200000000000000000000000000000000000015"
    assert out["gas"] == 1_000_000
    assert out["is_system_tx"] is False
    assert out["tx_hash"] == "0x24b776bee9799bef3cc487401151d71c08241255882633870b442c673651ce60"


def test_bad_input_is_one_line_and_exit_2() -> None:
    for args in (
        ["decode", "l1-info", "0x1234"],
        ["decode", "frames", "0x00ff"],
        ["decode", "deposit-tx", "0x02c0"],
        ["decode", "batch", "0x07"],
        ["decode", "channel", "0x55aa"],
        ["decode", "frames", "zz"],
        ["encode", "l1-info", "--fork", "ecotone", "--json", "{"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "mauna.cli.main", *args], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, proc.stderr)


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (
        [], ["decode"], ["encode"], ["decode", "frames"], ["decode", "channel"], ["decode", "batch"],
        ["decode", "deposit-tx"], ["decode", "l1-info"], ["encode", "l1-info"], ["chains"], ["config"],
        ["execute-fixture"], ["demo"],
    ):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, args
        assert "Usage:" in result.output
