"""Exchange pages: share a report, approve a share, the inbox with requests for information,
and hit/no-hit queries to partners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tabadul.api.deps import NodeDep
from tabadul.errors import TabadulError
from tabadul.services import federation, queries, sharing
from tabadul.web.i18n import N_
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal, WorkingContext
from tabadul.web.vocabulary import MESSAGE_TYPES, QUERY_KINDS

router = APIRouter(include_in_schema=False)


@router.post("/reports/{report_id}/share")
async def share(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
    report_id: str,
) -> Response:
    """Share the report's current version with the partners ticked."""
    form = await request.form()
    chosen = [str(p) for p in form.getlist("partners")]
    sharing.share(node, user, report_id, chosen, purpose)
    return RedirectResponse(f"/reports/{report_id}#shares", status_code=303)


@router.post("/shares/{share_id}/approve")
def approve(
    node: NodeDep, user: PagePrincipal, purpose: WorkingContext, _csrf: CsrfChecked, share_id: str
) -> Response:
    """A supervisor releases a share held for four eyes."""
    shared = sharing.approve(node, user, share_id, purpose)
    return RedirectResponse(f"/reports/{shared.report}#shares", status_code=303)


@router.get("/inbox")
def inbox(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """What partners sent: reports, requests for information (with the reply form), answers."""
    messages = sharing.inbox(node, user, None, 100)
    partners = {p.partner_id: p.name for p in federation.list_partners(node, user)}
    return render(
        request,
        "exchange/inbox.html",
        messages=[
            m for m in messages if not str(m["type"]).startswith(("agreement.", "reconcile"))
        ],
        partners=partners,
        message_types=MESSAGE_TYPES,
        received=queries.received(node, user),
    )


@router.post("/rfis/{rfi_id}/reply")
def reply(
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    rfi_id: str,
    answer: Annotated[str, Form()] = "",
) -> Response:
    """Answer a partner's request for information."""
    sharing.reply_rfi(node, user, rfi_id, answer)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/queries")
def query_list(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """Hit/no-hit queries asked, their answers, and the form to ask partners."""
    return _queries_page(request, node, user)


@router.post("/queries")
async def query_ask(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    purpose: WorkingContext,
    _csrf: CsrfChecked,
) -> Response:
    """Ask the partners ticked whether they hold anything."""
    form = await request.form()
    try:
        queries.ask(
            node,
            user,
            [str(p) for p in form.getlist("partners")],
            str(form.get("kind", "")),
            str(form.get("value", "")),
            str(form.get("birth_date") or "") or None,
            purpose,
        )
    except TabadulError as exc:
        if exc.status_code == 403:
            raise
        message = N_("Tick at least one partner and give a name or a valid selector.")
        return _queries_page(request, node, user, 422, error=message)
    return RedirectResponse("/queries", status_code=303)


@router.post("/queries/{query_id}/rfi")
def query_rfi(
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    query_id: str,
    partner: Annotated[str, Form()] = "",
    question: Annotated[str, Form()] = "",
) -> Response:
    """Step two: a request for information about a hit."""
    queries.request_information(node, user, query_id, partner, question)
    return RedirectResponse("/queries", status_code=303)


def _queries_page(
    request: Request, node: NodeDep, user: PagePrincipal, status: int = 200, **extra: object
) -> HTMLResponse:
    partners = [p for p in federation.list_partners(node, user) if p.status == "confirmed"]
    return render(
        request,
        "exchange/queries.html",
        status,
        asked=queries.list_queries(node, user),
        partners=partners,
        kinds=QUERY_KINDS,
        **extra,
    )
