"""The durable job queue's table operations: enqueue, claim, finish, retry, fail.

A job is written in the same transaction as the change that needs it, so a
change is never stored without its follow-up work and no job exists for a
change that rolled back. Workers claim a job with a lease; a worker that dies
leaves the lease to expire and another worker takes the job over. A job that
keeps failing is kept as ``failed`` with its last error, never dropped.

On PostgreSQL claiming uses ``FOR UPDATE SKIP LOCKED`` so any number of
workers share the queue without waiting on each other; on SQLite the writer
lock (``BEGIN IMMEDIATE``) already serialises them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from tabadul.storage.tables import JobRow, table
from tabadul.storage.types import utcnow

ENQUEUED_FLAG = "tabadul.jobs_enqueued"
MAX_ERROR_LENGTH = 4000


class JobStatus(enum.Enum):
    """Where a job is: waiting, being worked on, or given up (kept for an operator)."""

    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """A claimed job, as a worker sees it."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    max_attempts: int,
    run_after: dt.datetime | None = None,
) -> None:
    """Add a job in the caller's transaction; it becomes visible when that commits."""
    enqueue_many(session, kind, [payload], max_attempts=max_attempts, run_after=run_after)


def enqueue_many(
    session: Session,
    kind: str,
    payloads: list[dict[str, Any]],
    *,
    max_attempts: int,
    run_after: dt.datetime | None = None,
) -> None:
    """Add one job per payload in the caller's transaction (one round trip)."""
    if not payloads:
        return
    now = utcnow()
    rows = [
        {
            "kind": kind,
            "payload": payload,
            "status": JobStatus.QUEUED.value,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_after": run_after or now,
            "created_at": now,
            "updated_at": now,
        }
        for payload in payloads
    ]
    session.execute(table(JobRow).insert(), rows)
    # Lets the in-process worker wake up as soon as this transaction commits.
    session.info[ENQUEUED_FLAG] = True


def claim(session: Session, worker: str, lease: dt.timedelta, *, skip_locked: bool) -> Job | None:
    """Take the oldest job that is due, or whose worker's lease ran out, for ``worker``."""
    now = utcnow()
    due = or_(
        (JobRow.status == JobStatus.QUEUED.value) & (JobRow.run_after <= now),
        (JobRow.status == JobStatus.RUNNING.value) & (JobRow.locked_until < now),
    )
    query = select(JobRow).where(due).order_by(JobRow.run_after, JobRow.id).limit(1)
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    row = session.scalars(query).first()
    if row is None:
        return None
    if row.status == JobStatus.RUNNING.value and row.attempts >= row.max_attempts:
        # The last allowed attempt died with its worker: give up, keep the record.
        _mark_failed(session, row.id, f"worker {row.locked_by} stopped during the last attempt")
        return claim(session, worker, lease, skip_locked=skip_locked)
    job = Job(row.id, row.kind, dict(row.payload), row.attempts + 1, row.max_attempts)
    session.execute(
        update(JobRow)
        .where(JobRow.id == row.id)
        .values(
            status=JobStatus.RUNNING.value,
            attempts=JobRow.attempts + 1,
            locked_by=worker,
            locked_until=now + lease,
            updated_at=now,
        )
    )
    return job


def still_holds(session: Session, job_id: int, worker: str, *, lock_row: bool) -> bool:
    """True when ``worker`` still holds ``job_id`` (another worker may have taken it over)."""
    query = select(JobRow.id).where(
        JobRow.id == job_id,
        JobRow.locked_by == worker,
        JobRow.status == JobStatus.RUNNING.value,
    )
    if lock_row:
        query = query.with_for_update()
    return session.execute(query).first() is not None


def finish(session: Session, job_id: int) -> None:
    """A job is done: its effect is in the database, so the row goes."""
    session.execute(delete(JobRow).where(JobRow.id == job_id))


def retry_later(
    session: Session, job_id: int, worker: str, error: str, delay: dt.timedelta
) -> None:
    """Put a job back in the queue after ``delay``, keeping its error."""
    now = utcnow()
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.locked_by == worker)
        .values(
            status=JobStatus.QUEUED.value,
            run_after=now + delay,
            locked_by=None,
            locked_until=None,
            last_error=error[:MAX_ERROR_LENGTH],
            updated_at=now,
        )
    )


def give_up(session: Session, job_id: int, worker: str, error: str) -> None:
    """Mark a job failed after its last attempt; it stays for an operator to see and retry."""
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.locked_by == worker)
        .values(
            status=JobStatus.FAILED.value,
            locked_by=None,
            locked_until=None,
            last_error=error[:MAX_ERROR_LENGTH],
            updated_at=utcnow(),
        )
    )


def _mark_failed(session: Session, job_id: int, error: str) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(
            status=JobStatus.FAILED.value,
            locked_by=None,
            locked_until=None,
            last_error=error,
            updated_at=utcnow(),
        )
    )


def requeue_failed(session: Session, job_id: int) -> bool:
    """Give a failed job a fresh set of attempts (an operator's decision)."""
    now = utcnow()
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == JobStatus.FAILED.value)
        .values(status=JobStatus.QUEUED.value, attempts=0, run_after=now, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def list_jobs(session: Session, status: JobStatus | None = None, limit: int = 100) -> list[JobRow]:
    """Jobs for an operator to look at, oldest first."""
    query = select(JobRow).order_by(JobRow.id).limit(limit)
    if status is not None:
        query = query.where(JobRow.status == status.value)
    return list(session.scalars(query))


def count_by_status(session: Session) -> dict[str, int]:
    """How many jobs are queued, running and failed."""
    rows = session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
    return {status: count for status, count in rows}


def pending(session: Session, kind: str) -> bool:
    """True when a job of ``kind`` is queued or running."""
    query = select(JobRow.id).where(
        JobRow.kind == kind, JobRow.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
    )
    return session.execute(query.limit(1)).first() is not None
