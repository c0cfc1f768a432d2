"""Workers: take jobs from the database queue and run their handlers.

A handler runs inside the same transaction that removes its job, so its
database effects happen exactly once: if the handler raises, or the process
dies, nothing it wrote is kept and the job is tried again (with exponential
backoff) until it succeeds or runs out of attempts and is kept as failed.

``tabadul serve`` runs one worker in a thread of the server process;
``tabadul worker`` runs more as separate processes (PostgreSQL deployments).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session

from tabadul.settings import Settings
from tabadul.storage import jobs as queue
from tabadul.storage.database import Database

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the open transaction, the job and the node's settings."""

    session: Session
    job: queue.Job
    settings: Settings

    @property
    def payload(self) -> dict[str, Any]:
        """The job's payload as it was enqueued."""
        return self.job.payload


Handler = Callable[[JobContext], None]


@dataclass(frozen=True)
class Standalone:
    """A handler that opens its own transactions (and may wait on the network between them).

    The worker does not hold a transaction around it: on SQLite that would keep
    the node's writer lock for as long as a partner takes to answer, and two
    nodes delivering to each other would wait on each other's locks. Such a
    handler must be idempotent on its own — the exchange's is, through message
    ids and receipts.
    """

    run: Callable[[queue.Job], None]


class Worker:
    """Runs jobs one at a time until stopped."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        handlers: Mapping[str, Handler | Standalone],
        *,
        name: str | None = None,
        yield_to: Callable[[], bool] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.handlers = dict(handlers)
        # While this says True, the next job waits (up to job_yield_seconds): see run().
        self.yield_to = yield_to
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lease = dt.timedelta(seconds=settings.job_lease_seconds)
        self._unlisten: Callable[[], None] | None = None

    def wake(self) -> None:
        """Look for work now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the job in hand, then return from :meth:`run`."""
        self._stop.set()
        self._wake.set()

    def listen_for_commits(self) -> None:
        """Wake up whenever a transaction of this process commits new jobs."""

        def after_commit(session: Session) -> None:
            if session.info.pop(queue.ENQUEUED_FLAG, False):
                self.wake()

        event.listen(Session, "after_commit", after_commit)

        def unlisten() -> None:
            event.remove(Session, "after_commit", after_commit)

        self._unlisten = unlisten

    def run(self) -> None:
        """Work until :meth:`stop` is called."""
        log.info("worker.started", worker=self.name)
        while not self._stop.is_set():
            self._give_way()
            try:
                worked = self.run_once()
            except Exception:  # broad on purpose: a database hiccup must not kill the worker
                log.exception("worker.loop_error", worker=self.name)
                worked = False
            if not worked:
                self._wake.wait(self.settings.job_poll_seconds)
                self._wake.clear()
        if self._unlisten is not None:
            self._unlisten()
        log.info("worker.stopped", worker=self.name)

    def _give_way(self) -> None:
        """Let more urgent work in this process go first, for a bounded time.

        ``tabadul serve`` runs the worker in the server's process, so indexing
        and correlating what partners sent competes with receiving the rest
        for the same interpreter and the SQLite writer. Receiving first keeps
        the partner's delivery going; the jobs wait at most
        ``job_yield_seconds`` each, so they are delayed, never starved.
        """
        if self.yield_to is None or self.settings.job_yield_seconds <= 0:
            return
        deadline = time.monotonic() + self.settings.job_yield_seconds
        while self.yield_to() and time.monotonic() < deadline and not self._stop.is_set():
            self._stop.wait(0.02)

    def run_until_idle(self, limit: int = 10_000) -> int:
        """Run due jobs until none is left (for tests and the CLI); returns how many ran."""
        count = 0
        while count < limit and self.run_once():
            count += 1
        return count

    def run_once(self) -> bool:
        """Claim and run one due job; False when there was none."""
        with self.db.transaction() as session:
            job = queue.claim(session, self.name, self._lease, skip_locked=not self.db.is_sqlite)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        if isinstance(handler, Standalone):
            return self._run_standalone(job, handler)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            with self.db.transaction() as session:
                if not queue.still_holds(
                    session, job.id, self.name, lock_row=not self.db.is_sqlite
                ):
                    log.warning("job.lease_lost", job=job.id, kind=job.kind, worker=self.name)
                    return True
                handler(JobContext(session, job, self.settings))
                queue.finish(session, job.id)
        except Exception as exc:  # broad on purpose: any handler failure is kept on the job
            self._record_failure(job, exc)
        else:
            log.debug("job.done", job=job.id, kind=job.kind, attempt=job.attempt)
        return True

    def _run_standalone(self, job: queue.Job, handler: Standalone) -> bool:
        try:
            handler.run(job)
            with self.db.transaction() as session:
                queue.finish(session, job.id)
        except Exception as exc:  # broad on purpose: any handler failure is kept on the job
            self._record_failure(job, exc)
        return True

    def _record_failure(self, job: queue.Job, exc: Exception) -> None:
        error = "".join(traceback.format_exception_only(exc)).strip()
        with self.db.transaction() as session:
            if job.attempt >= job.max_attempts:
                queue.give_up(session, job.id, self.name, error)
                log.error("job.failed", job=job.id, kind=job.kind, attempts=job.attempt)
            else:
                queue.retry_later(session, job.id, self.name, error, self.backoff(job.attempt))
                log.warning("job.retry", job=job.id, kind=job.kind, attempt=job.attempt)

    def backoff(self, attempt: int) -> dt.timedelta:
        """Delay before the next attempt: doubles each time, with up to 10 % jitter."""
        base = self.settings.job_backoff_seconds * (2 ** (attempt - 1))
        seconds = min(base, 3600.0) * (1 + random.random() / 10)  # noqa: S311 (jitter, not secrets)
        return dt.timedelta(seconds=seconds)
