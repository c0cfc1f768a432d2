"""``tabadul import`` and ``tabadul export``: JSON Lines in and out of a node."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.services import accounts, exports, imports


@click.command("import")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Write bad lines to the rejects file and go on.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where --skip-bad writes rejected lines (default: FILE.rejects.jsonl).",
)
@click.option("--user", "username", default=None, help="Record the import as this user's.")
@json_option
@reports_errors
def import_(
    data_dir: Path,
    file: Path,
    skip_bad: bool,
    rejects: Path | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Import reports and FollowTheMoney entities from a JSON Lines FILE."""
    rejects_path = rejects or file.with_name(file.name + ".rejects.jsonl")
    rejects_file: IO[str] | None = None

    def on_reject(number: int, text: str, reason: str) -> None:
        nonlocal rejects_file
        if rejects_file is None:
            rejects_file = rejects_path.open("w", encoding="utf-8")
        rejects_file.write(
            json.dumps({"line": number, "reason": reason, "text": text}, ensure_ascii=False) + "\n"
        )

    with opened(data_dir) as node:
        actor = accounts.principal_named(node, username) if username else None
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        with file.open(encoding="utf-8") as handle, progress:
            task = progress.add_task("import", total=file.stat().st_size)
            consumed = 0

            def lines() -> Iterator[str]:
                nonlocal consumed
                for line in handle:
                    consumed += len(line.encode("utf-8"))
                    yield line.rstrip("\n")

            try:
                result = imports.import_lines(
                    node,
                    lines(),
                    skip_bad=skip_bad,
                    on_reject=on_reject,
                    progress=lambda _n: progress.update(task, completed=consumed),
                    actor=actor,
                )
            finally:
                if rejects_file is not None:
                    rejects_file.close()
    data = {
        "lines": result.lines,
        "reports": result.reports,
        "versions": result.versions,
        "entities_created": result.entities_created,
        "entities_merged": result.entities_merged,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "rejects_file": str(rejects_path) if result.rejected else None,
    }
    text = (
        f"{result.lines} lines: {result.reports} new reports, {result.versions} versions, "
        f"{result.entities_created} entities created, {result.entities_merged} merged, "
        f"{result.unchanged} unchanged"
    )
    if result.rejected:
        text += f"; {result.rejected} rejected (see {rejects_path})"
    emit(data, as_json, text)


@click.command("export")
@data_dir_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--as-user", "username", default=None, help="Only what this user may read.")
@click.option("--purpose", required=True, help="Why the export is made (kept in the audit log).")
@reports_errors
def export(data_dir: Path, output: Path | None, username: str | None, purpose: str) -> None:
    """Export every entity and every report version as JSON Lines."""
    with opened(data_dir) as node:
        actor = accounts.principal_named(node, username) if username else None
        if output is None:
            for line in exports.export_lines(node, actor, purpose):
                sys.stdout.write(line + "\n")
            return
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for line in exports.export_lines(node, actor, purpose):
                handle.write(line + "\n")
        partial.replace(output)  # a reader never sees a half-written export
