"""``/api/v1/search``: multilingual full-text search within the caller's need-to-know."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from tabadul.api.deps import CurrentUser, NodeDep, Purpose
from tabadul.schemas.search import SearchResults
from tabadul.services import search
from tabadul.services.search import SearchFilter

router = APIRouter(prefix="/api/v1/search", tags=["search"])


@router.get("")
def search_records(
    node: NodeDep,
    user: CurrentUser,
    purpose: Purpose,
    q: Annotated[str, Query(description='Words, "phrases", OR, NOT/-word, prefix*, (groups).')],
    kind: Annotated[str | None, Query(pattern="^(report|entity)$")] = None,
    topic: str | None = None,
    status: Annotated[str | None, Query(pattern="^(draft|released|withdrawn)$")] = None,
    tlp: str | None = None,
    classification: str | None = None,
    originator: str | None = None,
    schema: str | None = None,
    language: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=search.MAX_OFFSET)] = 0,
) -> SearchResults:
    """Reports and entities matching ``q``, best first, with snippets, the total and facets.

    Counts and facets cover only what the caller may read. The search is
    audited with its purpose (``X-Tabadul-Purpose``).
    """
    filters = SearchFilter(
        kind=kind,
        topic=topic.strip().lower() if topic else None,
        status=status,
        tlp=tlp.strip().upper() if tlp else None,
        classification=classification.strip().upper() if classification else None,
        originator=originator,
        schema=schema,
        language=language.strip().lower() if language else None,
        date_from=date_from,
        date_to=date_to,
    )
    return search.search(node, user, q, filters, purpose, limit=limit, offset=offset)
