"""The ``tabadul`` command: thin wrappers over the services.

Each command group lives in a module named after what it manages and is
registered here; commands that a script would read take ``--json``.
"""

from __future__ import annotations

import os

import click

from tabadul import __version__
from tabadul.logs import configure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tabadul")
def main() -> None:
    """Tabadul node administration and analysis commands."""
    configure(os.environ.get("TABADUL_LOG_LEVEL", "info"))


def _register() -> None:
    # Imported here so that `tabadul --help` stays quick to define and the
    # command modules can import this package's `main` without a cycle.
    from tabadul.cli.audit import audit
    from tabadul.cli.correlation import correlate
    from tabadul.cli.demo import demo
    from tabadul.cli.exchange import agreement, exchange, partner, share
    from tabadul.cli.jobs import jobs
    from tabadul.cli.names import names
    from tabadul.cli.nodes import init, serve, worker
    from tabadul.cli.search import reindex, search_command
    from tabadul.cli.transfer import export, import_
    from tabadul.cli.users import token, user

    commands = (init, serve, worker, user, token, import_, export, jobs, audit, correlate, names)
    extra = (search_command, reindex, partner, agreement, share, exchange, demo)
    for command in (*commands, *extra):
        main.add_command(command)


_register()
