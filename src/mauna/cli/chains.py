"""``mauna chains`` and ``mauna config CHAIN``."""

from __future__ import annotations

import click


@click.command("chains")
def chains_cmd() -> None:
    """List every bundled chain: name, chain id, L1, active fork now."""
    raise click.ClickException("not implemented yet")


@click.command("config")
@click.argument("chain")
def config_cmd(chain: str) -> None:
    """Print the op-node rollup.json of CHAIN (name, identifier or chain id)."""
    raise click.ClickException("not implemented yet")
