"""``mauna demo``: the most complete end-to-end run mauna can do offline."""

from __future__ import annotations

import click


@click.command("demo")
def demo_cmd() -> None:
    """Decode real batcher data and print the L2 blocks it carries."""
    raise click.ClickException("not implemented yet")
