"""``tabadul jobs …``: look at the job queue and give failed jobs another chance."""

from __future__ import annotations

from pathlib import Path

import click

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.errors import NotFound
from tabadul.storage import jobs as queue


@click.group()
def jobs() -> None:
    """Inspect the durable job queue."""


@jobs.command("list")
@data_dir_option
@click.option("--status", type=click.Choice([s.value for s in queue.JobStatus]), default=None)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@json_option
@reports_errors
def jobs_list(data_dir: Path, status: str | None, limit: int, as_json: bool) -> None:
    """List jobs (oldest first) with their attempts and last error."""
    with opened(data_dir) as node, node.db.reading() as session:
        rows = queue.list_jobs(session, queue.JobStatus(status) if status else None, limit)
        counts = queue.count_by_status(session)
    data = [
        {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "attempts": r.attempts,
            "max_attempts": r.max_attempts,
            "run_after": r.run_after.isoformat(),
            "last_error": r.last_error,
        }
        for r in rows
    ]
    lines = [
        f"{j['id']:>8} {j['kind']:<28} {j['status']:<8} {j['attempts']}/{j['max_attempts']}"
        f"  {j['last_error'] or ''}"
        for j in data
    ]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "queue empty"
    emit(data, as_json, "\n".join([*lines, summary]))


@jobs.command("retry")
@data_dir_option
@click.option("--id", "job_id", required=True, type=int)
@reports_errors
def jobs_retry(data_dir: Path, job_id: int) -> None:
    """Put a failed job back in the queue with a fresh set of attempts."""
    with opened(data_dir) as node, node.db.transaction() as session:
        if not queue.requeue_failed(session, job_id):
            raise NotFound(f"no failed job {job_id}")
    click.echo(f"Job {job_id} queued again.")
