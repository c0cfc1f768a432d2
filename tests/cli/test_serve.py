"""`tabadul serve` as a real process: it answers over HTTP and stops cleanly."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tabadul.services import accounts
from tabadul.services.node import Node
from tests.conftest import report_body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_over_http_and_stops_on_sigterm(settings):
    node = Node.open(settings)
    accounts.add_user(node, None, "ana", "analyst")
    token = accounts.create_token(node, None, "ana", scopes=["read", "write"]).token
    node.close()
    port = free_port()
    env = {**os.environ}
    if settings.database_url:
        env["TABADUL_DATABASE_URL"] = settings.database_url
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tabadul",
            "serve",
            "--data-dir",
            str(settings.data_dir),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the node did not start"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}", "X-Tabadul-Purpose": "smoke test"}
        created = httpx.post(f"{base}/api/v1/reports", json=report_body(), headers=headers)
        assert created.status_code == 201
        listed = httpx.get(f"{base}/api/v1/reports", headers=headers).json()
        assert [r["id"] for r in listed["items"]] == [created.json()["id"]]
        assert httpx.get(f"{base}/api/v1/reports").status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the parent sees it.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert "worker.stopped" in output
    assert token not in output  # secrets never reach the log


def test_worker_once_runs_due_jobs(settings, cli):
    result = cli(settings, "worker", "--once")
    assert "2 job(s) run" in result.stdout  # the first audit checkpoint, the exchange upkeep
    assert "0 job(s) run" in cli(settings, "worker", "--once").stdout  # the next one is not due


def test_jobs_list_shows_failed_jobs_and_retry_requeues_them(settings, node, cli):
    from tabadul.jobs.worker import Worker
    from tabadul.storage import jobs as queue

    with node.db.transaction() as session:
        queue.enqueue(session, "test.nothing", {"n": 1}, max_attempts=1)
    Worker(node.db, settings, {}).run_once()
    listed = cli(settings, "jobs", "list", "--status", "failed", "--json")
    (job,) = json.loads(listed.stdout)
    assert "no handler" in job["last_error"]
    cli(settings, "jobs", "retry", "--id", job["id"])
    assert "1 queued" in cli(settings, "jobs", "list").stdout
    cli(settings, "jobs", "retry", "--id", job["id"], expect=1)
