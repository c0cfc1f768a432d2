"""``tabadul audit …``: read, export, checkpoint and verify the tamper-evident audit log.

These commands act as the node's operator. Reading and exporting the log is
itself logged.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from tabadul.audit.checkpoints import Checkpoint
from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.errors import ValidationFailed
from tabadul.services import auditing
from tabadul.storage.audit_log import EventFilter


def filter_options(fn: Any) -> Any:
    """The options that narrow the log, shared by ``events`` and ``export``."""
    options = [
        click.option("--actor", default=None, help="Username (or operator name) who acted."),
        click.option("--record", default=None, help="A record, e.g. report:01a2… or user:ana."),
        click.option("--action", "name", default=None, help="An event name, e.g. report.viewed."),
        click.option("--category", default=None, help="collection, consultation, disclosure…"),
        click.option("--outcome", type=click.Choice(["allowed", "refused"]), default=None),
        click.option("--purpose", default=None, help="Text the stated purpose contains."),
        click.option("--since", type=click.DateTime(), default=None, help="From (UTC)."),
        click.option("--until", type=click.DateTime(), default=None, help="Before (UTC)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(**values: Any) -> EventFilter:
    for key in ("since", "until"):
        if values.get(key) is not None:
            values[key] = values[key].replace(tzinfo=dt.UTC)
    return EventFilter(**values)


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("events")
@data_dir_option
@filter_options
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, auditing.MAX_PAGE))
@json_option
@reports_errors
def audit_events(data_dir: Path, limit: int, as_json: bool, **filters: Any) -> None:
    """Events matching the filters, oldest first."""
    with opened(data_dir) as node:
        page = auditing.list_events(node, None, _filters(**filters), limit)
    rows = [dict(e.__dict__, at=e.at.isoformat()) for e in page.items]
    text = "\n".join(
        f"{e.seq:>8} {e.at:%Y-%m-%d %H:%M:%S} {e.actor['name']:<16} {e.name:<22} "
        f"{e.outcome:<8} {' '.join(e.records)[:60]}  {e.purpose or ''}"
        for e in page.items
    )
    emit(rows, as_json, text or "no events")


@audit.command("export")
@data_dir_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@reports_errors
def audit_export(data_dir: Path, fmt: str, output: Path | None, **filters: Any) -> None:
    """Export the matching events as JSON Lines or CSV."""
    with opened(data_dir) as node:
        lines = auditing.export_events(node, None, _filters(**filters), fmt)
        if output is None:
            for line in lines:
                sys.stdout.write(line)
            return
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(lines)
        partial.replace(output)


@audit.command("checkpoint")
@data_dir_option
@json_option
@reports_errors
def audit_checkpoint(data_dir: Path, as_json: bool) -> None:
    """Print the latest signed checkpoint (signing one first if the log has grown)."""
    with opened(data_dir) as node, node.db.transaction() as session:
        checkpoint = auditing.checkpoint_in(session, node, only_if_grown=True)
    data = checkpoint.to_dict()
    emit(
        data,
        as_json,
        f"{checkpoint.tree_size} events, root {checkpoint.root_hash}, signed "
        f"{data['signed_at']}\nsignature {checkpoint.signature}\nkeep it with --json",
    )


@audit.command("verify")
@data_dir_option
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A checkpoint kept elsewhere (the JSON of 'audit checkpoint --json').",
)
@json_option
@reports_errors
def audit_verify(data_dir: Path, checkpoint_file: Path | None, as_json: bool) -> None:
    """Recompute every hash and check every checkpoint; exit status 1 if anything is wrong."""
    kept = _read_checkpoint(checkpoint_file) if checkpoint_file else None
    with opened(data_dir) as node:
        outcome = auditing.verify_log(node, None, kept)
    report = auditing.verification_report(outcome)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif outcome.intact:
        kept_text = f"; it extends the kept checkpoint of {kept.tree_size}" if kept else ""
        click.echo(
            f"intact: {report['events']} events, {report['checkpoints_checked']} checkpoint(s) "
            f"checked{kept_text}"
        )
    else:
        first = outcome.first
        if first is not None:
            click.echo(f"TAMPERED: {first.message}", err=True)
        for problem in outcome.result.problems[1:10]:
            click.echo(f"  also: {problem.message}", err=True)
        if outcome.external:
            click.echo(f"TAMPERED: {outcome.external}", err=True)
    if not outcome.intact:
        sys.exit(1)


@audit.command("prove")
@data_dir_option
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
)
@reports_errors
def audit_prove(data_dir: Path, checkpoint_file: Path) -> None:
    """Print an RFC 6962 consistency proof from a kept checkpoint to a fresh one (JSON)."""
    kept = _read_checkpoint(checkpoint_file)
    with opened(data_dir) as node:
        proof = auditing.consistency(node, kept)
    click.echo(json.dumps(proof, indent=2))


def _read_checkpoint(path: Path) -> Checkpoint:
    try:
        return Checkpoint.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValidationFailed.field("checkpoint", f"{path} is not a checkpoint: {exc}") from None
