"""Which function handles which kind of job.

Search, correlation and exchange register their job kinds here as they land.
"""

from __future__ import annotations

import datetime as dt

from tabadul.jobs.worker import Handler, JobContext, Standalone
from tabadul.services import auditing, correlation, delivery, outbox, search
from tabadul.services.node import Node
from tabadul.storage import exchange as store
from tabadul.storage import jobs as queue
from tabadul.storage.types import utcnow


def handlers(node: Node) -> dict[str, Handler | Standalone]:
    """Every job kind this version of Tabadul knows, with its handler."""

    def checkpoint(ctx: JobContext) -> None:
        # Sign a checkpoint if the log grew, then book the next one: a chain of
        # jobs, so a crashed worker's checkpoint is simply retried.
        auditing.checkpoint_in(ctx.session, node, only_if_grown=True)
        interval = dt.timedelta(minutes=node.settings.audit_checkpoint_minutes)
        queue.enqueue(
            ctx.session, auditing.CHECKPOINT_JOB, {}, max_attempts=5, run_after=utcnow() + interval
        )

    def deliver(_job: queue.Job) -> None:
        delivery.deliver_due(node)

    def maintain(ctx: JobContext) -> None:
        # Flag late messages, forget old nonces, wake delivery; then book the next round.
        delivery.maintain(ctx.session, node)
        queue.enqueue(
            ctx.session,
            outbox.MAINTAIN_JOB,
            {},
            max_attempts=5,
            run_after=utcnow() + dt.timedelta(seconds=MAINTAIN_SECONDS),
        )

    def reconcile(ctx: JobContext) -> None:
        # Send each partner a digest of what it was sent; gaps come back and are re-sent.
        delivery.reconcile(ctx.session, node, ctx.payload.get("partners"))
        if ctx.payload.get("partners") is None:
            interval = dt.timedelta(minutes=node.settings.exchange_reconcile_minutes)
            queue.enqueue(
                ctx.session,
                delivery.RECONCILE_JOB,
                {},
                max_attempts=5,
                run_after=utcnow() + interval,
            )

    def index(ctx: JobContext) -> None:
        search.index(ctx.session, ctx.payload.get("reports", []), ctx.payload.get("entities", []))

    def correlate(ctx: JobContext) -> None:
        correlation.run_job(ctx.session, node, ctx.payload)

    return {
        auditing.CHECKPOINT_JOB: checkpoint,
        correlation.CORRELATE_JOB: correlate,
        search.INDEX_JOB: index,
        # Standalone: no transaction is held while a partner answers.
        outbox.DELIVER_JOB: Standalone(deliver),
        outbox.MAINTAIN_JOB: maintain,
        delivery.RECONCILE_JOB: reconcile,
    }


MAINTAIN_SECONDS = 60


def schedule_exchange(node: Node) -> None:
    """Book the exchange's recurring jobs, unless they are already queued."""
    with node.db.transaction() as session:
        # Whenever messages wait: a delivery job of a process that was killed keeps its lease
        # for a while, and they must not wait for it (a second job is harmless: receipts
        # are idempotent).
        if store.next_attempt(session) is not None:
            queue.enqueue(session, outbox.DELIVER_JOB, {}, max_attempts=outbox.JOB_ATTEMPTS)
        if not queue.pending(session, outbox.MAINTAIN_JOB):
            queue.enqueue(session, outbox.MAINTAIN_JOB, {}, max_attempts=5)
        if not queue.pending(session, delivery.RECONCILE_JOB):
            interval = dt.timedelta(minutes=node.settings.exchange_reconcile_minutes)
            queue.enqueue(
                session, delivery.RECONCILE_JOB, {}, max_attempts=5, run_after=utcnow() + interval
            )
