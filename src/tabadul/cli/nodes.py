"""``tabadul init``, ``serve`` and ``worker``: create a node, run it, add workers."""

from __future__ import annotations

import signal
from dataclasses import asdict
from pathlib import Path
from types import FrameType

import click
import uvicorn

from tabadul.app import create_app
from tabadul.cli.common import (
    data_dir_option,
    emit,
    json_option,
    opened,
    reports_errors,
    settings_for,
)
from tabadul.demo import content
from tabadul.jobs.handlers import handlers, schedule_exchange
from tabadul.jobs.worker import Worker
from tabadul.services import auditing
from tabadul.services.node import DEFAULT_URL, initialise


@click.command()
@data_dir_option
@click.option("--name", required=True, help="The node's name, as partners will see it.")
@click.option("--country", default=None, help="ISO 3166-1 code of the node's country, e.g. MA.")
@click.option("--url", default=DEFAULT_URL, show_default=True, help="Address partners reach.")
@click.option(
    "--demo",
    is_flag=True,
    help="Add a user for every role and synthetic demonstration reports.",
)
@json_option
@reports_errors
def init(
    data_dir: Path, name: str, country: str | None, url: str, demo: bool, as_json: bool
) -> None:
    """Create a node in DATA_DIR and print the administrator's one-time password."""
    result = initialise(settings_for(data_dir), name, country, url)
    if demo:
        with opened(data_dir) as node:
            users = content.seed(node, result.admin_password)
        emit(
            {"node_id": result.node_id, "url": url, "users": [asdict(u) for u in users]},
            as_json,
            f"Node {result.node_id} created in {data_dir}, with {content.REPORTS} synthetic "
            "demonstration reports.\n"
            f"Sign in at {url}/ (the first sign-in of each user sets up an authenticator app).\n"
            "One-time passwords (shown once, write them down):\n"
            + "\n".join(f"  {u.role:<14} {u.username:<11} {u.password}" for u in users),
        )
        return
    emit(
        {
            "node_id": result.node_id,
            "admin_username": result.admin_username,
            "admin_password": result.admin_password,
        },
        as_json,
        f"Node {result.node_id} created in {data_dir}.\n"
        f"Administrator: {result.admin_username}\n"
        f"Password (shown once, write it down): {result.admin_password}",
    )


@click.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@reports_errors
def serve(data_dir: Path, host: str, port: int) -> None:
    """Serve the node's API, with a job worker in the same process."""
    settings = settings_for(data_dir)
    with opened(data_dir):  # fail early, with a clear message, if the node cannot open
        pass
    click.echo(f"Tabadul node serving on http://{host}:{port}/ (API docs at /api/docs)")
    uvicorn.run(
        create_app(settings, run_worker=True),
        host=host,
        port=port,
        log_level=settings.log_level,
        access_log=False,  # requests are audited by the node, not logged with their URLs
    )


@click.command()
@data_dir_option
@click.option("--once", is_flag=True, help="Run the jobs that are due, then exit.")
@reports_errors
def worker(data_dir: Path, once: bool) -> None:
    """Run a job worker (more of them share the queue on PostgreSQL)."""
    with opened(data_dir) as node:
        auditing.schedule_checkpoints(node)
        schedule_exchange(node)
        runner = Worker(node.db, node.settings, handlers(node))
        if once:
            count = runner.run_until_idle()
            click.echo(f"{count} job(s) run")
            return

        def stop(_signum: int, _frame: FrameType | None) -> None:
            runner.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        runner.run()
