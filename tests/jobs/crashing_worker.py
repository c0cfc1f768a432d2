"""A worker process whose handler dies (SIGKILL) in the middle of its job, for the crash test."""

import os
import signal
import sys

from tabadul.jobs.worker import JobContext, Worker
from tabadul.services.node import Node
from tabadul.settings import load_settings
from tabadul.storage.tables import EntityRow
from tabadul.storage.types import utcnow


def die_mid_job(ctx: JobContext) -> None:
    now = utcnow()
    ctx.session.add(
        EntityRow(
            id=ctx.payload["key"],
            schema="Person",
            properties={},
            caption="half",
            classification="RESTRICTED",
            created_at=now,
            updated_at=now,
        )
    )
    ctx.session.flush()  # the write reached the database, uncommitted
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    node = Node.open(load_settings(sys.argv[1], job_lease_seconds=1.0))
    Worker(node.db, node.settings, {"test.write": die_mid_job}).run_once()
