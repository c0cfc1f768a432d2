"""``/api/v1``: sharing reports, shares, the inbox, RFIs, consent, partners and agreements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from tabadul.api.deps import CurrentUser, NodeDep, Purpose
from tabadul.model.partners import AgreementStatus
from tabadul.schemas.exchange import (
    AcceptInvitationIn,
    AgreementChangeIn,
    AgreementIn,
    ConfirmIn,
    ConsentGrantIn,
    ConsentRequestIn,
    RfiIn,
    RfiReplyIn,
    ShareIn,
)
from tabadul.services import federation, sharing
from tabadul.services.federation import AgreementOut, PartnerOut
from tabadul.services.sharing import ShareOut

router = APIRouter(prefix="/api/v1", tags=["exchange"])


@router.post("/reports/{report_id}/shares", status_code=status.HTTP_202_ACCEPTED)
def share_report(
    report_id: str, body: ShareIn, node: NodeDep, user: CurrentUser, purpose: Purpose
) -> dict[str, list[ShareOut]]:
    """Share a report with partners; each share is queued, waits for approval, or is refused."""
    return {"shares": sharing.share(node, user, report_id, body.partners, purpose)}


@router.get("/reports/{report_id}/shares")
def report_shares(report_id: str, node: NodeDep, user: CurrentUser) -> list[ShareOut]:
    """Every share of a report."""
    return sharing.shares_of(node, user, report_id)


@router.get("/shares/{share_id}")
def get_share(share_id: str, node: NodeDep, user: CurrentUser) -> ShareOut:
    """A share's status (pending-approval, queued, delivered, refused) and its receipt."""
    return sharing.get_share(node, user, share_id)


@router.post("/shares/{share_id}/approve")
def approve_share(share_id: str, node: NodeDep, user: CurrentUser, purpose: Purpose) -> ShareOut:
    """A supervisor approves a share that needs four eyes."""
    return sharing.approve(node, user, share_id, purpose)


@router.get("/inbox")
def inbox(
    node: NodeDep,
    user: CurrentUser,
    type: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Any]:
    """Messages received from partners, newest first."""
    return sharing.inbox(node, user, type, limit)


@router.post("/rfis", status_code=status.HTTP_202_ACCEPTED)
def send_rfi(body: RfiIn, node: NodeDep, user: CurrentUser) -> dict[str, Any]:
    """Send a request for information (urgent: 8 hours, normal: 7 days unless a deadline)."""
    return sharing.send_rfi(
        node,
        user,
        body.partner,
        body.subject,
        body.question,
        body.topic,
        body.urgency,
        body.deadline,
    )


@router.get("/rfis/{rfi_id}")
def get_rfi(rfi_id: str, node: NodeDep, user: CurrentUser) -> dict[str, Any]:
    """A request for information, sent or received, with its replies."""
    return sharing.get_rfi(node, user, rfi_id)


@router.post("/rfis/{rfi_id}/reply", status_code=status.HTTP_202_ACCEPTED)
def reply_rfi(rfi_id: str, body: RfiReplyIn, node: NodeDep, user: CurrentUser) -> dict[str, Any]:
    """Answer a partner's request for information."""
    return sharing.reply_rfi(node, user, rfi_id, body.answer)


@router.post("/reports/{report_id}/consent-requests", status_code=status.HTTP_202_ACCEPTED)
def request_consent(
    report_id: str, body: ConsentRequestIn, node: NodeDep, user: CurrentUser
) -> dict[str, str]:
    """Ask a report's originator for consent to pass it on to a third party."""
    return {"id": sharing.request_consent(node, user, report_id, body.third_party, body.note)}


@router.post("/reports/{report_id}/consents", status_code=status.HTTP_202_ACCEPTED)
def grant_consent(
    report_id: str, body: ConsentGrantIn, node: NodeDep, user: CurrentUser
) -> dict[str, str]:
    """As originator, let a partner pass a report on to a third party."""
    return {"id": sharing.grant_consent(node, user, report_id, body.partner, body.third_party)}


@router.get("/partners")
def partners(node: NodeDep, user: CurrentUser) -> list[PartnerOut]:
    """Partner nodes and their status."""
    return federation.list_partners(node, user)


@router.post("/partners/invitations", status_code=status.HTTP_201_CREATED)
def invite(node: NodeDep, user: CurrentUser) -> dict[str, str]:
    """A new invitation to give a partner's administrator, with this node's fingerprint."""
    invitation, fingerprint = federation.invite(node, user)
    return {"invitation": invitation, "fingerprint": fingerprint}


@router.post("/partners", status_code=status.HTTP_201_CREATED)
def accept_invitation(body: AcceptInvitationIn, node: NodeDep, user: CurrentUser) -> PartnerOut:
    """Accept another node's invitation (introduces this node to it)."""
    return federation.accept(node, user, body.invitation)


@router.post("/partners/{partner_id}/confirm")
def confirm(partner_id: str, body: ConfirmIn, node: NodeDep, user: CurrentUser) -> PartnerOut:
    """Confirm a partner after comparing its fingerprint out of band."""
    return federation.confirm(node, user, partner_id, body.fingerprint)


@router.get("/agreements")
def agreements(node: NodeDep, user: CurrentUser) -> list[AgreementOut]:
    """Every agreement."""
    return federation.list_agreements(node, user)


@router.post("/agreements", status_code=status.HTTP_201_CREATED)
def propose(body: AgreementIn, node: NodeDep, user: CurrentUser) -> AgreementOut:
    """Propose an agreement to a confirmed partner."""
    return federation.propose(
        node,
        user,
        body.partner,
        body.topics,
        body.max_tlp,
        auto_answer_queries=body.auto_answer_queries,
        valid_until=body.valid_until,
    )


@router.post("/agreements/{agreement_id}/accept")
def accept_agreement(agreement_id: str, node: NodeDep, user: CurrentUser) -> AgreementOut:
    """Accept an agreement the partner proposed."""
    return federation.accept_agreement(node, user, agreement_id)


@router.post("/agreements/{agreement_id}/suspend")
def suspend(
    agreement_id: str, body: AgreementChangeIn, node: NodeDep, user: CurrentUser
) -> AgreementOut:
    """Suspend an agreement: new traffic stops at once."""
    return federation.change_agreement(
        node, user, agreement_id, AgreementStatus.SUSPENDED, body.reason
    )


@router.post("/agreements/{agreement_id}/end")
def end(
    agreement_id: str, body: AgreementChangeIn, node: NodeDep, user: CurrentUser
) -> AgreementOut:
    """End an agreement."""
    return federation.change_agreement(node, user, agreement_id, AgreementStatus.ENDED, body.reason)
