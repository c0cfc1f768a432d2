"""Administration of the federation: partners with their fingerprints, agreements, the outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tabadul.access.policy import Action, Kind
from tabadul.api.deps import NodeDep
from tabadul.errors import PermissionDenied
from tabadul.model.partners import AgreementStatus
from tabadul.services import federation
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal

router = APIRouter(include_in_schema=False)


@router.get("/admin/partners")
def partners_page(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """Partners (status, fingerprint), agreements, and how many messages wait for each."""
    if not node.policy.allows_role(user, Action.MANAGE, Kind.PARTNER):
        raise PermissionDenied(f"the {user.role.value} role may not manage partners")
    partners = federation.list_partners(node, user)
    return render(
        request,
        "admin/partners.html",
        partners=partners,
        names={p.partner_id: p.name for p in partners},
        agreements=federation.list_agreements(node, user),
        outbox=federation.outbox_counts(node, user),
        own=federation.descriptor(node),
    )


@router.post("/admin/partners/{partner_id}/confirm")
def confirm(
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    partner_id: str,
    fingerprint: Annotated[str, Form()] = "",
) -> Response:
    """Confirm a partner after comparing fingerprints out of band."""
    federation.confirm(node, user, partner_id, fingerprint.strip())
    return RedirectResponse("/admin/partners", status_code=303)


@router.post("/admin/agreements/{agreement_id}/{change}")
def change(
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    agreement_id: str,
    change: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Suspend or end an agreement: traffic stops at once, and the partner is told."""
    status = {"suspend": AgreementStatus.SUSPENDED, "end": AgreementStatus.ENDED}.get(change)
    if status is None:
        raise PermissionDenied("an agreement is suspended or ended")
    federation.change_agreement(node, user, agreement_id, status, reason.strip() or change)
    return RedirectResponse("/admin/partners", status_code=303)
