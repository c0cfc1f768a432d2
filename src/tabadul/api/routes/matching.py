"""Correlation in the API: ``/api/v1/hits``, ``/api/v1/watchlists`` and ``/api/v1/alerts``.

Alerts also stream as server-sent events (``/api/v1/alerts/stream``): each
event's id is the alert's, so a client that reconnects with
``Last-Event-ID`` misses nothing. A stream ends after ``timeout`` seconds;
browsers' ``EventSource`` reconnects by itself.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from tabadul.access.policy import Principal
from tabadul.api.deps import CurrentUser, NodeDep, Purpose
from tabadul.schemas.matching import (
    AlertOut,
    EntryIn,
    EntryOut,
    HitOut,
    HitPage,
    QueryIn,
    QueryRfiIn,
    ReviewIn,
    WatchlistIn,
    WatchlistOut,
)
from tabadul.services import hits, queries, watchlists
from tabadul.services.node import Node
from tabadul.services.queries import QueryOut

router = APIRouter(tags=["correlation"])

STREAM_POLL_SECONDS = 1.0
STREAM_HEARTBEAT_SECONDS = 15.0


@router.get("/api/v1/hits", response_model_by_alias=True)
def list_hits(
    node: NodeDep,
    user: CurrentUser,
    purpose: Purpose,
    state: Annotated[str | None, Query(pattern="^(new|confirmed|rejected|unsure)$")] = None,
    entity: str | None = None,
    limit: Annotated[int, Query(ge=1, le=hits.MAX_PAGE)] = 50,
    before: str | None = None,
) -> HitPage:
    """Hits newest first, each with both sides (or what may be said of them) and its reasons."""
    return hits.list_hits(
        node, user, state=state, entity_id=entity, limit=limit, before=before, purpose=purpose
    )


@router.get("/api/v1/hits/{hit_id}", response_model_by_alias=True)
def get_hit(hit_id: str, node: NodeDep, user: CurrentUser, purpose: Purpose) -> HitOut:
    """One hit."""
    return hits.get(node, user, hit_id, purpose)


@router.post("/api/v1/hits/{hit_id}/review", response_model_by_alias=True)
def review_hit(hit_id: str, body: ReviewIn, node: NodeDep, user: CurrentUser) -> HitOut:
    """Confirm, reject or mark unsure, with a reason; needs both records readable."""
    return hits.review(node, user, hit_id, body.decision, body.reason)


@router.get("/api/v1/watchlists", response_model_by_alias=True)
def list_watchlists(node: NodeDep, user: CurrentUser) -> list[WatchlistOut]:
    """The watchlists you own or share."""
    return watchlists.list_watchlists(node, user)


@router.post("/api/v1/watchlists", status_code=status.HTTP_201_CREATED)
def create_watchlist(body: WatchlistIn, node: NodeDep, user: CurrentUser) -> WatchlistOut:
    """A new watchlist, shared with ``members``."""
    return watchlists.create(node, user, body)


@router.get("/api/v1/watchlists/{watchlist_id}", response_model_by_alias=True)
def get_watchlist(watchlist_id: str, node: NodeDep, user: CurrentUser) -> WatchlistOut:
    """One watchlist with its entries."""
    return watchlists.get(node, user, watchlist_id)


@router.put("/api/v1/watchlists/{watchlist_id}", response_model_by_alias=True)
def update_watchlist(
    watchlist_id: str, body: WatchlistIn, node: NodeDep, user: CurrentUser
) -> WatchlistOut:
    """Rename, describe and share a watchlist (owner only)."""
    return watchlists.update(node, user, watchlist_id, body)


@router.delete("/api/v1/watchlists/{watchlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_watchlist(watchlist_id: str, node: NodeDep, user: CurrentUser) -> None:
    """Delete a watchlist (owner only)."""
    watchlists.delete(node, user, watchlist_id)


@router.post(
    "/api/v1/watchlists/{watchlist_id}/entries",
    status_code=status.HTTP_201_CREATED,
    response_model_by_alias=True,
)
def add_entry(watchlist_id: str, body: EntryIn, node: NodeDep, user: CurrentUser) -> EntryOut:
    """Watch an entity (``kind: entity``, ``value``: its id), a name or a selector."""
    return watchlists.add_entry(node, user, watchlist_id, body)


@router.delete(
    "/api/v1/watchlists/{watchlist_id}/entries/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_entry(watchlist_id: str, entry_id: str, node: NodeDep, user: CurrentUser) -> None:
    """Stop watching something."""
    watchlists.remove_entry(node, user, watchlist_id, entry_id)


@router.post("/api/v1/queries", status_code=status.HTTP_201_CREATED)
def ask_partners(body: QueryIn, node: NodeDep, user: CurrentUser, purpose: Purpose) -> QueryOut:
    """Ask partners whether they hold anything on a name or a selector (hit/no-hit)."""
    return queries.ask(node, user, body.partners, body.kind, body.value, body.birth_date, purpose)


@router.get("/api/v1/queries")
def list_queries(node: NodeDep, user: CurrentUser) -> list[QueryOut]:
    """Your queries (a supervisor: the node's), newest first, with each partner's answer."""
    return queries.list_queries(node, user)


@router.get("/api/v1/queries/received")
def received_queries(node: NodeDep, user: CurrentUser) -> list[dict[str, Any]]:
    """Queries partners asked this node, and the answer it gave by itself."""
    return queries.received(node, user)


@router.get("/api/v1/queries/{query_id}")
def get_query(query_id: str, node: NodeDep, user: CurrentUser) -> QueryOut:
    """One query and its answers."""
    return queries.get(node, user, query_id)


@router.post("/api/v1/queries/{query_id}/rfi", status_code=status.HTTP_202_ACCEPTED)
def rfi_after_hit(
    query_id: str, body: QueryRfiIn, node: NodeDep, user: CurrentUser
) -> dict[str, Any]:
    """Send the partner that answered "hit" a request for information quoting its reference."""
    return queries.request_information(node, user, query_id, body.partner, body.question)


@router.get("/api/v1/alerts", response_model_by_alias=True)
def list_alerts(
    node: NodeDep,
    user: CurrentUser,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=watchlists.MAX_ALERTS)] = 50,
) -> list[AlertOut]:
    """Alerts of your watchlists after an alert id, oldest first."""
    return watchlists.alerts(node, user, after=after, limit=limit)


@router.get("/api/v1/alerts/stream")
async def stream_alerts(
    node: NodeDep,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0)] = None,
    timeout: Annotated[float, Query(gt=0, le=3600)] = 300,
) -> StreamingResponse:
    """Alerts as server-sent events, live; resumes after ``Last-Event-ID`` (or ``after``)."""
    return await alert_stream(node, user, last_event_id, after, timeout)


async def alert_stream(
    node: Node, user: Principal, last_event_id: str | None, after: int | None, timeout: float
) -> StreamingResponse:
    """The event stream of a user's alerts (the API's and the pages')."""
    start = after if after is not None else _event_id(last_event_id)
    if start is None:  # a new stream starts from now, not from the beginning of time
        newest = await run_in_threadpool(
            functools.partial(watchlists.alerts, node, user, limit=1, newest=True)
        )
        start = newest[0].id if newest else 0
    return StreamingResponse(
        _events(node, user, start, timeout),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(node: Node, user: Principal, after: int, timeout: float) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        found = await run_in_threadpool(
            functools.partial(watchlists.alerts, node, user, after=after, limit=50)
        )
        for alert in found:
            after = alert.id
            data = json.dumps(alert.model_dump(mode="json", by_alias=True), ensure_ascii=False)
            yield f"id: {alert.id}\nevent: alert\ndata: {data}\n\n"
        if found:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > STREAM_HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        await asyncio.sleep(min(STREAM_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def _event_id(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
