"""``mauna execute-fixture``: build real blocks statelessly and compare their hashes.

One line per block: ``block=<n> txs=<k> gas=<used> expected=0x… computed=0x… match=<bool>
seconds=<t> mgas_per_s=<r> output_root=0x…`` (``--json``: one JSON object per block). The exit
code is 0 only if every block matches; a block that cannot be built prints ``error=…``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from mauna.errors import MaunaError
from mauna.executor.builder import StatelessL2Builder, header_differences
from mauna.executor.fixture import load_fixture
from mauna.mpt.provider import DictTrieProvider
from mauna.primitives.bytes import to_hex


def execute_one(path: str) -> dict[str, Any]:
    try:
        fixture = load_fixture(path)
    except MaunaError as exc:
        return {"file": path, "block": None, "match": False, "error": f"{type(exc).__name__}: {exc}"}
    provider = DictTrieProvider(fixture.preimages)
    row: dict[str, Any] = {
        "file": path,
        "block": fixture.number,
        "txs": len(fixture.attributes.transactions),
        "expected": to_hex(fixture.expected_block_hash),
    }
    try:
        builder = StatelessL2Builder(fixture.rollup_config, provider, None, fixture.parent_header)
        result = builder.build_block(fixture.attributes)
    except MaunaError as exc:
        row.update(match=False, error=f"{type(exc).__name__}: {exc}")
        return row
    gas = result.header.gas_used
    computed = result.block_hash
    match = computed == fixture.expected_block_hash
    output_root = result.output_root
    row.update(
        gas=gas,
        computed=to_hex(computed),
        match=match,
        seconds=round(result.seconds, 3),
        mgas_per_s=round(gas / 1e6 / result.seconds, 2) if result.seconds > 0 else 0.0,
        output_root=to_hex(output_root) if output_root is not None else None,
    )
    if not match:
        # With the expected header in the witness, say which fields differ.
        try:
            expected_header = provider.header_by_hash(fixture.expected_block_hash)
        except MaunaError:
            row["mismatch"] = "block hash differs (expected header not in the witness)"
        else:
            row["mismatch"] = "; ".join(header_differences(expected_header, result.header))
    return row


def format_row(row: dict[str, Any]) -> str:
    if "error" in row:
        if row["block"] is None:
            return f"file={row['file']} match=false error={row['error']}"
        head = f"block={row['block']} txs={row['txs']} expected={row['expected']}"
        return f"{head} match=false error={row['error']}"
    output_root = row["output_root"] or "unavailable(witness lacks the L2ToL1MessagePasser account)"
    text = (
        f"block={row['block']} txs={row['txs']} gas={row['gas']} expected={row['expected']} "
        f"computed={row['computed']} match={str(row['match']).lower()} seconds={row['seconds']:.3f} "
        f"mgas_per_s={row['mgas_per_s']:.2f} output_root={output_root}"
    )
    if "mismatch" in row:
        text += f" mismatch={row['mismatch']}"
    return text


@click.command("execute-fixture")
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block.")
def execute_fixture_cmd(files: tuple[str, ...], as_json: bool) -> None:
    """Execute kona executor fixtures (.json, .json.gz, .tar.gz) and check each block hash."""
    all_match = True
    for path in files:
        row = execute_one(path)
        all_match = all_match and bool(row.get("match"))
        click.echo(json.dumps(row) if as_json else format_row(row))
    if not all_match:
        sys.exit(1)
