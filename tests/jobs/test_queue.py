"""The durable job queue: same-transaction enqueue, retries, failures kept, crashes, two workers."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tabadul.jobs.worker import JobContext, Worker
from tabadul.services.node import Activity
from tabadul.storage import jobs as queue
from tabadul.storage.tables import EntityRow, JobRow
from tabadul.storage.types import utcnow


def write_entity(ctx: JobContext) -> None:
    """A handler with a visible effect: one entity row per job key (a primary key)."""
    now = utcnow()
    ctx.session.add(
        EntityRow(
            id=ctx.payload["key"],
            schema="Person",
            properties={"notes": [f"attempt {ctx.job.attempt}"]},
            caption="job",
            classification="RESTRICTED",
            created_at=now,
            updated_at=now,
        )
    )


def enqueue(node, n=1, kind="test.write", max_attempts=5, prefix="k"):
    with node.db.transaction() as session:
        queue.enqueue_many(
            session, kind, [{"key": f"{prefix}{i}"} for i in range(n)], max_attempts=max_attempts
        )


def jobs(node):
    with node.db.reading() as session:
        return list(session.scalars(select(JobRow).order_by(JobRow.id)))


def entity_ids(node):
    with node.db.reading() as session:
        return list(session.scalars(select(EntityRow.id).order_by(EntityRow.id)))


def fast(settings, **overrides):
    values = {"job_backoff_seconds": 0.01, "job_poll_seconds": 0.05, **overrides}
    return settings.model_copy(update=values)


def test_job_enqueued_in_a_rolled_back_transaction_never_exists(node):
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        queue.enqueue(session, "test.write", {"key": "a"}, max_attempts=3)
        raise RuntimeError("the change failed")
    assert jobs(node) == []


def test_worker_runs_a_job_and_removes_it_in_the_same_transaction(node, settings):
    enqueue(node, 3)
    worker = Worker(node.db, fast(settings), {"test.write": write_entity})
    assert worker.run_until_idle() == 3
    assert entity_ids(node) == ["k0", "k1", "k2"]
    assert jobs(node) == []


def test_failing_job_is_retried_with_backoff_and_keeps_its_error(node, settings):
    enqueue(node, 1)
    calls = Counter()

    def flaky(ctx: JobContext) -> None:
        calls["n"] += 1
        if calls["n"] < 3:
            write_entity(ctx)  # written, then rolled back with the failure
            raise ConnectionError(f"partner unreachable (try {calls['n']})")
        write_entity(ctx)

    worker = Worker(node.db, fast(settings, job_backoff_seconds=0.2), {"test.write": flaky})
    worker.run_once()
    (job,) = jobs(node)
    assert job.status == "queued"
    assert job.attempts == 1
    assert "partner unreachable (try 1)" in job.last_error
    assert job.run_after > utcnow()  # backoff: not due yet
    assert worker.run_once() is False
    assert entity_ids(node) == []  # the failed attempt's write was rolled back

    deadline = time.monotonic() + 10
    while jobs(node) and time.monotonic() < deadline:
        worker.run_once()
        time.sleep(0.05)
    assert calls["n"] == 3
    assert entity_ids(node) == ["k0"]


def test_job_that_keeps_failing_is_kept_as_failed_never_lost(node, settings):
    enqueue(node, 1, max_attempts=3)

    def broken(ctx: JobContext) -> None:
        raise ValueError("malformed payload")

    worker = Worker(node.db, fast(settings, job_backoff_seconds=0.001), {"test.write": broken})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        worker.run_once()
        if jobs(node)[0].status == "failed":
            break
        time.sleep(0.01)
    (job,) = jobs(node)
    assert job.status == "failed"
    assert job.attempts == 3
    assert "ValueError: malformed payload" in job.last_error
    assert worker.run_once() is False  # failed jobs are not picked up again ...

    with node.db.transaction() as session:  # ... until an operator requeues them
        assert queue.requeue_failed(session, job.id)
    worker.handlers["test.write"] = write_entity
    assert worker.run_until_idle() == 1
    assert entity_ids(node) == ["k0"]


def test_job_without_handler_fails_with_a_clear_error(node, settings):
    enqueue(node, 1, kind="test.unknown", max_attempts=1)
    Worker(node.db, fast(settings), {}).run_once()
    (job,) = jobs(node)
    assert job.status == "failed"
    assert "no handler for job kind 'test.unknown'" in job.last_error


def test_job_of_a_killed_worker_is_taken_over_after_its_lease(node, settings):
    enqueue(node, 1)
    env = {**os.environ}
    if settings.database_url:
        env["TABADUL_DATABASE_URL"] = settings.database_url
    script = Path(__file__).with_name("crashing_worker.py")
    result = subprocess.run(
        [sys.executable, str(script), str(settings.data_dir)], env=env, timeout=60, check=False
    )
    assert result.returncode == -9  # SIGKILL, in the middle of the handler
    (job,) = jobs(node)
    assert job.status == "running"
    assert entity_ids(node) == []  # the half-done write died with the process

    worker = Worker(node.db, fast(settings), {"test.write": write_entity})
    assert worker.run_once() is False  # the dead worker's lease still holds
    time.sleep(1.1)
    assert worker.run_until_idle() == 1
    assert entity_ids(node) == ["k0"]
    with node.db.reading() as session:
        (notes,) = session.scalars(select(EntityRow.properties)).all()
    assert notes == {"notes": ["attempt 2"]}
    assert jobs(node) == []


def test_worker_that_lost_its_lease_does_not_finish_the_job(node, settings):
    enqueue(node, 1)
    slow_settings = fast(settings, job_lease_seconds=0.2)
    taken_over = threading.Event()

    def slow(ctx: JobContext) -> None:
        write_entity(ctx)
        taken_over.wait(5)

    first = Worker(node.db, slow_settings, {"test.write": slow}, name="first")
    with node.db.transaction() as session:
        job = queue.claim(session, "first", first._lease, skip_locked=False)
    assert job is not None
    time.sleep(0.3)  # the lease runs out
    second = Worker(node.db, slow_settings, {"test.write": write_entity}, name="second")
    assert second.run_once()
    with node.db.transaction() as session:
        assert not queue.still_holds(session, job.id, "first", lock_row=False)
    assert entity_ids(node) == ["k0"]


def test_two_workers_share_the_queue_and_run_each_job_once(node, settings):
    n = 120
    enqueue(node, n)
    seen = Counter()
    lock = threading.Lock()

    def counted(ctx: JobContext) -> None:
        write_entity(ctx)
        with lock:
            seen[ctx.payload["key"]] += 1

    workers = [
        Worker(node.db, fast(settings), {"test.write": counted}, name=f"w{i}") for i in range(2)
    ]
    threads = [threading.Thread(target=w.run_until_idle) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(seen) == n
    assert set(seen.values()) == {1}
    with node.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(EntityRow)) == n
    assert jobs(node) == []


def test_in_process_worker_wakes_on_commit_not_on_the_next_poll(node, settings):
    worker = Worker(node.db, fast(settings, job_poll_seconds=30), {"test.write": write_entity})
    worker.listen_for_commits()
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        time.sleep(0.2)  # the worker is now asleep for up to 30 s
        start = time.monotonic()
        enqueue(node, 1)
        while not entity_ids(node) and time.monotonic() - start < 5:
            time.sleep(0.01)
        assert entity_ids(node) == ["k0"]
        assert time.monotonic() - start < 1.0
    finally:
        worker.stop()
        thread.join(timeout=10)


def test_in_process_worker_lets_partners_go_first_but_never_starves(node, settings):
    receiving = Activity(linger_seconds=0.05)
    worker = Worker(
        node.db,
        fast(settings, job_yield_seconds=0.5),
        {"test.write": write_entity},
        yield_to=receiving.busy,
    )
    enqueue(node, 1)
    thread = threading.Thread(target=worker.run, daemon=True)
    with receiving:  # a partner's request that never ends
        start = time.monotonic()
        thread.start()
        try:
            time.sleep(0.3)
            assert entity_ids(node) == []  # the job waits while the partner is received…
            while not entity_ids(node) and time.monotonic() - start < 5:
                time.sleep(0.01)
            assert entity_ids(node) == ["k0"]  # …but no longer than job_yield_seconds
            assert time.monotonic() - start < 2.0
        finally:
            worker.stop()
            thread.join(timeout=10)
    time.sleep(0.06)
    assert not receiving.busy()  # the request ended a moment ago
