"""Sharing reports with partners, and what follows: updates, withdrawals, consent, RFIs.

The policy on send lives in one place, :func:`check_send` (docs/federation.md
"Policy on send"): a confirmed partner; an active agreement in force; every
topic of the report in its scope; TLP no higher than its maximum; RED only
to partners named in the request; the third-party rule (a report that came
from a partner goes to nobody else without the originator's consent on
record); and four eyes at or above the configured TLP. Every refusal says
why and is audited; the decision and its outbox message share a transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from followthemoney import model as ftm
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal
from tabadul.audit import events as ev
from tabadul.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tabadul.exchange.messages import RFI_DEADLINES, MessageType
from tabadul.model.handling import Tlp
from tabadul.model.ids import new_id
from tabadul.model.partners import PartnerStatus
from tabadul.model.protection import Protection
from tabadul.model.reports import ReportStatus
from tabadul.services import auditing, outbox
from tabadul.services.federation import active_agreement_ok
from tabadul.services.node import Node
from tabadul.storage import audit_log, protection
from tabadul.storage import entities as entity_store
from tabadul.storage import exchange as store
from tabadul.storage import reports as report_store
from tabadul.storage.tables import (
    AgreementRow,
    ConsentRow,
    PartnerRow,
    ReportRow,
    ReportVersionRow,
    ShareRow,
)
from tabadul.storage.types import utcnow

PENDING_APPROVAL = "pending-approval"
QUEUED = "queued"
DELIVERED = "delivered"
REFUSED = "refused"


@dataclass(frozen=True)
class ShareOut:
    """A share as the API shows it, with the receipt once the partner signed one."""

    id: str
    partner: str
    report: str
    version: int
    status: str
    reason: str | None
    message_id: str | None
    receipt: dict[str, Any] | None
    created_at: dt.datetime
    updated_at: dt.datetime


class Refusal(Exception):
    """Why the policy on send refuses a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_send(
    session: Session,
    node: Node,
    partner: PartnerRow,
    report: ReportRow,
    version: ReportVersionRow,
    *,
    named: bool,
) -> AgreementRow:
    """The agreement a report version may travel under to ``partner``; Refusal if none."""
    if partner.status != PartnerStatus.CONFIRMED.value:
        raise Refusal(f"partner {partner.name} is {partner.status}, not confirmed")
    tlp = Tlp.parse(str(version.handling["tlp"]))
    topics = set(version.topics)
    # The third-party rule: a partner's information goes on only with the originator's consent.
    if (
        report.originator not in (node.identity.id, partner.node_id)
        and store.consent(session, report.id, partner.node_id) is None
    ):
        raise Refusal(
            f"the report came from node {report.originator}; passing it on to "
            f"{partner.name} needs the originator's consent, and none is on record"
        )
    if tlp is Tlp.RED and not named:
        raise Refusal("TLP:RED goes only to the partners a person names")
    today = utcnow().date()
    reasons = []
    for agreement in store.agreements(session, partner.id):
        why = active_agreement_ok(agreement, today)
        if why is None and not topics:
            why = "the report has no topic, and agreements cover topics"
        if why is None and not topics <= set(agreement.topics):
            outside = ", ".join(sorted(topics - set(agreement.topics)))
            why = f"topic {outside} is outside the agreement"
        if why is None and Tlp.parse(agreement.max_tlp) < tlp:
            why = f"TLP:{tlp.value} is above the agreement's maximum TLP:{agreement.max_tlp}"
        if why is None:
            return agreement
        reasons.append(why)
    if not reasons:
        raise Refusal(f"there is no agreement with {partner.name}")
    raise Refusal("; ".join(dict.fromkeys(reasons)))


def needs_four_eyes(node: Node, version: ReportVersionRow) -> bool:
    """True when releasing this version waits for a supervisor."""
    threshold = Tlp.parse(node.settings.exchange_four_eyes_tlp)
    return threshold <= Tlp.parse(str(version.handling["tlp"]))


def share(
    node: Node,
    actor: Principal,
    report_id: str,
    partner_ids: list[str],
    purpose: str | None = None,
) -> list[ShareOut]:
    """Share a report's current version with partners; each share is queued, held or refused."""
    _require(node, actor, Action.SHARE, report_id)
    if not partner_ids:
        raise ValidationFailed.field("partners", "name at least one partner")
    refusals: list[ev.Event] = []
    with node.db.transaction() as session:
        report, version = _readable(session, node, actor, report_id)
        out = []
        for partner_id in dict.fromkeys(partner_ids):
            partner = store.partner(session, partner_id)
            if partner is None:
                raise NotFound(f"no partner {partner_id}")
            now = utcnow()
            row = ShareRow(
                id=new_id(),
                report_id=report.id,
                partner_id=partner.id,
                version=version.version,
                requested_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            try:
                if version.status != ReportStatus.RELEASED.value:
                    raise Refusal(f"a {version.status} report is not shared")
                agreement = check_send(session, node, partner, report, version, named=True)
            except Refusal as refusal:
                row.status, row.reason = REFUSED, refusal.reason
                session.add(row)
                refusals.append(_disclosure(actor, purpose, partner, report, version, row, refusal))
                out.append(_out(row, None))
                continue
            row.agreement_id = agreement.id
            if needs_four_eyes(node, version):
                row.status = PENDING_APPROVAL
                row.reason = "waits for a supervisor's approval (four eyes)"
                session.add(row)
            else:
                session.add(row)
                _send(session, node, actor, purpose, partner, report, version, row, agreement)
            out.append(_out(row, None))
        session.flush()
        audit_log.add(session, *refusals)
    return out


def approve(node: Node, actor: Principal, share_id: str, purpose: str | None = None) -> ShareOut:
    """A supervisor releases a share that waited for four eyes (the policy is checked again)."""
    if not node.policy.allows_role(actor, Action.APPROVE, Kind.REPORT):
        error = PermissionDenied(f"the {actor.role.value} role may not approve releases")
        raise auditing.refusal(node, actor, "approve", f"share:{share_id}", error)
    refusal_event = None
    with node.db.transaction() as session:
        row = store.share(session, share_id)
        if row is None:
            raise NotFound(f"no share {share_id}")
        if row.status != PENDING_APPROVAL:
            raise Conflict(f"the share is {row.status}, not waiting for approval")
        if row.requested_by == actor.user_id:
            raise PermissionDenied("four eyes: someone other than the requester approves")
        report, version = _readable(session, node, actor, row.report_id)
        partner = store.partner(session, row.partner_id)
        assert partner is not None
        row.approved_by, row.updated_at, row.version = actor.user_id, utcnow(), version.version
        try:
            agreement = check_send(session, node, partner, report, version, named=True)
        except Refusal as refusal:
            row.status, row.reason = REFUSED, refusal.reason
            refusal_event = _disclosure(actor, purpose, partner, report, version, row, refusal)
            audit_log.add(session, refusal_event)
            return _out(row, None)
        row.reason = None
        audit_log.add(
            session,
            ev.ShareApproved(
                actor=auditing.actor_of(actor),
                purpose=purpose,
                share_id=row.id,
                report_id=row.report_id,
                partner_node=partner.node_id,
            ),
        )
        _send(session, node, actor, purpose, partner, report, version, row, agreement)
        return _out(row, None)


def get_share(node: Node, actor: Principal, share_id: str) -> ShareOut:
    """A share's status, with the partner's signed receipt once delivered."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        row = store.share(session, share_id)
        if row is None:
            raise NotFound(f"no share {share_id}")
        _readable(session, node, actor, row.report_id)
        sent = store.outbox_row(session, row.message_id) if row.message_id else None
        status = row.status
        if sent is not None and row.status == QUEUED:
            status = {store.DELIVERED: DELIVERED, store.REFUSED: REFUSED}.get(sent.status, QUEUED)
        out = _out(row, sent.receipt if sent else None)
        reason = row.reason or (sent.last_error if sent and sent.status == store.REFUSED else None)
        return ShareOut(**{**out.__dict__, "status": status, "reason": reason})


def shares_of(node: Node, actor: Principal, report_id: str) -> list[ShareOut]:
    """Every share of a report."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        _readable(session, node, actor, report_id)
        rows = store.shares_of(session, report_id)
    return [get_share(node, actor, r.id) for r in rows]


def follow_up(session: Session, node: Node, actor: Principal | None, report_id: str) -> None:
    """Send a report's new version (or its withdrawal) to every partner it was shared with.

    Called in the transaction that records the version, so an update or a
    withdrawal is queued exactly when it is committed. A withdrawal goes to
    every partner that holds the report, whatever its agreement's state.
    """
    shares = [s for s in store.shares_of(session, report_id) if s.status in (QUEUED, DELIVERED)]
    if not shares:
        return
    report = report_store.get(session, report_id)
    assert report is not None
    version = report_store.get_version(session, report_id, report.version)
    assert version is not None
    withdrawn = version.status == ReportStatus.WITHDRAWN.value
    kind = MessageType.REPORT_WITHDRAW if withdrawn else MessageType.REPORT_UPDATE
    events: list[ev.Event] = []
    for partner_id in dict.fromkeys(s.partner_id for s in shares):
        row = next(s for s in reversed(shares) if s.partner_id == partner_id)
        if row.version >= version.version:
            continue
        partner = store.partner(session, partner_id)
        assert partner is not None
        agreement_id: str | None
        try:
            agreement_id = check_send(session, node, partner, report, version, named=True).id
        except Refusal as refusal:
            if not withdrawn:
                events.append(_disclosure(actor, None, partner, report, version, row, refusal))
                continue
            agreement_id = row.agreement_id  # withdrawals always go out
        message = outbox.queue_message(
            session,
            node,
            partner,
            kind,
            report_body(session, report, version),
            agreement_id=agreement_id,
            report_id=report.id,
            version=version.version,
            share_id=row.id,
        )
        row.version, row.message_id, row.updated_at = version.version, message.id, utcnow()
        row.status = QUEUED
        events.append(
            ev.Disclosure(
                actor=auditing.actor_of(actor) if actor else ev.SYSTEM,
                message_type=kind.value,
                partner_node=partner.node_id,
                message_id=message.id,
                report_id=report.id,
                version=version.version,
                agreement_id=agreement_id,
                share_id=row.id,
            )
        )
    audit_log.add(session, *events)


def report_body(session: Session, report: ReportRow, version: ReportVersionRow) -> dict[str, Any]:
    """A report version as it travels (protocol v1 ``report`` object)."""
    mentions = report_store.mentions_of(session, [(report.id, version.version)])
    entities = entity_store.get_many(session, {m.entity_id for m in mentions})
    entity_list = []
    for entity_id, row in entities.items():
        schema = ftm.get(row.schema)
        properties = {}
        for name, values in row.properties.items():
            prop = schema.get(name) if schema is not None else None
            if prop is not None and prop.type.name == "entity":
                # A reference to an entity that does not travel with the report is left out.
                values = [v for v in values if v in entities]
            if values:
                properties[name] = values
        entity_list.append(
            {
                "id": entity_id,
                "schema": row.schema,
                "properties": properties,
                "category": row.category,
            }
        )
    return {
        "report": {
            "id": report.id,
            "version": version.version,
            "status": version.status,
            "originator": report.originator,
            "title": version.title,
            "body": version.body,
            "language": version.language,
            "topics": list(version.topics),
            "date_of_information": (
                version.date_of_information.isoformat() if version.date_of_information else None
            ),
            "handling": dict(version.handling),
            "grading": dict(version.grading),
            "nature": version.nature,
            "note": version.note,
            "entities": entity_list,
            "mentions": [{"entity": m.entity_id, "start": m.start, "end": m.end} for m in mentions],
        }
    }


def _send(
    session: Session,
    node: Node,
    actor: Principal | None,
    purpose: str | None,
    partner: PartnerRow,
    report: ReportRow,
    version: ReportVersionRow,
    row: ShareRow,
    agreement: AgreementRow,
) -> None:
    message = outbox.queue_message(
        session,
        node,
        partner,
        MessageType.REPORT_SHARE,
        report_body(session, report, version),
        agreement_id=agreement.id,
        report_id=report.id,
        version=version.version,
        share_id=row.id,
    )
    row.status, row.message_id, row.agreement_id = QUEUED, message.id, agreement.id
    audit_log.add(
        session,
        ev.Disclosure(
            actor=auditing.actor_of(actor) if actor else ev.SYSTEM,
            purpose=purpose,
            message_type=MessageType.REPORT_SHARE.value,
            partner_node=partner.node_id,
            message_id=message.id,
            report_id=report.id,
            version=version.version,
            agreement_id=agreement.id,
            share_id=row.id,
        ),
    )


def _disclosure(
    actor: Principal | None,
    purpose: str | None,
    partner: PartnerRow,
    report: ReportRow,
    version: ReportVersionRow,
    row: ShareRow,
    refusal: Refusal,
) -> ev.Event:
    return ev.Disclosure(
        actor=auditing.actor_of(actor) if actor else ev.SYSTEM,
        purpose=purpose,
        outcome=ev.Outcome.REFUSED,
        reason=refusal.reason,
        message_type=MessageType.REPORT_SHARE.value,
        partner_node=partner.node_id,
        report_id=report.id,
        version=version.version,
        share_id=row.id,
    )


def _out(row: ShareRow, receipt: dict[str, Any] | None) -> ShareOut:
    return ShareOut(
        id=row.id,
        partner=row.partner_id,
        report=row.report_id,
        version=row.version,
        status=row.status,
        reason=row.reason,
        message_id=row.message_id,
        receipt=receipt,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _require(node: Node, actor: Principal, action: Action, report_id: str | None = None) -> None:
    if not node.policy.allows_role(actor, action, Kind.REPORT):
        error = PermissionDenied(f"the {actor.role.value} role may not {action.value} reports")
        ref = f"report:{report_id}" if report_id else None
        raise auditing.refusal(node, actor, action.value, ref, error)


def _readable(
    session: Session, node: Node, actor: Principal, report_id: str
) -> tuple[ReportRow, ReportVersionRow]:
    report = report_store.get(session, report_id)
    label = protection.report_labels(session, [report_id]).get(report_id)
    if report is None or label is None:
        raise NotFound(f"no report {report_id}")
    resource_label = Protection(label[0], label[1])
    if not node.policy.needs_know(actor, resource_label):
        raise NotFound(f"no report {report_id}")
    version = report_store.get_version(session, report_id, report.version)
    assert version is not None
    return report, version


# -- consent (the third-party rule) ------------------------------------------


def request_consent(
    node: Node, actor: Principal, report_id: str, third_party: str, note: str | None = None
) -> str:
    """Ask a report's originator for consent to pass it on to ``third_party`` (a partner id)."""
    _require(node, actor, Action.SHARE, report_id)
    with node.db.transaction() as session:
        report, _ = _readable(session, node, actor, report_id)
        originator = store.partner_by_node(session, report.originator)
        target = store.partner(session, third_party)
        if originator is None:
            raise Conflict("the report is this node's own; no consent is needed")
        if target is None:
            raise NotFound(f"no partner {third_party}")
        agreement = _agreement_with(session, originator)
        message = outbox.queue_message(
            session,
            node,
            originator,
            MessageType.CONSENT_REQUEST,
            {
                "report": report.id,
                "third_party": target.node_id,
                "third_party_name": target.name,
                "note": note,
            },
            agreement_id=agreement.id,
            report_id=report.id,
        )
        audit_log.add(
            session,
            ev.Disclosure(
                actor=auditing.actor_of(actor),
                message_type=MessageType.CONSENT_REQUEST.value,
                partner_node=originator.node_id,
                message_id=message.id,
                report_id=report.id,
                agreement_id=agreement.id,
            ),
        )
        return message.id


def grant_consent(
    node: Node, actor: Principal, report_id: str, partner_id: str, third_party: str
) -> str:
    """As originator, consent that ``partner_id`` passes a report on to node ``third_party``."""
    _require(node, actor, Action.SHARE, report_id)
    with node.db.transaction() as session:
        report, _ = _readable(session, node, actor, report_id)
        if report.originator != node.identity.id:
            raise Conflict("only the originator of a report consents to passing it on")
        partner = store.partner(session, partner_id)
        if partner is None:
            raise NotFound(f"no partner {partner_id}")
        agreement = _agreement_with(session, partner)
        message = outbox.queue_message(
            session,
            node,
            partner,
            MessageType.CONSENT_GRANT,
            {"report": report.id, "third_party": third_party},
            agreement_id=agreement.id,
            report_id=report.id,
        )
        audit_log.add(
            session,
            ev.Disclosure(
                actor=auditing.actor_of(actor),
                reason=f"consent to pass on to node {third_party}",
                message_type=MessageType.CONSENT_GRANT.value,
                partner_node=partner.node_id,
                message_id=message.id,
                report_id=report.id,
                agreement_id=agreement.id,
            ),
        )
        return message.id


def record_consent(session: Session, partner: PartnerRow, message: dict[str, Any]) -> None:
    """Keep an originator's consent received in a ``consent.grant`` message."""
    body = message.get("body", {})
    report_id, third_party = str(body.get("report")), str(body.get("third_party"))
    report = report_store.get(session, report_id)
    if report is None or report.originator != partner.node_id:
        raise ValueError("consent comes from the report's originator, for a report held here")
    if store.consent(session, report_id, third_party) is None:
        session.add(
            ConsentRow(
                report_id=report_id,
                third_party=third_party,
                granted_by=partner.node_id,
                granted_at=utcnow(),
                message_id=str(message["id"]),
            )
        )


def _agreement_with(session: Session, partner: PartnerRow) -> AgreementRow:
    if partner.status != PartnerStatus.CONFIRMED.value:
        raise Conflict(f"partner {partner.name} is {partner.status}, not confirmed")
    today = utcnow().date()
    for agreement in store.agreements(session, partner.id):
        if active_agreement_ok(agreement, today) is None:
            return agreement
    raise Conflict(f"there is no active agreement with {partner.name}")


# -- requests for information -------------------------------------------------


def send_rfi(
    node: Node,
    actor: Principal,
    partner_id: str,
    subject: str,
    question: str,
    topic: str,
    urgency: str = "normal",
    deadline: dt.datetime | None = None,
) -> dict[str, Any]:
    """Send a request for information; the deadline defaults by urgency (8 h, 7 days)."""
    _require(node, actor, Action.SHARE)
    if urgency not in RFI_DEADLINES:
        raise ValidationFailed.field("urgency", "urgent or normal")
    if not subject.strip() or not question.strip():
        raise ValidationFailed.field("question", "an RFI needs a subject and a question")
    due = deadline or utcnow() + RFI_DEADLINES[urgency]
    with node.db.transaction() as session:
        partner = store.partner(session, partner_id)
        if partner is None:
            raise NotFound(f"no partner {partner_id}")
        agreement = _agreement_with(session, partner)
        if topic.strip().lower() not in agreement.topics:
            raise Conflict(f"topic {topic} is outside the agreement with {partner.name}")
        body = {
            "subject": subject.strip(),
            "question": question.strip(),
            "topic": topic.strip().lower(),
            "urgency": urgency,
            "deadline": due.isoformat(),
        }
        message = outbox.queue_message(
            session, node, partner, MessageType.RFI_REQUEST, body, agreement_id=agreement.id
        )
        audit_log.add(
            session,
            ev.Disclosure(
                actor=auditing.actor_of(actor),
                message_type=MessageType.RFI_REQUEST.value,
                partner_node=partner.node_id,
                message_id=message.id,
                agreement_id=agreement.id,
            ),
        )
        return {"id": message.id, "partner": partner.id, "deadline": due, "status": "queued"}


def reply_rfi(node: Node, actor: Principal, rfi_id: str, answer: str) -> dict[str, Any]:
    """Answer a partner's request for information."""
    _require(node, actor, Action.SHARE)
    if not answer.strip():
        raise ValidationFailed.field("answer", "must not be empty")
    with node.db.transaction() as session:
        received = store.inbox_row(session, rfi_id)
        if received is None or received.type != MessageType.RFI_REQUEST.value:
            raise NotFound(f"no request for information {rfi_id}")
        partner = store.partner(session, received.partner_id)
        assert partner is not None
        agreement = _agreement_with(session, partner)
        message = outbox.queue_message(
            session,
            node,
            partner,
            MessageType.RFI_REPLY,
            {"in_reply_to": rfi_id, "answer": answer.strip()},
            agreement_id=agreement.id,
        )
        audit_log.add(
            session,
            ev.Disclosure(
                actor=auditing.actor_of(actor),
                message_type=MessageType.RFI_REPLY.value,
                partner_node=partner.node_id,
                message_id=message.id,
                agreement_id=agreement.id,
            ),
        )
        return {"id": message.id, "in_reply_to": rfi_id, "status": "queued"}


def get_rfi(node: Node, actor: Principal, rfi_id: str) -> dict[str, Any]:
    """A request for information this node sent or received, with its replies."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        sent = store.outbox_row(session, rfi_id)
        received = store.inbox_row(session, rfi_id)
        row_message = sent.message if sent else received.message if received else None
        if row_message is None or row_message.get("type") != MessageType.RFI_REQUEST.value:
            raise NotFound(f"no request for information {rfi_id}")
        replies = [r.message["body"] for r in store.replies_to(session, rfi_id)]
        return {
            "id": rfi_id,
            "direction": "sent" if sent else "received",
            "status": sent.status if sent else "received",
            "request": row_message["body"],
            "replies": replies,
        }


def inbox(node: Node, actor: Principal, kind: str | None = None, limit: int = 100) -> list[Any]:
    """Messages received from partners, newest first (their metadata and bodies)."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        rows = store.inbox(session, kind, limit)
        partners = {p.id: p for p in store.partners(session)}
    auditing.record(
        node,
        ev.InboxRead(
            actor=auditing.actor_of(actor), kind=kind, shown=tuple(r.message_id for r in rows)
        ),
    )
    return [
        {
            "id": r.message_id,
            "type": r.type,
            "partner": r.partner_id,
            "from": partners[r.partner_id].node_id if r.partner_id in partners else None,
            "received_at": r.received_at,
            "report": r.report_id,
            "version": r.version,
            "body": r.message.get("body", {}) if not r.report_id else None,
        }
        for r in rows
    ]


def preview(node: Node, actor: Principal, report_id: str) -> dict[str, str | None]:
    """For each partner, why the report's current version may not go there (None: it may).

    The sharing dialog shows this before anyone tries, from the same check
    that decides when they do.
    """
    _require(node, actor, Action.SHARE, report_id)
    with node.db.reading() as session:
        report, version = _readable(session, node, actor, report_id)
        found: dict[str, str | None] = {}
        for partner in store.partners(session):
            try:
                if version.status != ReportStatus.RELEASED.value:
                    raise Refusal(f"a {version.status} report is not shared")
                check_send(session, node, partner, report, version, named=True)
                found[partner.id] = None
            except Refusal as refusal:
                found[partner.id] = refusal.reason
        return found
