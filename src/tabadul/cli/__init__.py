"""The ``tabadul`` command: thin wrappers over the services.

Each command group lives in a module named after what it manages and is
registered here; commands that a script would read take ``--json``.
"""

from __future__ import annotations

import click

from tabadul import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tabadul")
def main() -> None:
    """Tabadul node administration and analysis commands."""
