"""``mauna execute-fixture``: build real blocks statelessly and compare their hashes."""

from __future__ import annotations

import click


@click.command("execute-fixture")
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per block.")
def execute_fixture_cmd(files: tuple[str, ...], as_json: bool) -> None:
    """Execute kona executor fixtures (.json, .json.gz, .tar.gz) and check each block hash."""
    raise click.ClickException("not implemented yet")
