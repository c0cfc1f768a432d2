"""``tabadul correlate``: re-correlate the holdings against each other and the watchlists."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.services import correlation
from tabadul.storage import matching as store


@click.command()
@data_dir_option
@click.option("--all", "everything", is_flag=True, required=True, help="Every entity held.")
@click.option("--restart", is_flag=True, help="Start again instead of resuming an interrupted run.")
@click.option("--chunk", default=correlation.CHUNK, show_default=True, type=click.IntRange(10))
@click.option(
    "--processes",
    default=os.cpu_count() or 1,
    show_default="the number of processors",
    type=click.IntRange(1, 64),
    help="Worker processes reading and scoring the chunks of both passes.",
)
@json_option
@reports_errors
def correlate(
    data_dir: Path, everything: bool, restart: bool, chunk: int, processes: int, as_json: bool
) -> None:
    """Re-correlate every entity (resumes after an interruption).

    Two passes: the keys of every entity, then every candidate pair once.
    New hits wait for review; decided pairs stay as decided.
    """
    with opened(data_dir) as node:
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        with progress:
            task = progress.add_task("keys", total=None)

            def shown(p: correlation.Progress) -> None:
                progress.update(task, description=p.phase, completed=p.done, total=p.total)

            result = correlation.correlate_all(
                node, restart=restart, chunk=chunk, on_progress=shown, processes=processes
            )
        with node.db.reading() as session:
            per_entity = store.hits_per_entity(session)
    data = {
        "run": result.run_id,
        "entities": result.total,
        "hits_raised": result.hits,
        "hits_per_entity": round(per_entity, 4),
    }
    emit(
        data,
        as_json,
        f"Correlated {result.total} entities: {result.hits} new hits "
        f"({per_entity:.3f} hits per entity held).",
    )
