"""Entry point of the ``mauna`` console script."""

from __future__ import annotations

import sys

import click

from mauna import __version__
from mauna.cli.chains import chains_cmd, config_cmd
from mauna.cli.decode import decode_group, encode_group
from mauna.cli.demo import demo_cmd
from mauna.cli.derive import derive_cmd
from mauna.cli.execute import execute_fixture_cmd
from mauna.cli.proof import client_cmd, host_cmd
from mauna.errors import MaunaError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mauna")
def cli() -> None:
    """mauna: the OP Stack consensus stack in Python.

    Chain configs for every Superchain chain, the OP Stack wire formats, stateless block execution,
    the derivation pipeline and the fault-proof program.
    """


cli.add_command(chains_cmd)
cli.add_command(config_cmd)
cli.add_command(decode_group)
cli.add_command(encode_group)
cli.add_command(execute_fixture_cmd)
cli.add_command(derive_cmd)
cli.add_command(demo_cmd)
cli.add_command(host_cmd)
cli.add_command(client_cmd)


def main() -> None:
    """Run the CLI; a :class:`MaunaError` becomes one line on stderr and exit code 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except MaunaError as exc:
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
