"""Partners and agreements: linking nodes, confirming fingerprints, signing agreements.

Linking (docs/federation.md "Linking"): the inviting node's administrator
hands over an invitation (its descriptor and a one-time secret, signed with
its key); the other node accepts it, which records the inviter as a partner
and introduces itself back over HTTP with the secret. Both partners start
``unconfirmed``; each administrator compares the other's fingerprint out of
band and confirms it. Nothing flows to or from an unconfirmed partner.

Agreements are proposed by one node and accepted by the other; both hold
the same document, signed by both (JWS). Suspending or ending one stops new
traffic at once, on both sides.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal
from tabadul.audit import events as ev
from tabadul.errors import Conflict, NotFound, PermissionDenied, TabadulError, ValidationFailed
from tabadul.exchange import envelopes
from tabadul.exchange.keys import same_fingerprint
from tabadul.exchange.messages import (
    INTRODUCTION_PATH,
    Descriptor,
    MessageInvalid,
    MessageType,
    agreement_document,
)
from tabadul.model.handling import Tlp
from tabadul.model.ids import new_id
from tabadul.model.partners import AgreementStatus, PartnerStatus
from tabadul.model.reports import clean_topics
from tabadul.services import auditing, outbox
from tabadul.services.node import Node
from tabadul.storage import audit_log
from tabadul.storage import exchange as store
from tabadul.storage import nodes as node_rows
from tabadul.storage.tables import AgreementRow, InvitationRow, PartnerRow
from tabadul.storage.types import utcnow


class FederationRefused(PermissionDenied):
    """A partner's introduction or message that this node refuses."""

    code = "federation_refused"


@dataclass(frozen=True)
class PartnerOut:
    """A partner as the CLI and API show it."""

    partner_id: str
    node_id: str
    name: str
    country: str | None
    url: str
    fingerprint: str | None
    status: str

    @classmethod
    def of(cls, row: PartnerRow) -> PartnerOut:
        """From a row."""
        return cls(row.id, row.node_id, row.name, row.country, row.url, row.fingerprint, row.status)


@dataclass(frozen=True)
class AgreementOut:
    """An agreement as the CLI and API show it."""

    agreement_id: str
    partner_id: str
    status: str
    topics: list[str]
    max_tlp: str
    auto_answer_queries: bool
    valid_from: dt.date
    valid_until: dt.date | None
    proposed_by: str | None
    signed_by: list[str]

    @classmethod
    def of(cls, row: AgreementRow) -> AgreementOut:
        """From a row."""
        return cls(
            row.id,
            row.partner_id,
            row.status,
            list(row.topics),
            row.max_tlp,
            row.auto_answer_queries,
            row.valid_from,
            row.valid_until,
            row.proposed_by,
            sorted((row.signatures or {}).keys()),
        )


def descriptor(node: Node) -> Descriptor:
    """This node's descriptor, as published at ``/.well-known/tabadul``."""
    with node.db.reading() as session:
        row = node_rows.get(session)
    assert row is not None
    return Descriptor(
        node_id=row.id,
        name=row.name,
        country=row.country,
        url=row.url,
        signing_key=node.keys.signing_jwk(),
        encryption_key=node.keys.encryption_jwk(),
    )


def _require_admin(node: Node, actor: Principal | None, action: str, kind: Kind) -> None:
    if actor is not None and not node.policy.allows_role(actor, Action.MANAGE, kind):
        error = PermissionDenied(f"the {actor.role.value} role may not {action}")
        raise auditing.refusal(node, actor, action, None, error)


# -- linking ------------------------------------------------------------------


def invite(node: Node, actor: Principal | None) -> tuple[str, str]:
    """A new invitation for a partner, and this node's fingerprint to read out to them."""
    _require_admin(node, actor, "invite partners", Kind.PARTNER)
    me = descriptor(node)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(hours=node.settings.exchange_invitation_hours)
    with node.db.transaction() as session:
        session.add(
            InvitationRow(
                id=new_id(),
                token_hash=_hash(token),
                created_at=now,
                expires_at=expires,
            )
        )
        audit_log.add(
            session,
            ev.PartnerEvent(actor=auditing.actor_of(actor), change="invited"),
        )
    payload = {"descriptor": me.to_dict(), "token": token, "expires_at": expires.isoformat()}
    invitation = envelopes.sign(payload, node.keys, me.node_id)
    # One string to copy: the compact JWS, base64url again so it has no dots to mistype.
    text = base64.urlsafe_b64encode(invitation.encode()).decode().rstrip("=")
    return text, me.fingerprint


def accept(node: Node, actor: Principal | None, invitation: str) -> PartnerOut:
    """Record the inviting node as a partner and introduce this node to it."""
    _require_admin(node, actor, "accept invitations", Kind.PARTNER)
    try:
        padded = invitation.strip() + "=" * (-len(invitation.strip()) % 4)
        token_jws = base64.urlsafe_b64decode(padded).decode()
        payload = envelopes.unverified_payload(token_jws)
        them = Descriptor.from_dict(payload["descriptor"])
        envelopes.verify(token_jws, them.signing_key)
        secret = str(payload["token"])
        expires = dt.datetime.fromisoformat(str(payload["expires_at"]))
    except (ValueError, KeyError, TypeError, MessageInvalid, envelopes.EnvelopeError) as exc:
        raise ValidationFailed.field("invitation", f"not a valid invitation ({exc})") from None
    if expires < utcnow():
        raise ValidationFailed.field("invitation", "the invitation has expired")
    me = descriptor(node)
    if them.node_id == me.node_id:
        raise ValidationFailed.field("invitation", "a node cannot partner with itself")
    with node.db.reading() as session:
        if store.partner_by_node(session, them.node_id) is not None:
            raise Conflict(f"node {them.node_id} is already a partner")
    introduction = envelopes.sign(
        {"descriptor": me.to_dict(), "token": secret, "to": them.node_id}, node.keys, me.node_id
    )
    try:
        response = httpx.post(
            them.url + INTRODUCTION_PATH,
            json={"introduction": introduction},
            timeout=node.settings.exchange_http_timeout_seconds,
        )
    except httpx.HTTPError as exc:
        raise Conflict(f"could not reach {them.url}: {exc}") from None
    if response.status_code != 200:
        raise Conflict(f"{them.url} refused the introduction: {response.text[:300]}")
    with node.db.transaction() as session:
        row = _add_partner(session, them)
        audit_log.add(
            session,
            ev.PartnerEvent(
                actor=auditing.actor_of(actor),
                partner_id=row.id,
                node_id=them.node_id,
                change="linked",
                fingerprint=them.fingerprint,
            ),
        )
    return PartnerOut.of(row)


def introduced(node: Node, introduction: str, address: str | None) -> PartnerOut:
    """A node that accepted one of our invitations introduces itself (federation endpoint)."""
    try:
        payload = envelopes.unverified_payload(introduction)
        them = Descriptor.from_dict(payload["descriptor"])
        envelopes.verify(introduction, them.signing_key)
        secret = str(payload["token"])
        to = str(payload["to"])
    except (KeyError, TypeError, MessageInvalid, envelopes.EnvelopeError) as exc:
        raise _refused(node, None, f"not a valid introduction ({exc})", address) from None
    if to != node.identity.id:
        raise _refused(node, them.node_id, "the introduction is for another node", address)
    now = utcnow()
    with node.db.transaction() as session:
        invitation = store.invitation(session, _hash(secret))
        problem = None
        if invitation is None:
            problem = "no such invitation"
        elif invitation.used_at is not None:
            problem = "the invitation was already used"
        elif invitation.expires_at < now:
            problem = "the invitation has expired"
        elif store.partner_by_node(session, them.node_id) is not None:
            problem = "the node is already a partner"
        if problem is None and invitation is not None:
            row = _add_partner(session, them)
            invitation.used_at, invitation.partner_id = now, row.id
            audit_log.add(
                session,
                ev.PartnerEvent(
                    actor=ev.Actor("partner", them.node_id),
                    address=address,
                    partner_id=row.id,
                    node_id=them.node_id,
                    change="linked",
                    fingerprint=them.fingerprint,
                ),
            )
            return PartnerOut.of(row)
    raise _refused(node, them.node_id, problem or "refused", address)


def _refused(node: Node, node_id: str | None, reason: str, address: str | None) -> TabadulError:
    auditing.record(
        node,
        ev.PartnerEvent(
            actor=ev.Actor("partner", node_id or "unknown"),
            outcome=ev.Outcome.REFUSED,
            reason=reason,
            address=address,
            node_id=node_id,
            change="introduction",
        ),
    )
    return FederationRefused(reason)


def _add_partner(session: Session, them: Descriptor) -> PartnerRow:
    row = PartnerRow(
        id=new_id(),
        node_id=them.node_id,
        name=them.name,
        country=them.country,
        url=them.url,
        status=PartnerStatus.UNCONFIRMED.value,
        signing_key=them.signing_key,
        encryption_key=them.encryption_key,
        fingerprint=them.fingerprint,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def confirm(node: Node, actor: Principal | None, partner_id: str, fingerprint: str) -> PartnerOut:
    """Confirm a partner after comparing its fingerprint out of band."""
    _require_admin(node, actor, "confirm partners", Kind.PARTNER)
    with node.db.transaction() as session:
        row = _partner(session, partner_id)
        if row.fingerprint is None or not same_fingerprint(row.fingerprint, fingerprint):
            error = PermissionDenied(
                "the fingerprint does not match the partner's keys; do not confirm, and ask "
                "the partner's administrator again over a channel you trust"
            )
            refusal = ev.PartnerEvent(
                actor=auditing.actor_of(actor),
                outcome=ev.Outcome.REFUSED,
                reason=error.message,
                partner_id=row.id,
                node_id=row.node_id,
                change="confirm",
                fingerprint=fingerprint[:64],
            )
            session.rollback()
            raise auditing.refusal_event(node, refusal, error)
        row.status = PartnerStatus.CONFIRMED.value
        row.confirmed_at = utcnow()
        audit_log.add(
            session,
            ev.PartnerEvent(
                actor=auditing.actor_of(actor),
                partner_id=row.id,
                node_id=row.node_id,
                change="confirmed",
                fingerprint=row.fingerprint,
            ),
        )
        return PartnerOut.of(row)


def list_partners(node: Node, actor: Principal | None) -> list[PartnerOut]:
    """Every partner with its status."""
    # Administrators manage partners; the roles that share need to know whom to share with.
    if (
        actor is not None
        and not node.policy.allows_role(actor, Action.READ, Kind.PARTNER)
        and not actor.role.reads_intelligence
    ):
        raise PermissionDenied(f"the {actor.role.value} role may not list partners")
    with node.db.reading() as session:
        return [PartnerOut.of(r) for r in store.partners(session)]


def _partner(session: Session, partner_id: str) -> PartnerRow:
    row = store.partner(session, partner_id)
    if row is None:
        raise NotFound(f"no partner {partner_id}")
    return row


# -- agreements ---------------------------------------------------------------


def propose(
    node: Node,
    actor: Principal | None,
    partner_id: str,
    topics: list[str],
    max_tlp: str,
    *,
    auto_answer_queries: bool = False,
    valid_until: dt.date | None = None,
) -> AgreementOut:
    """Propose an agreement to a confirmed partner; it is active once the partner accepts."""
    _require_admin(node, actor, "propose agreements", Kind.AGREEMENT)
    cleaned = list(clean_topics(topics))
    if not cleaned:
        raise ValidationFailed.field("topics", "an agreement covers at least one topic")
    tlp = Tlp.parse(max_tlp)
    today = utcnow().date()
    if valid_until is not None and valid_until < today:
        raise ValidationFailed.field("valid_until", "must not be in the past")
    with node.db.transaction() as session:
        partner = _partner(session, partner_id)
        if partner.status != PartnerStatus.CONFIRMED.value:
            raise Conflict("confirm the partner's fingerprint before proposing an agreement")
        agreement_id = new_id()
        document = agreement_document(
            agreement_id=agreement_id,
            proposer=node.identity.id,
            partner=partner.node_id,
            topics=cleaned,
            max_tlp=tlp.value,
            auto_answer_queries=auto_answer_queries,
            valid_from=today,
            valid_until=valid_until,
        )
        signature = envelopes.sign(document, node.keys, node.identity.id)
        row = _agreement_row(document, partner, node.identity.id, AgreementStatus.PROPOSED)
        row.signatures = {node.identity.id: signature}
        session.add(row)
        outbox.queue_message(
            session,
            node,
            partner,
            MessageType.AGREEMENT_PROPOSE,
            {"document": document, "signature": signature},
            agreement_id=agreement_id,
        )
        _audit_agreement(session, actor, row, partner, "here")
        session.flush()
        return AgreementOut.of(row)


def accept_agreement(node: Node, actor: Principal | None, agreement_id: str) -> AgreementOut:
    """Accept (sign) an agreement the partner proposed; it becomes active on both sides."""
    _require_admin(node, actor, "accept agreements", Kind.AGREEMENT)
    with node.db.transaction() as session:
        row = _agreement(session, agreement_id)
        partner = _partner(session, row.partner_id)
        if row.status != AgreementStatus.PROPOSED.value or row.proposed_by == node.identity.id:
            raise Conflict(
                "only an agreement the partner proposed, and not yet active, is accepted"
            )
        if partner.status != PartnerStatus.CONFIRMED.value:
            raise Conflict("confirm the partner's fingerprint before accepting its agreement")
        assert row.document is not None
        signature = envelopes.sign(row.document, node.keys, node.identity.id)
        row.signatures = {**(row.signatures or {}), node.identity.id: signature}
        row.status = AgreementStatus.ACTIVE.value
        row.updated_at = utcnow()
        outbox.queue_message(
            session,
            node,
            partner,
            MessageType.AGREEMENT_ACCEPT,
            {"signature": signature},
            agreement_id=row.id,
        )
        _audit_agreement(session, actor, row, partner, "here")
        return AgreementOut.of(row)


def change_agreement(
    node: Node, actor: Principal | None, agreement_id: str, status: AgreementStatus, reason: str
) -> AgreementOut:
    """Suspend or end an agreement: new traffic stops at once, and the partner is told."""
    _require_admin(node, actor, f"{status.value} agreements", Kind.AGREEMENT)
    if status not in (AgreementStatus.SUSPENDED, AgreementStatus.ENDED):
        raise ValidationFailed.field("status", "an agreement is suspended or ended")
    with node.db.transaction() as session:
        row = _agreement(session, agreement_id)
        partner = _partner(session, row.partner_id)
        if row.status == AgreementStatus.ENDED.value:
            raise Conflict("the agreement has ended")
        row.status = status.value
        row.updated_at = utcnow()
        kind = (
            MessageType.AGREEMENT_SUSPEND
            if status is AgreementStatus.SUSPENDED
            else MessageType.AGREEMENT_END
        )
        outbox.queue_message(session, node, partner, kind, {"reason": reason}, agreement_id=row.id)
        _audit_agreement(session, actor, row, partner, "here", reason)
        return AgreementOut.of(row)


def list_agreements(node: Node, actor: Principal | None) -> list[AgreementOut]:
    """Every agreement."""
    with node.db.reading() as session:
        return [AgreementOut.of(r) for r in store.agreements(session)]


def apply_agreement_message(
    session: Session, node: Node, partner: PartnerRow, kind: MessageType, msg: dict[str, Any]
) -> None:
    """Apply a partner's agreement.* message (inside the receiving transaction)."""
    body = msg.get("body", {})
    agreement_id = msg.get("agreement")
    if kind is MessageType.AGREEMENT_PROPOSE:
        document = body.get("document")
        signature = body.get("signature", "")
        if not isinstance(document, dict) or document.get("agreement") != agreement_id:
            raise MessageInvalid("the proposal's document does not name its agreement")
        assert partner.signing_key is not None
        if envelopes.verify(signature, partner.signing_key) != document:
            raise MessageInvalid("the proposal's signature is not over its document")
        if document.get("parties") != [partner.node_id, node.identity.id]:
            raise MessageInvalid("the agreement is not between the sender and this node")
        if store.agreement(session, str(agreement_id)) is not None:
            raise MessageInvalid("an agreement with this id exists")
        row = _agreement_row(document, partner, partner.node_id, AgreementStatus.PROPOSED)
        row.signatures = {partner.node_id: signature}
        session.add(row)
        _audit_agreement(session, None, row, partner, "partner")
        return
    held = store.agreement(session, str(agreement_id))
    if held is None or held.partner_id != partner.id:
        raise MessageInvalid("no such agreement with the sender")
    row = held
    if kind is MessageType.AGREEMENT_ACCEPT:
        assert partner.signing_key is not None
        assert row.document is not None
        signature = body.get("signature", "")
        if envelopes.verify(signature, partner.signing_key) != row.document:
            raise MessageInvalid("the acceptance's signature is not over the agreement")
        if row.status != AgreementStatus.PROPOSED.value or row.proposed_by != node.identity.id:
            raise MessageInvalid("the agreement is not a proposal of this node")
        row.signatures = {**(row.signatures or {}), partner.node_id: signature}
        row.status = AgreementStatus.ACTIVE.value
    elif kind is MessageType.AGREEMENT_SUSPEND:
        if row.status != AgreementStatus.ENDED.value:
            row.status = AgreementStatus.SUSPENDED.value
    elif kind is MessageType.AGREEMENT_END:
        row.status = AgreementStatus.ENDED.value
    row.updated_at = utcnow()
    _audit_agreement(session, None, row, partner, "partner", body.get("reason"))


def _agreement_row(
    document: dict[str, Any], partner: PartnerRow, proposer: str, status: AgreementStatus
) -> AgreementRow:
    now = utcnow()
    return AgreementRow(
        id=str(document["agreement"]),
        partner_id=partner.id,
        status=status.value,
        topics=list(document["topics"]),
        max_tlp=Tlp.parse(str(document["max_tlp"])).value,
        auto_answer_queries=bool(document["auto_answer_queries"]),
        valid_from=dt.date.fromisoformat(str(document["valid_from"])),
        valid_until=(
            dt.date.fromisoformat(str(document["valid_until"]))
            if document.get("valid_until")
            else None
        ),
        document=document,
        proposed_by=proposer,
        created_at=now,
        updated_at=now,
    )


def _agreement(session: Session, agreement_id: str) -> AgreementRow:
    row = store.agreement(session, agreement_id)
    if row is None:
        raise NotFound(f"no agreement {agreement_id}")
    return row


def _audit_agreement(
    session: Session,
    actor: Principal | None,
    row: AgreementRow,
    partner: PartnerRow,
    by: str,
    reason: str | None = None,
) -> None:
    who = ev.Actor("partner", partner.node_id) if by == "partner" else auditing.actor_of(actor)
    audit_log.add(
        session,
        ev.AgreementEvent(
            actor=who,
            reason=reason,
            agreement_id=row.id,
            partner_node=partner.node_id,
            status=row.status,
            by=by,
        ),
    )


def active_agreement_ok(row: AgreementRow, today: dt.date) -> str | None:
    """Why an agreement does not let traffic pass today, or None when it does."""
    if row.status != AgreementStatus.ACTIVE.value:
        return f"the agreement is {row.status}"
    if row.valid_from > today:
        return "the agreement is not yet in force"
    if row.valid_until is not None and row.valid_until < today:
        return "the agreement has expired"
    return None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def outbox_counts(node: Node, actor: Principal | None) -> dict[str, dict[str, int]]:
    """Messages in the outbox by partner and status (queued, delivered, refused…)."""
    _require_admin(node, actor, "see the outbox", Kind.PARTNER)
    found: dict[str, dict[str, int]] = {}
    with node.db.reading() as session:
        for (partner_id, status), count in store.outbox_counts(session).items():
            found.setdefault(partner_id, {})[status] = count
    return found
