"""The node's web application: JSON API (and, later, the analyst pages).

``create_app(settings)`` opens the node (migrating its database) when the
application starts, and closes it when it stops; with ``run_worker`` it also
runs a job worker in a background thread, as ``tabadul serve`` does.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tabadul import __version__
from tabadul.api import errors
from tabadul.api.routes import entities, meta, reports
from tabadul.jobs.handlers import handlers
from tabadul.jobs.worker import Handler, Worker
from tabadul.services.node import Node
from tabadul.settings import Settings


def create_app(
    settings: Settings,
    *,
    run_worker: bool = False,
    job_handlers: Mapping[str, Handler] | None = None,
) -> FastAPI:
    """Build the application for the node described by ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node = Node.open(settings)
        app.state.node = node
        worker = None
        thread = None
        if run_worker:
            worker = Worker(node.db, settings, job_handlers or handlers())
            worker.listen_for_commits()
            thread = threading.Thread(target=worker.run, name="tabadul-worker", daemon=True)
            thread.start()
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None and thread is not None:
                worker.stop()
                thread.join(timeout=30)
            node.close()

    app = FastAPI(
        title="Tabadul",
        version=__version__,
        description="Federated exchange and analysis of intelligence between partner services.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(meta.router)
    app.include_router(reports.router)
    app.include_router(entities.router)
    return app
