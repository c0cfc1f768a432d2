"""The search page: words, phrases, boolean operators, prefixes; filters and facets; snippets."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tabadul.api.deps import NodeDep
from tabadul.errors import ValidationFailed
from tabadul.services import search
from tabadul.services.search import SearchFilter
from tabadul.web.i18n import N_
from tabadul.web.pages import render
from tabadul.web.security import PagePrincipal, WorkingContext

router = APIRouter(include_in_schema=False)
FILTERS = ("kind", "topic", "tlp", "classification", "schema", "language", "status")
PAGE = 20


@router.get("/search")
def search_page(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    q: str = "",
    offset: int = 0,
) -> HTMLResponse:
    """Search within need-to-know; every search is audited with the working context."""
    chosen = {k: v for k in FILTERS if (v := request.query_params.get(k))}
    results = None
    error = None
    if q.strip():
        try:
            filters = SearchFilter(
                kind=chosen.get("kind"),
                topic=chosen.get("topic"),
                tlp=chosen.get("tlp"),
                classification=chosen.get("classification"),
                schema=chosen.get("schema"),
                language=chosen.get("language"),
                status=chosen.get("status"),
                date_from=_date(request.query_params.get("date_from")),
                date_to=_date(request.query_params.get("date_to")),
            )
            results = search.search(
                node, user, q, filters, purpose, limit=PAGE, offset=max(0, min(offset, 1000))
            )
        except ValidationFailed:
            error = N_("The search could not be read: check quotes and parentheses.")
    return render(
        request, "search.html", q=q, chosen=chosen, results=results, error=error, page=PAGE
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
