"""Correlation pages: hits to review side by side, watchlists, and live alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from tabadul.api.deps import NodeDep
from tabadul.api.routes.matching import alert_stream
from tabadul.errors import TabadulError
from tabadul.schemas.matching import EntryIn, WatchlistIn
from tabadul.services import hits, watchlists
from tabadul.services.correlation import HitState
from tabadul.web.i18n import N_
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal, WorkingContext
from tabadul.web.vocabulary import QUERY_KINDS

router = APIRouter(include_in_schema=False)
DECISIONS = {
    HitState.CONFIRMED: N_("Same person or thing"),
    HitState.REJECTED: N_("Not the same"),
    HitState.UNSURE: N_("Unsure"),
}
STATES = {
    HitState.NEW: N_("new"),
    HitState.CONFIRMED: N_("confirmed"),
    HitState.REJECTED: N_("rejected"),
    HitState.UNSURE: N_("unsure"),
}
# What a watchlist entry may be: what a partner query may be about, or a record.
WATCH_KINDS = {"name": QUERY_KINDS["name"], "entity": N_("Entity (its id)")} | QUERY_KINDS


@router.get("/hits")
def hit_list(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    state: str | None = HitState.NEW,
    before: str | None = None,
) -> HTMLResponse:
    """Hits to review (new by default), newest first."""
    chosen = state if state in HitState.ALL else None
    page = hits.list_hits(node, user, state=chosen, before=before, purpose=purpose)
    return render(request, "hits/list.html", page=page, state=chosen, states=STATES)


@router.get("/hits/{hit_id}")
def hit_page(
    request: Request, node: NodeDep, user: PagePrincipal, purpose: WorkingContext, hit_id: str
) -> HTMLResponse:
    """Both records side by side with the reasons, and the decision form."""
    hit = hits.get(node, user, hit_id, purpose)
    return render(request, "hits/review.html", hit=hit, decisions=DECISIONS, states=STATES)


@router.post("/hits/{hit_id}/review")
def hit_review(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
    hit_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Record the decision; the form comes back with the problem if there is one."""
    try:
        hits.review(node, user, hit_id, decision, reason)
    except TabadulError as exc:
        if exc.status_code in (403, 404):
            raise
        hit = hits.get(node, user, hit_id, purpose)
        message = N_("Choose a decision and say why.")
        return render(
            request,
            "hits/review.html",
            422,
            hit=hit,
            decisions=DECISIONS,
            states=STATES,
            error=message,
            reason=reason,
        )
    return RedirectResponse(f"/hits/{hit_id}", status_code=303)


@router.get("/watchlists")
def watchlist_list(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """The user's watchlists and the form for a new one."""
    return render(request, "hits/watchlists.html", lists=watchlists.list_watchlists(node, user))


@router.post("/watchlists")
def watchlist_create(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    members: Annotated[str, Form()] = "",
) -> Response:
    """Create a watchlist, shared with the usernames given (comma-separated)."""
    try:
        data = WatchlistIn(
            name=name,
            description=description or None,
            members=[m.strip() for m in members.split(",") if m.strip()],
        )
        created = watchlists.create(node, user, data)
    except (TabadulError, ValueError):
        lists = watchlists.list_watchlists(node, user)
        message = N_("Give the watchlist a name; members must be colleagues who read intelligence.")
        return render(request, "hits/watchlists.html", 422, lists=lists, error=message)
    return RedirectResponse(f"/watchlists/{created.id}", status_code=303)


@router.get("/watchlists/{watchlist_id}")
def watchlist_page(
    request: Request, node: NodeDep, user: PagePrincipal, watchlist_id: str
) -> HTMLResponse:
    """One watchlist: what it watches, its latest alerts, the form to watch more."""
    found = watchlists.get(node, user, watchlist_id)
    return render(request, "hits/watchlist.html", watchlist=found, kinds=WATCH_KINDS)


@router.post("/watchlists/{watchlist_id}/entries")
def entry_add(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    watchlist_id: str,
    kind: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Watch something more."""
    try:
        watchlists.add_entry(
            node, user, watchlist_id, EntryIn(kind=kind, value=value, note=note or None)
        )
    except (TabadulError, ValueError) as exc:
        if isinstance(exc, TabadulError) and exc.status_code == 403:
            raise
        found = watchlists.get(node, user, watchlist_id)
        message = N_("That cannot be watched: check the kind and the value.")
        return render(
            request, "hits/watchlist.html", 422, watchlist=found, kinds=WATCH_KINDS, error=message
        )
    return RedirectResponse(f"/watchlists/{watchlist_id}", status_code=303)


@router.post("/watchlists/{watchlist_id}/entries/{entry_id}/remove")
def entry_remove(
    node: NodeDep, user: PagePrincipal, _csrf: CsrfChecked, watchlist_id: str, entry_id: str
) -> Response:
    """Stop watching something."""
    watchlists.remove_entry(node, user, watchlist_id, entry_id)
    return RedirectResponse(f"/watchlists/{watchlist_id}", status_code=303)


@router.get("/alerts/stream")
async def alerts_stream(request: Request, node: NodeDep, user: PagePrincipal) -> StreamingResponse:
    """The dashboard's live alerts (server-sent events, signed-in session)."""
    return await alert_stream(node, user, request.headers.get("last-event-id"), None, 300)
