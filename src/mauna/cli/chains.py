"""``mauna chains`` and ``mauna config CHAIN``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from mauna.genesis.registry import Registry, default_registry, list_chains, load_chain, load_registry_dir

_REGISTRY_OPTION = click.option(
    "--registry",
    "registry_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory with a custom configs.json (+ chainList.json) merged over the bundled registry.",
)


def _registry(registry_dir: Path | None) -> Registry:
    return default_registry() if registry_dir is None else load_registry_dir(registry_dir)


@click.command("chains")
@click.option(
    "--at",
    "at",
    type=click.IntRange(min=0),
    default=None,
    metavar="TIMESTAMP",
    help="Unix time at which to report the active fork (default: now).",
)
@_REGISTRY_OPTION
def chains_cmd(at: int | None, registry_dir: Path | None) -> None:
    """List every bundled chain: name, chain id, L1, active fork now."""
    timestamp = int(time.time()) if at is None else at
    rows = [("NAME", "IDENTIFIER", "CHAIN ID", "L1", "FORK")]
    for info in list_chains(_registry(registry_dir)):
        rows.append(
            (
                info.name,
                info.identifier,
                str(info.chain_id),
                info.l1_name,
                info.active_fork(timestamp).name.lower(),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if column == 2 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


@click.command("config")
@click.argument("chain")
@click.option(
    "--extensions",
    is_flag=True,
    default=False,
    help="Also write kona's fields op-node does not know (superchain_config_address, …).",
)
@_REGISTRY_OPTION
def config_cmd(chain: str, extensions: bool, registry_dir: Path | None) -> None:
    """Print the op-node rollup.json of CHAIN (name, identifier or chain id)."""
    info = load_chain(chain, _registry(registry_dir))
    click.echo(json.dumps(info.rollup_config.to_op_node_json(include_extensions=extensions), indent=2))
