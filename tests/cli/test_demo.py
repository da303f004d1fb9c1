"""``mauna demo`` runs offline on the repository's real fixtures and reports real values."""

from __future__ import annotations

from click.testing import CliRunner

from mauna.cli.main import cli


def test_demo_decodes_batches_and_reproduces_blocks() -> None:
    result = CliRunner().invoke(cli, ["demo", "--blocks", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "span batch: 27 L2 blocks #117369690..#117369716, 209 txs" in out
    assert "span batch: 143 L2 blocks #121382930..#121383072, 1766 txs" in out
    assert "5/5 blocks reproduce the chain's block hash" in out
    assert "true claim: VALID (exit 0)" in out
    assert "claim with one flipped byte: INVALID (exit 1)" in out
    assert "computed=0x26733c902943d6075a7a97b3617cca3df816f64acd733aa1989d1648cef739e4 match=true" in out
