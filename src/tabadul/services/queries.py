"""Partner hit/no-hit queries (Prüm-style, two steps).

Step one: a liaison officer or supervisor asks selected partners whether they
hold anything on a person (a name, optionally a date of birth) or a
selector. Each partner node answers by itself where the agreement allows
automatic answers: ``hit`` or ``no_hit``, and for a hit a reference, the
contact point and a match quality — never content. Where the agreement does
not allow it, the answer is ``not_allowed``; either way the partner's
analysts see the query. Step two: a hit leads, with one action, to a request
for information quoting the reference, under the same agreement.

Records in compartments never count towards an automatic answer: a
need-to-know group is, by definition, not for partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal
from tabadul.audit import events as ev
from tabadul.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tabadul.exchange.messages import Message, MessageType
from tabadul.matching.scoring import Profile, score
from tabadul.matching.selectors import Selector
from tabadul.model.ids import new_id
from tabadul.services import auditing, correlation, outbox, sharing
from tabadul.services.federation import active_agreement_ok
from tabadul.services.node import Node
from tabadul.storage import accounts as account_store
from tabadul.storage import audit_log, protection
from tabadul.storage import exchange as exchange_store
from tabadul.storage import matching as match_store
from tabadul.storage.tables import (
    AgreementRow,
    OutboxRow,
    PartnerQueryRow,
    PartnerQueryTargetRow,
    PartnerRow,
    QueryReferenceRow,
)
from tabadul.storage.types import utcnow

HIT, NO_HIT, NOT_ALLOWED = "hit", "no_hit", "not_allowed"
STRONG = 0.9  # a match quality of "strong" from this score, "possible" below


@dataclass
class Answer:
    """One partner's answer to a query (or why there is none yet)."""

    partner_id: str
    partner: str
    status: str  # queued, refused, hit, no_hit, not_allowed
    reference: str | None = None
    contact: str | None = None
    quality: str | None = None
    reason: str | None = None


@dataclass
class QueryOut:
    """A query this node asked, with each partner's answer."""

    id: str
    kind: str
    value: str
    birth_date: str | None
    asked_by: str
    created_at: str
    answers: list[Answer] = field(default_factory=list)


def ask(
    node: Node,
    actor: Principal,
    partner_ids: list[str],
    kind: str,
    value: str,
    birth_date: str | None = None,
    purpose: str | None = None,
) -> QueryOut:
    """Ask partners whether they hold anything on a name or a selector."""
    _require(node, actor)
    stated = auditing.purpose_of(purpose)
    subject = _subject(node, kind, value, birth_date)
    if not partner_ids:
        raise ValidationFailed.field("partners", "ask at least one partner")
    query_id = new_id()
    with node.db.transaction() as session:
        session.add(
            PartnerQueryRow(
                id=query_id,
                asked_by=actor.user_id,
                kind=subject["kind"],
                value=subject["value"],
                birth_date=subject.get("birth_date"),
                purpose=stated,
                created_at=utcnow(),
            )
        )
        session.flush()
        for partner_id in dict.fromkeys(partner_ids):
            partner = exchange_store.partner(session, partner_id)
            if partner is None:
                raise NotFound(f"no partner {partner_id}")
            agreement = _agreement(session, partner)
            if isinstance(agreement, str):
                session.add(
                    PartnerQueryTargetRow(
                        query_id=query_id, partner_id=partner.id, refused=agreement
                    )
                )
                continue
            message = outbox.queue_message(
                session,
                node,
                partner,
                MessageType.QUERY,
                {"query": query_id, **subject},
                agreement_id=agreement.id,
            )
            session.add(
                PartnerQueryTargetRow(
                    query_id=query_id, partner_id=partner.id, message_id=message.id
                )
            )
            audit_log.add(
                session,
                ev.Disclosure(
                    actor=auditing.actor_of(actor),
                    purpose=stated,
                    message_type=MessageType.QUERY.value,
                    partner_node=partner.node_id,
                    message_id=message.id,
                    agreement_id=agreement.id,
                ),
            )
    return get(node, actor, query_id)


def get(node: Node, actor: Principal, query_id: str) -> QueryOut:
    """A query with its answers so far (the asker's, or any for a supervisor)."""
    _require(node, actor)
    with node.db.reading() as session:
        row = session.get(PartnerQueryRow, query_id)
        if row is None or not _may_see(actor, row):
            raise NotFound(f"no query {query_id}")
        return _out(session, row)


def list_queries(node: Node, actor: Principal, limit: int = 50) -> list[QueryOut]:
    """The queries the actor asked (all of the node's for a supervisor), newest first."""
    _require(node, actor)
    with node.db.reading() as session:
        query = select(PartnerQueryRow).order_by(PartnerQueryRow.created_at.desc()).limit(limit)
        if actor.role.value != "supervisor":
            query = query.where(PartnerQueryRow.asked_by == actor.user_id)
        return [_out(session, row) for row in session.scalars(query)]


def received(node: Node, actor: Principal, limit: int = 50) -> list[dict[str, Any]]:
    """Queries partners asked this node, with the answer it gave: shown to its analysts."""
    if not node.policy.allows_role(actor, Action.READ, Kind.ENTITY):
        raise PermissionDenied(f"the {actor.role.value} role may not see partners' queries")
    with node.db.reading() as session:
        rows = exchange_store.inbox(session, MessageType.QUERY.value, limit)
        partners = {p.id: p for p in exchange_store.partners(session)}
        found = []
        for row in rows:
            answer = _answer_sent(session, row.message_id)
            body = row.message.get("body", {})
            found.append(
                {
                    "id": row.message_id,
                    "partner": partners[row.partner_id].name if row.partner_id in partners else "?",
                    "received_at": row.received_at,
                    "kind": body.get("kind"),
                    "value": body.get("value"),
                    "birth_date": body.get("birth_date"),
                    "answer": answer.get("result") if answer else None,
                    "reference": answer.get("reference") if answer else None,
                }
            )
    auditing.record(
        node,
        ev.InboxRead(
            actor=auditing.actor_of(actor),
            kind=MessageType.QUERY.value,
            shown=tuple(str(q["id"]) for q in found),
        ),
    )
    return found


def request_information(
    node: Node, actor: Principal, query_id: str, partner_id: str, question: str
) -> dict[str, Any]:
    """Step two: a request for information about a hit, quoting its reference."""
    query = get(node, actor, query_id)
    answer = next((a for a in query.answers if a.partner_id == partner_id), None)
    if answer is None or answer.status != HIT or answer.reference is None:
        raise Conflict("a request for information follows a hit from that partner")
    with node.db.reading() as session:
        partner = exchange_store.partner(session, partner_id)
        agreement = _agreement(session, partner) if partner else "no partner"
    if isinstance(agreement, str):
        raise Conflict(agreement)
    subject = f"Hit/no-hit reference {answer.reference}: {query.kind} {query.value}"
    return sharing.send_rfi(
        node, actor, partner_id, subject, question, topic=agreement.topics[0], urgency="normal"
    )


# -- the partner's side: answering by itself ----------------------------------------


def answer_received(
    session: Session,
    node: Node,
    partner: PartnerRow,
    message: Message,
    agreement: AgreementRow | None,
) -> None:
    """Answer a partner's query in the transaction that receives it (sent after commit)."""
    body = message.body
    reply: dict[str, Any] = {"in_reply_to": message.id, "query": body.get("query")}
    if agreement is None or not agreement.auto_answer_queries:
        reply["result"] = NOT_ALLOWED
        reply["reason"] = "the agreement does not allow automatic answers; analysts will see it"
    else:
        matched, best = _matches(session, node, body)
        if matched:
            reference = new_id()
            session.add(
                QueryReferenceRow(
                    reference=reference,
                    message_id=message.id,
                    partner_id=partner.id,
                    entity_ids=sorted(matched),
                    created_at=utcnow(),
                )
            )
            reply.update(
                result=HIT,
                reference=reference,
                contact=node.settings.query_contact or node.identity.name,
                quality="strong" if best >= STRONG else "possible",
            )
        else:
            reply["result"] = NO_HIT
    sent = outbox.queue_message(
        session,
        node,
        partner,
        MessageType.QUERY_ANSWER,
        reply,
        agreement_id=agreement.id if agreement else None,
    )
    audit_log.add(
        session,
        ev.Disclosure(
            actor=ev.SYSTEM,
            reason=f"automatic hit/no-hit answer: {reply['result']}",
            message_type=MessageType.QUERY_ANSWER.value,
            partner_node=partner.node_id,
            message_id=sent.id,
            agreement_id=agreement.id if agreement else None,
        ),
    )


def _matches(session: Session, node: Node, body: dict[str, Any]) -> tuple[set[str], float]:
    """The records matching a query that may count (no compartments), and the best score."""
    kind, value = str(body.get("kind", "")), str(body.get("value", ""))
    region = node.identity.country
    if kind == correlation.NAME:
        births = (str(body["birth_date"]),) if body.get("birth_date") else ()
        profile = Profile("query", "Person", names=(value,), birth_dates=births)
        keys = correlation.lookups_of(profile)
    else:
        try:
            selector = Selector.parse(f"{kind}:{value}", region)
        except ValueError:
            return set(), 0.0
        profile = Profile("query", "Person", selectors=frozenset({selector}))
        keys = {(selector.kind.value, selector.value)}
    held = match_store.entity_ids_with(session, keys, correlation.MAX_PER_KEY + 1)
    crowded = correlation.crowded(held)
    candidates = {e for key, ids in held.items() if key not in crowded for e in ids}
    labels = protection.entity_labels(session, candidates)
    rows = match_store.held_entities(session, [e for e in candidates if not labels[e][1]])
    matched: set[str] = set()
    best = 0.0
    for entity_id, row in rows.items():
        result = score(profile, correlation.profile_of(row, region), node.settings.match_threshold)
        if result.value >= node.settings.match_threshold:
            matched.add(entity_id)
            best = max(best, result.value)
    return matched, best


# -- helpers ------------------------------------------------------------------


def _subject(node: Node, kind: str, value: str, birth_date: str | None) -> dict[str, Any]:
    kind = kind.strip().lower()
    value = value.strip()
    if not value:
        raise ValidationFailed.field("value", "say what to ask about")
    if kind == correlation.NAME:
        subject: dict[str, Any] = {"kind": kind, "value": value[:500]}
        if birth_date:
            if not (len(birth_date) in (4, 7, 10) and birth_date[:4].isdigit()):
                raise ValidationFailed.field("birth_date", "use YYYY, YYYY-MM or YYYY-MM-DD")
            subject["birth_date"] = birth_date
        return subject
    try:
        selector = Selector.parse(f"{kind}:{value}", node.identity.country)
    except ValueError as exc:
        raise ValidationFailed.field("value", str(exc)) from None
    return {"kind": selector.kind.value, "value": selector.value}


def _agreement(session: Session, partner: PartnerRow | None) -> AgreementRow | str:
    """The active agreement with a partner, or why there is none."""
    if partner is None:
        return "no such partner"
    if partner.status != "confirmed":
        return f"partner {partner.name} is {partner.status}, not confirmed"
    today = utcnow().date()
    for agreement in exchange_store.agreements(session, partner.id):
        if active_agreement_ok(agreement, today) is None:
            return agreement
    return f"there is no active agreement with {partner.name}"


def _answer_sent(session: Session, message_id: str) -> dict[str, Any] | None:
    rows = session.scalars(
        select(OutboxRow).where(OutboxRow.type == MessageType.QUERY_ANSWER.value)
    )
    for row in rows:
        body = row.message.get("body", {})
        if body.get("in_reply_to") == message_id:
            return dict(body)
    return None


def _out(session: Session, row: PartnerQueryRow) -> QueryOut:
    names = account_store.usernames(session, {row.asked_by})
    partners = {p.id: p for p in exchange_store.partners(session)}
    targets = session.scalars(
        select(PartnerQueryTargetRow).where(PartnerQueryTargetRow.query_id == row.id)
    )
    answers = []
    for target in targets:
        name = partners[target.partner_id].name if target.partner_id in partners else "?"
        if target.refused is not None or target.message_id is None:
            answers.append(Answer(target.partner_id, name, "refused", reason=target.refused))
            continue
        replies = exchange_store.replies_to(session, target.message_id)
        if not replies:
            answers.append(Answer(target.partner_id, name, "queued"))
            continue
        body = replies[-1].message.get("body", {})
        answers.append(
            Answer(
                target.partner_id,
                name,
                str(body.get("result")),
                reference=body.get("reference"),
                contact=body.get("contact"),
                quality=body.get("quality"),
                reason=body.get("reason"),
            )
        )
    return QueryOut(
        id=row.id,
        kind=row.kind,
        value=row.value,
        birth_date=row.birth_date,
        asked_by=names.get(row.asked_by, "?"),
        created_at=row.created_at.isoformat(),
        answers=answers,
    )


def _may_see(actor: Principal, row: PartnerQueryRow) -> bool:
    return row.asked_by == actor.user_id or actor.role.value == "supervisor"


def _require(node: Node, actor: Principal) -> None:
    if not node.policy.allows_role(actor, Action.SHARE, Kind.REPORT):
        error = PermissionDenied(
            f"the {actor.role.value} role may not query partners (liaison officers and supervisors)"
        )
        raise auditing.refusal(node, actor, "query", None, error)
