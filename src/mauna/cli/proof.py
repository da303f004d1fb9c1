"""``mauna host`` and ``mauna client``: the fault-proof host and program (kona-host / kona-client).

``mauna host --native`` starts the program as a child process wired to the host over descriptors
3-6 and exits with its exit code (0 valid claim, 1 invalid claim, 2 failure). Without node
addresses the host is offline and serves ``--data-dir`` alone. ``--server`` serves a program
started by someone else (a fault-proof VM) on the host's own descriptors 3-6.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mauna.errors import MaunaError
from mauna.genesis.registry import load_chain
from mauna.genesis.rollup_config import RollupConfig
from mauna.preimage.channel import standard_hint_pipe, standard_preimage_pipe
from mauna.proof.client import configure_logging, run_client
from mauna.proof.host.fetcher import JsonRpc, OnlineFetcher
from mauna.proof.host.kv import (
    DiskKeyValueStore,
    KeyValueStore,
    LocalKeyValueStore,
    MemoryKeyValueStore,
    SplitKeyValueStore,
)
from mauna.proof.host.server import HostServer, run_native


def _hash32(ctx: click.Context, param: click.Parameter, value: str | None) -> bytes | None:
    del ctx
    if value is None:
        return None
    text = value.removeprefix("0x").removeprefix("0X")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not hex") from None
    if len(raw) != 32:
        raise click.BadParameter(f"expected 32 bytes, got {len(raw)}")
    return raw


@click.command("host")
@click.option("--l1-head", required=True, callback=_hash32, help="L1 head block hash.")
@click.option("--agreed-l2-head-hash", callback=_hash32, help="Hash of the agreed L2 block (online hosts).")
@click.option("--agreed-l2-output-root", required=True, callback=_hash32, help="Agreed L2 output root.")
@click.option("--claimed-l2-output-root", required=True, callback=_hash32, help="Disputed L2 output root.")
@click.option("--claimed-l2-block-number", required=True, type=click.IntRange(0, 2**64 - 1))
@click.option("--l2-chain-id", type=click.IntRange(0, 2**64 - 1), help="L2 chain id (built-in chains).")
@click.option("--rollup-config-path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--l1-node-address", help="L1 execution JSON-RPC URL.")
@click.option("--l1-beacon-address", help="L1 beacon API URL.")
@click.option("--l2-node-address", help="L2 execution JSON-RPC URL.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Pre-image directory.")
@click.option("--native", is_flag=True, help="Run the program as a child process.")
@click.option("--server", is_flag=True, help="Serve a program on this process's descriptors 3-6.")
@click.option(
    "--local-keys",
    type=click.Choice(["kona", "op-program"]),
    default="kona",
    show_default=True,
    help="Numbering of the custom-chain config local keys.",
)
@click.option("-v", "--verbose", is_flag=True)
def host_cmd(
    l1_head: bytes,
    agreed_l2_head_hash: bytes | None,
    agreed_l2_output_root: bytes,
    claimed_l2_output_root: bytes,
    claimed_l2_block_number: int,
    l2_chain_id: int | None,
    rollup_config_path: Path | None,
    l1_node_address: str | None,
    l1_beacon_address: str | None,
    l2_node_address: str | None,
    data_dir: Path | None,
    native: bool,
    server: bool,
    local_keys: str,
    verbose: bool,
) -> None:
    """The fault-proof host: serve pre-images and hints to the program."""
    configure_logging("debug" if verbose else "info")
    if native == server:
        raise click.UsageError("pass exactly one of --native and --server")
    if rollup_config_path is not None:
        config = RollupConfig.from_json(json.loads(rollup_config_path.read_text()))
        config_json: bytes | None = json.dumps(config.to_op_node_json(include_extensions=True)).encode()
    elif l2_chain_id is not None:
        config = load_chain(l2_chain_id).rollup_config
        config_json = None
    else:
        raise click.UsageError("pass --l2-chain-id or --rollup-config-path")
    if l2_chain_id is not None and l2_chain_id != config.l2_chain_id:
        raise click.UsageError(
            f"--l2-chain-id {l2_chain_id} differs from the rollup config's {config.l2_chain_id}"
        )
    local = LocalKeyValueStore.from_boot_info(
        l1_head=l1_head,
        agreed_l2_output_root=agreed_l2_output_root,
        claimed_l2_output_root=claimed_l2_output_root,
        claimed_l2_block_number=claimed_l2_block_number,
        l2_chain_id=config.l2_chain_id,
        rollup_config=config_json,
        layout="kona" if local_keys == "kona" else "op-program",
    )
    remote: KeyValueStore = DiskKeyValueStore(data_dir) if data_dir is not None else MemoryKeyValueStore()
    kv = SplitKeyValueStore(local, remote)
    online = any((l1_node_address, l2_node_address, l1_beacon_address))
    handler = None
    if online:
        handler = OnlineFetcher(
            kv,
            JsonRpc(l1_node_address) if l1_node_address else None,
            JsonRpc(l2_node_address) if l2_node_address else None,
            l1_beacon_address,
            agreed_l2_head_hash,
        )
    elif data_dir is None:
        raise click.UsageError("an offline host needs --data-dir")
    if native:
        command = [sys.executable, "-m", "mauna.proof.client"]
        if local_keys == "op-program":
            command.append("--op-program-keys")
        result = run_native(kv, hint_handler=handler, command=command)
        sys.exit(result.exit_code)
    host = HostServer(kv, standard_hint_pipe(), standard_preimage_pipe(), hint_handler=handler)
    host.start()
    host.join()
    sys.exit(2 if host.errors else 0)


@click.command("client")
@click.option(
    "--local-keys",
    type=click.Choice(["kona", "op-program"]),
    default="kona",
    show_default=True,
    help="Numbering of the custom-chain config local keys.",
)
@click.option("-v", "--verbose", is_flag=True)
def client_cmd(local_keys: str, verbose: bool) -> None:
    """The fault-proof program: verify the claim its host serves on descriptors 3-6; exit 0/1."""
    configure_logging("debug" if verbose else "info")
    try:
        code = run_client(layout="kona" if local_keys == "kona" else "op-program")
    except MaunaError as exc:
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        code = 2
    sys.exit(code)


@click.group()
def proof_cli() -> None:
    """Fault-proof host and client (also reachable as ``python -m mauna.cli.proof``)."""


proof_cli.add_command(host_cmd)
proof_cli.add_command(client_cmd)

if __name__ == "__main__":
    proof_cli()
