"""The node's web application: the JSON API, the web pages and their shared plumbing.

``create_app(settings)`` opens the node (migrating its database) when the
application starts and closes it when it stops; with ``run_worker`` it also
runs a job worker in a background thread, as ``tabadul serve`` does.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tabadul import __version__
from tabadul.api import errors as api_errors
from tabadul.api.routes import (
    accounts,
    audit,
    entities,
    exchange,
    federation,
    matching,
    meta,
    reports,
    search,
)
from tabadul.errors import TabadulError
from tabadul.jobs.handlers import handlers, schedule_exchange
from tabadul.jobs.worker import Handler, Standalone, Worker
from tabadul.services import auditing
from tabadul.services.node import Node
from tabadul.settings import Settings
from tabadul.web.pages import render
from tabadul.web.routes import account, admin, signin
from tabadul.web.routes import audit as audit_pages
from tabadul.web.routes import entities as entity_pages
from tabadul.web.routes import exchange as exchange_pages
from tabadul.web.routes import hits as hit_pages
from tabadul.web.routes import partners as partner_pages
from tabadul.web.routes import reports as report_pages
from tabadul.web.routes import search as search_pages
from tabadul.web.security import ContextNeeded, SignInNeeded
from tabadul.web.vocabulary import ERROR_TITLES

STATIC = Path(__file__).parent / "web" / "static"
# Pages load nothing from elsewhere; the QR code is inline SVG.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(
    settings: Settings,
    *,
    run_worker: bool = False,
    job_handlers: Mapping[str, Handler | Standalone] | None = None,
) -> FastAPI:
    """Build the application for the node described by ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node = Node.open(settings)
        app.state.node = node
        worker = None
        thread = None
        if run_worker:
            auditing.schedule_checkpoints(node)
            schedule_exchange(node)
            worker = Worker(
                node.db, settings, job_handlers or handlers(node), yield_to=node.receiving.busy
            )
            worker.listen_for_commits()
            thread = threading.Thread(target=worker.run, name="tabadul-worker", daemon=True)
            thread.start()
        app.state.worker = worker
        # What a started node keeps for its life (modules, the name engine's tables, the
        # open node) leaves the cyclic collector's sight: a full collection walks every
        # tracked object, and put p95 at 142–252 ms on the report list
        # (docs/benchmarks.md, "Web pages"). Unfrozen on the way out, so a test suite
        # that starts many applications does not keep each one's garbage.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
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
    _install_errors(app)
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    api = (meta, federation, reports, entities, accounts, audit, exchange, matching, search)
    pages = (
        signin,
        account,
        report_pages,
        entity_pages,
        hit_pages,
        search_pages,
        exchange_pages,
        admin,
        partner_pages,
        audit_pages,
    )
    routers = (*api, *pages)
    for module in routers:
        app.include_router(module.router)
    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/federation", "/.well-known")) or path == "/healthz"


def _install_errors(app: FastAPI) -> None:
    """JSON envelopes for the API, HTML pages (or a redirect to sign in) for the rest."""
    json_handlers = api_errors.handlers()

    async def dispatch(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SignInNeeded):
            return RedirectResponse("/signin", status_code=303)
        if isinstance(exc, ContextNeeded):
            return RedirectResponse(f"/context?next={quote(exc.next_path)}", status_code=303)
        if _wants_json(request):
            for kind, handler in json_handlers:
                if isinstance(exc, kind):
                    return await handler(request, exc)
        status, detail = _page_error(exc)
        title = ERROR_TITLES.get(status, ERROR_TITLES[500])
        return render(request, "error.html", status, title=title, detail=detail)

    for kind in (
        SignInNeeded,
        ContextNeeded,
        TabadulError,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(kind, dispatch)


def _page_error(exc: Exception) -> tuple[int, str | None]:
    """The status of an error page and a detail to show under its translated title."""
    if isinstance(exc, TabadulError):
        return exc.status_code, exc.message
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, None
    if isinstance(exc, RequestValidationError):
        return 422, None
    api_errors.log_unexpected(exc)
    return 500, None


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault(
        "Referrer-Policy", "same-origin"
    )  # no-referrer makes Chromium send Origin: null on forms
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.url.path.startswith("/api/docs"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if not request.url.path.startswith("/static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
