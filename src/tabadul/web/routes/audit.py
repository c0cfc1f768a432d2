"""The audit viewer (auditors only): query the log, verify it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tabadul.api.deps import NodeDep
from tabadul.services import auditing
from tabadul.storage.audit_log import EventFilter
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def viewer(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    actor: str | None = None,
    record: str | None = None,
    name: str | None = None,
    purpose: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    cursor: int | None = None,
) -> HTMLResponse:
    """Events by actor, record, action, purpose and day; oldest first, a page at a time."""
    filters = EventFilter(
        actor=actor or None,
        record=record or None,
        name=name or None,
        purpose=purpose or None,
        since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
        until=_day_after(until),
    )
    page = auditing.list_events(node, user, filters, limit=100, cursor=cursor)
    return render(request, "audit/viewer.html", page=page, query=request.query_params)


@router.post("/audit/verify")
def verify(
    request: Request, node: NodeDep, user: PagePrincipal, _csrf: CsrfChecked
) -> HTMLResponse:
    """Recompute and check the whole log now."""
    outcome = auditing.verify_log(node, user)
    return render(request, "audit/verified.html", report=auditing.verification_report(outcome))


def _day_after(day: dt.date | None) -> dt.datetime | None:
    """The start of the day after ``day`` (an inclusive 'to' date), in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(days=1)
