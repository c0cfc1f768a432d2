"""Which function handles which kind of job.

Search, correlation and exchange register their job kinds here as they land.
"""

from __future__ import annotations

import datetime as dt

from tabadul.jobs.worker import Handler, JobContext
from tabadul.services import auditing, search
from tabadul.services.node import Node
from tabadul.storage import jobs as queue
from tabadul.storage.types import utcnow


def handlers(node: Node) -> dict[str, Handler]:
    """Every job kind this version of Tabadul knows, with its handler."""

    def checkpoint(ctx: JobContext) -> None:
        # Sign a checkpoint if the log grew, then book the next one: a chain of
        # jobs, so a crashed worker's checkpoint is simply retried.
        auditing.checkpoint_in(ctx.session, node, only_if_grown=True)
        interval = dt.timedelta(minutes=node.settings.audit_checkpoint_minutes)
        queue.enqueue(
            ctx.session, auditing.CHECKPOINT_JOB, {}, max_attempts=5, run_after=utcnow() + interval
        )

    def index(ctx: JobContext) -> None:
        search.index(ctx.session, ctx.payload.get("reports", []), ctx.payload.get("entities", []))

    return {auditing.CHECKPOINT_JOB: checkpoint, search.INDEX_JOB: index}
