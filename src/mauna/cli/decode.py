"""``mauna decode …`` and ``mauna encode …``: JSON views of the OP Stack wire formats."""

from __future__ import annotations

import click


@click.group("decode")
def decode_group() -> None:
    """Decode OP Stack wire data (HEX or @FILE) to JSON on stdout."""


@click.group("encode")
def encode_group() -> None:
    """Encode OP Stack wire data from JSON."""
