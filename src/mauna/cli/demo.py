"""``mauna demo``: the most complete end-to-end run mauna can do offline, on real chain data.

1. Real OP Mainnet batcher data: a batcher transaction's frames, its channel, and the span batch
   inside, expanded into the L2 blocks it carries (numbers from OP Mainnet's rollup config).
2. Real OP Sepolia blocks executed statelessly from their witnesses, each checked against the
   chain's block hash.
3. The fault-proof program on the offline case: the host serves pre-images from disk to the
   client, a child process on file descriptors 3-6, which derives and executes the disputed blocks
   and accepts the true output-root claim and rejects a claim with one byte flipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import click

from mauna.cli.decode import batcher_calldata
from mauna.cli.execute import execute_one, format_row
from mauna.genesis import RollupConfig, load_chain
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import HASH_ZERO, to_hex
from mauna.protocol.batch import RawSpanBatch, SingleBatch, decode_batch
from mauna.protocol.channel import Channel, read_channel
from mauna.protocol.frames import parse_frames

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
DEFAULT_DATA = FIXTURES / "kona"
PROOF_CASE = FIXTURES / "proof" / "case"


def _section(title: str) -> None:
    click.echo("")
    click.echo(click.style(f"== {title}", bold=True))


def _show_batches(items: list[bytes], config: RollupConfig, limit: int) -> int:
    """Print the L2 blocks of each batch; returns how many blocks were printed in all."""
    shown = 0
    for item in items:
        batch = decode_batch(item)
        if isinstance(batch, SingleBatch):
            click.echo(f"  singular batch: timestamp={batch.timestamp} epoch={batch.epoch_num} "
                       f"txs={len(batch.transactions)}")
            shown += 1
            continue
        assert isinstance(batch, RawSpanBatch)
        span = batch.derive(config.block_time, config.genesis.l2_time, config.l2_chain_id)
        first = span.batches[0]
        last = span.batches[-1]
        number = config.genesis.l2.number + (first.timestamp - config.genesis.l2_time) // config.block_time
        click.echo(
            f"  span batch: {len(span.batches)} L2 blocks #{number}..#{number + len(span.batches) - 1}, "
            f"{span.tx_count()} txs, L1 origins {first.epoch_num}..{last.epoch_num}"
        )
        for i, el in enumerate(span.batches):
            if i < limit or i == len(span.batches) - 1:
                types: dict[int, int] = {}
                for tx in el.transactions:
                    kind = tx[0] if tx[0] < 0x7F else 0
                    types[kind] = types.get(kind, 0) + 1
                mix = " ".join(f"type{k}={v}" for k, v in sorted(types.items()))
                click.echo(
                    f"    block #{number + i} time={el.timestamp} l1_origin={el.epoch_num} "
                    f"txs={len(el.transactions)} ({mix})"
                )
            elif i == limit:
                click.echo(f"    … {len(span.batches) - limit - 1} more blocks …")
        shown += len(span.batches)
    return shown


@click.command("demo")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Directory of the real fixtures (the repository's tests/fixtures/kona).",
)
@click.option("--blocks", default=4, show_default=True, help="L2 blocks to list per span batch.")
def demo_cmd(data_dir: Path, blocks: int) -> None:
    """Decode real batcher data and execute real blocks, checked against the chain."""
    op_mainnet = load_chain("op-mainnet").rollup_config

    _section("1. A real OP Mainnet batcher transaction → frames → channel → L2 blocks")
    raw_tx = (data_dir / "derive" / "raw_batcher_tx.hex").read_bytes()
    frames = parse_frames(batcher_calldata(raw_tx))
    click.echo(f"  batcher tx: {len(raw_tx):,} bytes, {len(frames)} frame(s)")
    channels: dict[bytes, Channel] = {}
    for frame in frames:
        click.echo(f"  frame: channel={to_hex(frame.channel_id)} number={frame.number} "
                   f"data={len(frame.data):,} bytes last={frame.is_last}")
        channel = channels.setdefault(frame.channel_id, Channel(frame.channel_id, BlockID(HASH_ZERO, 0)))
        channel.add_frame(frame, BlockID(HASH_ZERO, 0))
    for channel in channels.values():
        if channel.is_ready():
            items = read_channel(channel.frame_data(), op_mainnet.max_rlp_bytes_per_channel(
                op_mainnet.genesis.l2_time), fjord=False)
            _show_batches(items, op_mainnet, blocks)

    _section("2. A real OP Mainnet channel (zlib) → span batch → L2 blocks")
    channel_data = bytes.fromhex((data_dir / "derive" / "batch.hex").read_text().strip())
    items = read_channel(channel_data, 100_000_000, fjord=True)
    click.echo(f"  channel: {len(channel_data):,} compressed bytes, {len(items)} batch(es)")
    _show_batches(items, op_mainnet, blocks)

    _section("3. Real OP Sepolia blocks executed statelessly from their witnesses")
    start = time.perf_counter()
    rows = [execute_one(str(p)) for p in sorted((data_dir / "executor").glob("block-*.json"))]
    for row in rows:
        click.echo("  " + format_row(row))
    matched = sum(1 for row in rows if row.get("match"))
    click.echo(f"  {matched}/{len(rows)} blocks reproduce the chain's block hash "
               f"({time.perf_counter() - start:.1f} s)")
    failed = matched != len(rows)

    _section("4. The fault-proof program: host and client over pipes, offline")
    failed |= not _prove(PROOF_CASE)
    if failed:
        raise click.exceptions.Exit(1)


def _prove(case_dir: Path) -> bool:
    """Run the true and a corrupted claim of the offline case; True if both verdicts are right."""
    boot = json.loads((case_dir / "case.json").read_text())["boot"]
    click.echo(
        f"  chain {boot['l2_chain_id']}: agreed L2 output {boot['agreed_l2_output_root'][:18]}…, claim "
        f"block {boot['claimed_l2_block_number']} output {boot['claimed_l2_output_root'][:18]}…"
    )
    rollup = json.loads((case_dir / "rollup.json").read_text())
    start, block_time = rollup["genesis"]["l2_time"], rollup["block_time"]
    forks = [
        f"{name.capitalize()} at block {(rollup[f'{name}_time'] - start) // block_time}"
        for name in ("isthmus", "jovian")
        if rollup.get(f"{name}_time") is not None
    ]
    if forks:
        click.echo(f"  the disputed blocks cross the activations: {', '.join(forks)}")
    claim = boot["claimed_l2_output_root"]
    flipped = claim[:-2] + f"{int(claim[-2:], 16) ^ 0x01:02x}"
    ok = True
    for label, root, expected in (("true claim", claim, 0), ("claim with one flipped byte", flipped, 1)):
        command = [
            sys.executable, "-m", "mauna.cli.main", "host", "--native",
            "--data-dir", str(case_dir / "preimages"),
            "--rollup-config-path", str(case_dir / "rollup.json"),
            "--l1-head", boot["l1_head"],
            "--agreed-l2-output-root", boot["agreed_l2_output_root"],
            "--claimed-l2-output-root", root,
            "--claimed-l2-block-number", str(boot["claimed_l2_block_number"]),
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        seconds = time.perf_counter() - start
        verdicts = {0: "VALID (exit 0)", 1: "INVALID (exit 1)"}
        verdict = verdicts.get(done.returncode, f"error {done.returncode}")
        right = done.returncode == expected
        ok &= right
        click.echo(f"  {label}: {verdict} in {seconds:.2f} s{'' if right else '  <-- unexpected'}")
        if done.returncode not in (0, 1):
            click.echo("    " + done.stderr.decode(errors="replace").strip().splitlines()[-1], err=True)
    return ok
