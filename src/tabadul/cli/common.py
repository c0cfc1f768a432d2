"""What every command shares: the ``--data-dir`` option, opening the node, printing results."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from tabadul.errors import TabadulError
from tabadul.services.node import Node
from tabadul.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    envvar="TABADUL_DATA_DIR",
    help="The node's data directory (or TABADUL_DATA_DIR).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def reports_errors(fn: F) -> F:
    """Turn Tabadul errors into one 'error: …' line on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TabadulError as exc:
            click.echo(f"error: {exc.message}", err=True)
            for detail in exc.details:
                if detail.field and detail.field not in exc.message:
                    click.echo(f"  {detail.field}: {detail.message}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def settings_for(data_dir: Path) -> Settings:
    """The settings of the node in ``data_dir``."""
    return load_settings(data_dir)


@contextmanager
def opened(data_dir: Path) -> Iterator[Node]:
    """The node in ``data_dir``, closed again when the block ends."""
    node = Node.open(settings_for(data_dir))
    try:
        yield node
    finally:
        node.close()


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print ``data`` as JSON, or ``text`` for a person."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)
