"""Delivery and receipt of federation messages: outbox → partner inbox → signed receipt.

Sending (docs/federation.md "Delivery"): the delivery job takes the queued
messages of each partner whose turn has come, oldest first, seals each
(signed by this node, encrypted to the partner) and posts them in one
request. Each answer is a sealed receipt or a sealed error from the
partner. A receipt marks the message delivered; a final error marks it
refused; an unreachable partner or a "retry" error leaves it queued with
exponential backoff. Nothing is ever dropped: messages still undelivered
after ``exchange_flag_after_hours`` are flagged to the administrator.

Receiving: every envelope is opened and checked (known and confirmed
partner, signature, timestamp window, nonce not seen, agreement in force,
scope and TLP) and then applied, recorded in the inbox and answered with a
receipt in one transaction. A message id already in the inbox is not applied
again; its receipt is sent again, so a sender that lost an answer learns
that the message arrived.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tabadul.audit import events as ev
from tabadul.errors import ValidationFailed
from tabadul.exchange import envelopes, messages
from tabadul.exchange.messages import INBOX_PATH, Message, MessageInvalid, MessageType
from tabadul.model.handling import Tlp
from tabadul.model.ids import new_id
from tabadul.model.partners import PartnerStatus
from tabadul.model.reports import ReportStatus
from tabadul.schemas.reports import ReportLine
from tabadul.services import drafts, federation, outbox, queries, sharing
from tabadul.services.node import Node
from tabadul.storage import audit_log
from tabadul.storage import exchange as store
from tabadul.storage import jobs as queue
from tabadul.storage import reports as report_store
from tabadul.storage.reports import ReportBatch
from tabadul.storage.tables import (
    AgreementRow,
    InboxRow,
    NonceRow,
    OutboxRow,
    PartnerRow,
    ShareRow,
    table,
)
from tabadul.storage.types import utcnow

log = structlog.get_logger(__name__)

RECONCILE_JOB = "exchange.reconcile"
# How long one delivery job keeps sending before it hands over to the next one.
JOB_BUDGET = dt.timedelta(seconds=2)


# -- sending ------------------------------------------------------------------


@dataclass(frozen=True)
class _Outgoing:
    message_id: str
    type: str
    message: dict[str, Any]
    digest: str
    agreement: str | None


def deliver_due(node: Node) -> int:
    """Send every due message (within a time budget); returns how many were answered."""
    deadline = utcnow() + JOB_BUDGET
    answered = 0
    while utcnow() < deadline:
        with node.db.reading() as session:
            due = store.due_partners(session, utcnow())
        if not due:
            break
        progressed = 0
        for partner_id in due:
            progressed += _deliver_to(node, partner_id, deadline)
        answered += progressed
        if progressed == 0:
            break
    with node.db.transaction() as session:
        when = store.next_attempt(session)
        if when is not None:
            # This job is still running, so book the next one directly.
            queue.enqueue(
                session,
                outbox.DELIVER_JOB,
                {},
                max_attempts=outbox.JOB_ATTEMPTS,
                run_after=max(when, utcnow()),
            )
    return answered


@dataclass
class _Batch:
    partner: PartnerRow
    outgoing: list[_Outgoing]
    sealed: list[str]
    attempts: int
    last_id: int


def _deliver_to(node: Node, partner_id: str, deadline: dt.datetime) -> int:
    """Send a partner's queued messages in order, batch after batch, until the deadline.

    Pipelined: the next batch is sealed while the partner stores the current
    one, and posted as soon as the current one's receipt shows that every
    message in it was answered — never earlier, so a message that must be
    retried is never overtaken by a later one.
    """
    answered = 0
    current = _prepare(node, partner_id, 0)
    if current is None:
        return 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tabadul-post") as pool:
        future = pool.submit(_post, node, current)
        ahead = _prepare(node, partner_id, current.last_id)
        while True:
            try:
                results = future.result()
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                _unreachable(node, current, exc)
                return answered
            outcomes = [_answer(item, r) for item, r in zip(current.outgoing, results, strict=True)]
            clean = all(o is not None for o in outcomes)
            going = clean and ahead is not None and utcnow() < deadline
            if going:
                assert ahead is not None
                future = pool.submit(_post, node, ahead)
            answered += _record(node, current, outcomes)
            if not going:
                return answered
            assert ahead is not None
            current = ahead
            ahead = _prepare(node, partner_id, current.last_id)


def _prepare(node: Node, partner_id: str, after: int) -> _Batch | None:
    """The partner's next queued messages after outbox row ``after``, checked and sealed."""
    settings = node.settings
    while True:
        with node.db.reading() as session:
            partner = store.partner(session, partner_id)
            assert partner is not None
            rows = store.queued_for(session, partner_id, settings.exchange_batch_size, after)
            agreements = {a.id: a for a in store.agreements(session, partner_id)}
        if not rows:
            return None
        after = rows[-1].id
        today = utcnow().date()
        outgoing: list[_Outgoing] = []
        stopped: list[tuple[_Outgoing, str]] = []
        for r in rows:
            item = _Outgoing(r.message_id, r.type, r.message, r.digest, r.message.get("agreement"))
            kind = MessageType(r.type)
            why = None
            if partner.status != PartnerStatus.CONFIRMED.value:
                why = f"partner {partner.name} is {partner.status}"
            elif kind.needs_agreement and kind is not MessageType.REPORT_WITHDRAW:
                held = agreements.get(item.agreement or "")
                why = (
                    "no such agreement"
                    if held is None
                    else federation.active_agreement_ok(held, today)
                )
            if why is not None:
                stopped.append((item, why))
            else:
                outgoing.append(item)
        if stopped:
            with node.db.transaction() as session:
                for item, why in stopped:
                    _refuse_outgoing(session, partner, item, f"not sent: {why}")
        if not outgoing:
            continue  # everything in this batch was stopped: look further
        assert partner.encryption_key is not None
        now = utcnow()
        sealed = [
            envelopes.seal(
                o.message,
                sender=node.identity.id,
                keys=node.keys,
                recipient=partner.node_id,
                recipient_encryption_jwk=partner.encryption_key,
                now=now,
            )
            for o in outgoing
        ]
        attempts = max(r.attempts for r in rows)
        return _Batch(partner, outgoing, sealed, attempts, after)


def _post(node: Node, batch: _Batch) -> list[dict[str, Any]]:
    """Post a sealed batch; the partner's verified answer to each message, in order."""
    response = httpx.post(
        batch.partner.url + INBOX_PATH,
        json={"messages": batch.sealed},
        timeout=node.settings.exchange_http_timeout_seconds,
    )
    response.raise_for_status()
    return _answers(node, batch.partner, response.json(), len(batch.sealed))


def _unreachable(node: Node, batch: _Batch, exc: Exception) -> None:
    settings = node.settings
    delay = min(
        settings.exchange_retry_base_seconds * (2**batch.attempts),
        settings.exchange_retry_max_seconds,
    )
    with node.db.transaction() as session:
        store.postpone(session, batch.partner.id, utcnow() + dt.timedelta(seconds=delay), str(exc))
    log.info("exchange.partner_unreachable", partner=batch.partner.node_id, retry_in=delay)


def _record(
    node: Node, batch: _Batch, outcomes: list[tuple[MessageType, dict[str, Any]] | None]
) -> int:
    """Keep the partner's answers: delivered with the receipt, or refused with the reason."""
    answered = 0
    partner = batch.partner
    with node.db.transaction() as session:
        sent = store.sent(session, [o.message_id for o in batch.outgoing])
        # The common case — a receipt for a queued message — is written in bulk below;
        # refusals and reconciliations (rare) go through the rows one by one.
        delivered: list[tuple[store.Sent, dict[str, Any]]] = []
        for item, outcome in zip(batch.outgoing, outcomes, strict=True):
            if outcome is None:  # the partner asks to try again later: keep the order
                delay = node.settings.exchange_retry_base_seconds
                when = utcnow() + dt.timedelta(seconds=delay)
                store.postpone(session, partner.id, when, "retry")
                break
            answered += 1
            kind, body = outcome
            state = sent.get(item.message_id)
            if state is None or state.status != store.QUEUED:
                continue  # answered before (or taken out of the outbox): nothing to record
            if kind is not MessageType.RECEIPT:
                _refuse_outgoing(session, partner, item, str(body.get("reason", "refused")))
            elif state.type == MessageType.RECONCILE.value:
                _delivered(session, node, partner, item, body)
            else:
                delivered.append((state, body))
                audit_log.add(session, _delivered_event(partner, state))
        store.mark_delivered(session, delivered, utcnow())
    return answered


def _answers(
    node: Node, partner: PartnerRow, answer: dict[str, Any], count: int
) -> list[dict[str, Any]]:
    """Per message: the entry of the partner's signed receipt, or its unsealed error."""
    plain = answer["results"]
    if not isinstance(plain, list) or len(plain) != count:
        raise ValueError("the partner's answer does not match the request")
    entries: list[Any] = [None] * count
    if answer.get("receipt") is not None:
        assert partner.signing_key is not None
        try:
            opened = envelopes.open_envelope(
                str(answer["receipt"]),
                keys=node.keys,
                me=node.identity.id,
                sender_signing_jwk=partner.signing_key,
            )
            receipt = Message.from_dict(opened.message)
        except (envelopes.EnvelopeError, MessageInvalid) as exc:
            raise ValueError(f"the partner's receipt does not verify: {exc}") from None
        if receipt.type is not MessageType.RECEIPT or receipt.sender != partner.node_id:
            raise ValueError("the partner's answer is not its receipt")
        entries = list(receipt.body.get("results", []))
        if len(entries) != count:
            raise ValueError("the partner's receipt does not match the request")
        entries = [{**e, "receipt_id": receipt.id, "signed": True} if e else e for e in entries]
    out = []
    for p, e in zip(plain, entries, strict=True):
        if e is not None:
            out.append(e)
        elif isinstance(p, dict):  # unsealed: the partner could not identify us
            out.append({**p, "signed": False})
        else:
            raise ValueError("the partner left a message unanswered")
    return out


def _answer(item: _Outgoing, entry: dict[str, Any]) -> tuple[MessageType, dict[str, Any]] | None:
    """What the partner said about one message; None means "try again later"."""
    if entry.get("signed") and entry.get("message") != item.message_id:
        log.warning("exchange.answer_mismatch", message=item.message_id)
        return None
    if "code" in entry:
        if entry.get("retry"):
            return None
        return MessageType.ERROR, {"reason": f"{entry.get('code')}: {entry.get('reason')}"}
    if entry.get("digest") != item.digest:
        return MessageType.ERROR, {"reason": "the receipt does not match the message sent"}
    return MessageType.RECEIPT, entry


def _delivered(
    session: Session, node: Node, partner: PartnerRow, item: _Outgoing, receipt: dict[str, Any]
) -> None:
    row = store.outbox_row(session, item.message_id)
    if row is None or row.status != store.QUEUED:
        return
    row.status, row.delivered_at, row.receipt = store.DELIVERED, utcnow(), receipt
    row.last_error = None
    _set_share(session, row, sharing.DELIVERED, None)
    if row.type == MessageType.RECONCILE.value:
        resend = list(receipt.get("missing", [])) + list(receipt.get("mismatched", []))
        count = store.requeue(session, partner.id, resend, utcnow())
        audit_log.add(
            session,
            ev.Reconciled(
                actor=ev.SYSTEM,
                partner_node=partner.node_id,
                compared=len(item.message["body"].get("digests", {})),
                resent=tuple(resend),
            ),
        )
        if count:
            outbox.wake(session)
    audit_log.add(
        session,
        _delivered_event(
            partner, store.Sent(row.message_id, row.status, row.type, row.report_id, row.share_id)
        ),
    )


def _delivered_event(partner: PartnerRow, sent: store.Sent) -> ev.Event:
    return ev.Delivered(
        actor=ev.SYSTEM,
        message_id=sent.message_id,
        message_type=sent.type,
        partner_node=partner.node_id,
        report_id=sent.report_id,
    )


def _refuse_outgoing(session: Session, partner: PartnerRow, item: _Outgoing, reason: str) -> None:
    row = store.outbox_row(session, item.message_id)
    if row is None or row.status != store.QUEUED:
        return
    row.status, row.last_error = store.REFUSED, reason[:2000]
    _set_share(session, row, sharing.REFUSED, reason)
    audit_log.add(
        session,
        ev.Disclosure(
            actor=ev.SYSTEM,
            outcome=ev.Outcome.REFUSED,
            reason=reason,
            message_type=row.type,
            partner_node=partner.node_id,
            message_id=row.message_id,
            report_id=row.report_id,
            version=row.version,
        ),
    )


def _set_share(session: Session, row: OutboxRow, status: str, reason: str | None) -> None:
    if row.share_id is None:
        return
    share = session.get(ShareRow, row.share_id)
    if share is not None and share.message_id == row.message_id:
        share.status, share.reason, share.updated_at = status, reason, utcnow()


# -- receiving ----------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, reason: str, *, retry: bool = False) -> None:
        super().__init__(reason)
        self.code, self.reason, self.retry = code, reason, retry


def receive(node: Node, sealed: list[str], address: str | None = None) -> dict[str, Any]:
    """Open, check, apply and answer a batch of envelopes from one request.

    The envelopes are opened first (no database lock held while verifying),
    then applied in one transaction, each inside a savepoint: a refused
    message rolls back alone, and the batch costs one commit, not one each.
    """
    with node.receiving:
        return _receive(node, sealed, address)


def _receive(node: Node, sealed: list[str], address: str | None) -> dict[str, Any]:
    if len(sealed) > 500:
        raise ValidationFailed.field("messages", "at most 500 messages per request")
    claimed: list[str | None] = []
    for envelope in sealed:
        try:
            claimed.append(envelopes.sender_of(envelope))
        except envelopes.EnvelopeError:
            claimed.append(None)
    with node.db.reading() as session:
        partners = {c: store.partner_by_node(session, c) for c in set(claimed) if c is not None}
    results: list[Any] = [None] * len(sealed)
    answering: PartnerRow | None = None  # one sender per request: the receipt is sealed to it
    refusals: list[ev.Event] = []
    todo: list[tuple[int, PartnerRow, envelopes.Opened]] = []
    for index, (envelope, sender) in enumerate(zip(sealed, claimed, strict=True)):
        partner = partners.get(sender) if sender else None
        try:
            if sender is None:
                raise _Refused("malformed", "not a Tabadul envelope")
            if partner is None or partner.signing_key is None:
                raise _Refused("unknown_node", "this node does not know you")
            if partner.status != PartnerStatus.CONFIRMED.value:
                raise _Refused(
                    "unconfirmed",
                    f"your node is {partner.status} here; nothing is accepted before confirmation",
                )
            if answering is not None and answering.id != partner.id:
                raise _Refused("one_sender", "a request carries the messages of one sender")
            opened = envelopes.open_envelope(
                envelope,
                keys=node.keys,
                me=node.identity.id,
                sender_signing_jwk=partner.signing_key,
            )
            answering = partner
        except (_Refused, envelopes.EnvelopeError) as exc:
            refused = exc if isinstance(exc, _Refused) else _Refused(exc.code, exc.reason)
            refusals.append(_refusal_event(sender or "unknown", None, refused, address))
            results[index] = {"code": refused.code, "reason": refused.reason, "retry": False}
            continue
        todo.append((index, partner, opened))
    entries: list[dict[str, Any] | None] = [None] * len(sealed)
    with node.db.transaction() as session:
        audit_log.add(session, *refusals)
        pending = _Pending(node)
        pending.held = store.inbox_rows(session, [str(o.message.get("id")) for _, _, o in todo])
        pending.seen = store.nonces_seen(session, [o.nonce for _, _, o in todo])
        pending.heads = report_store.heads(session, [_report_of(o.message) for _, _, o in todo])
        # Kept referenced, so the per-message agreement checks find them in the session.
        pending.agreements = store.agreements(session, answering.id) if answering else []
        for index, partner, opened in todo:
            mark = audit_log.mark(session)
            try:
                receipt = _apply(session, node, partner, opened, address, pending)
            except (_Refused, SQLAlchemyError) as exc:
                audit_log.rollback_to(session, mark)
                refused = (
                    exc
                    if isinstance(exc, _Refused)
                    else _Refused("busy", "the message could not be stored now", retry=True)
                )
                audit_log.add(
                    session, _refusal_event(partner.node_id, opened.message, refused, address)
                )
                entries[index] = {
                    "message": str(opened.message.get("id", "")),
                    "code": refused.code,
                    "reason": refused.reason,
                    "retry": refused.retry,
                }
                continue
            entries[index] = receipt
        pending.write(session)
    if answering is None:
        return {"results": results, "receipt": None}
    # One signed receipt answers every message of the request (docs/federation.md "Receipts").
    receipt_message = Message(
        id=new_id(),
        type=MessageType.RECEIPT,
        sender=node.identity.id,
        recipient=answering.node_id,
        created_at=utcnow().isoformat(),
        body={"results": entries},
    )
    return {"results": results, "receipt": _seal(node, answering, receipt_message.to_dict())}


def _apply(
    session: Session,
    node: Node,
    partner: PartnerRow,
    opened: envelopes.Opened,
    address: str | None,
    pending: _Pending,
) -> dict[str, Any]:
    """Check and apply one opened message; returns the receipt (its rows wait in ``pending``).

    Nothing is written for a message that is refused: report versions, inbox
    rows and nonces are collected and written together at the end of the
    batch; the rare messages that change other records run in a savepoint.
    """
    now = utcnow()
    window = dt.timedelta(seconds=node.settings.exchange_timestamp_window_seconds)
    if abs(now - opened.issued_at) > window:
        raise _Refused("stale", "the envelope's timestamp is outside the accepted window")
    if opened.nonce in pending.nonces or opened.nonce in pending.seen:
        raise _Refused("replay", "this envelope was already received (replay)")
    try:
        message = Message.from_dict(opened.message)
    except MessageInvalid as exc:
        raise _Refused("invalid", str(exc)) from None
    if message.sender != partner.node_id or message.recipient != node.identity.id:
        raise _Refused("misaddressed", "the message's sender or recipient is wrong")
    held_receipt = pending.receipts.get(message.id)
    if held_receipt is None:
        held = pending.held.get(message.id)
        if held is not None:
            if held.partner_id != partner.id:
                raise _Refused("invalid", "the message id is already used")
            held_receipt = held.receipt
    if held_receipt is not None:
        pending.nonce(opened.nonce, partner.id, now)
        return {**held_receipt, "status": "duplicate"}
    if message.type is MessageType.RECONCILE:
        pending.write(session)
        receipt = _reconcile(session, node, partner, message)
        pending.nonce(opened.nonce, partner.id, now)
        return receipt
    if message.type in (MessageType.RECEIPT, MessageType.ERROR):
        raise _Refused("invalid", "receipts and errors travel in answers, not on their own")
    agreement = _check_agreement(session, partner, message)
    report_id, version = None, None
    try:
        if message.type.report_message:
            report_id, version = _apply_report(session, node, partner, message, agreement, pending)
        else:
            pending.write(session)
            with session.begin_nested():
                if message.type.value.startswith("agreement."):
                    federation.apply_agreement_message(
                        session, node, partner, message.type, message.to_dict()
                    )
                elif message.type is MessageType.CONSENT_GRANT:
                    sharing.record_consent(session, partner, message.to_dict())
                elif message.type is MessageType.QUERY:
                    queries.answer_received(session, node, partner, message, agreement)
    except (MessageInvalid, ValidationFailed, ValueError, envelopes.EnvelopeError) as exc:
        raise _Refused("invalid", str(exc)) from None
    as_sent = message.to_dict()
    digest = messages.digest(as_sent)  # canonical JSON and SHA-256: once, not per use
    receipt = {
        "message": message.id,
        "digest": digest,
        "status": "stored",
        "received_at": now.isoformat(),
    }
    store_row = {
        "message_id": message.id,
        "partner_id": partner.id,
        "type": message.type.value,
        "report_id": report_id,
        "version": version,
        "message": as_sent,
        "digest": digest,
        "received_at": now,
        "receipt": receipt,
    }
    pending.inbox.append(store_row)
    pending.receipts[message.id] = receipt
    pending.nonce(opened.nonce, partner.id, now)
    audit_log.add(
        session,
        ev.Received(
            actor=ev.Actor("partner", partner.node_id),
            address=address,
            message_id=message.id,
            message_type=message.type.value,
            partner_node=partner.node_id,
            report_id=report_id,
            version=version,
        ),
    )
    return receipt


def _check_agreement(
    session: Session, partner: PartnerRow, message: Message
) -> AgreementRow | None:
    """The policy on receive: the agreement in force, in scope, within its TLP."""
    if not message.type.needs_agreement:
        return None
    agreement = store.agreement(session, message.agreement or "")
    if agreement is None or agreement.partner_id != partner.id:
        raise _Refused("no_agreement", "there is no such agreement with your node")
    why = federation.active_agreement_ok(agreement, utcnow().date())
    if why is not None and message.type is not MessageType.REPORT_WITHDRAW:
        raise _Refused("agreement_inactive", why)
    if message.type.report_message and message.type is not MessageType.REPORT_WITHDRAW:
        report = message.body.get("report", {})
        topics = {str(t).lower() for t in report.get("topics", [])}
        if not topics or not topics <= set(agreement.topics):
            outside = ", ".join(sorted(topics - set(agreement.topics))) or "(none)"
            raise _Refused("out_of_scope", f"topic {outside} is outside the agreement")
        try:
            tlp = Tlp.parse(str(report.get("handling", {}).get("tlp", "")))
        except ValidationFailed:
            raise _Refused("invalid", "the report has no valid TLP label") from None
        if Tlp.parse(agreement.max_tlp) < tlp:
            raise _Refused(
                "above_limit",
                f"TLP:{tlp.value} is above the agreement's maximum TLP:{agreement.max_tlp}",
            )
    return agreement


def _apply_report(
    session: Session,
    node: Node,
    partner: PartnerRow,
    message: Message,
    agreement: AgreementRow | None,
    pending: _Pending,
) -> tuple[str, int]:
    """Store a shared, updated or withdrawn report version; versions apply in order, once."""
    data = message.body.get("report")
    if not isinstance(data, dict):
        raise MessageInvalid("a report message carries a report")
    report_id, version = str(data.get("id")), int(data.get("version", 0))
    if report_id in pending.reports:
        pending.write(session)  # a later version of a report in this batch: write the earlier
    originator = str(data.get("originator") or partner.node_id)
    state = pending.heads.get(report_id)
    if state is not None:
        if state.originator != originator:
            raise MessageInvalid("a report with this id, from another originator, is held here")
        if version <= state.version:
            return report_id, version  # already held: an earlier copy of this message applied
        if state.status == ReportStatus.WITHDRAWN.value:
            raise MessageInvalid("the report is withdrawn here")
    elif message.type is MessageType.REPORT_WITHDRAW:
        return report_id, version  # never held (the share was refused): nothing to withdraw
    item = ReportLine.model_validate(
        {
            "id": report_id,
            "version": version,
            "status": data.get("status", "released"),
            "originator": originator,
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "language": data.get("language"),
            "topics": data.get("topics", []),
            "date_of_information": data.get("date_of_information"),
            "classification": node.settings.exchange_received_classification
            or node.classification.lowest,
            "handling": data.get("handling"),
            "grading": data.get("grading"),
            "nature": data.get("nature", "fact"),
            "note": data.get("note"),
            "entities": data.get("entities", []),
            "mentions": [
                {k: v for k, v in m.items() if v is not None} for m in data.get("mentions", [])
            ],
        }
    )
    rules = drafts.Rules.of(node)
    d = drafts.draft(
        rules,
        item,
        report_id=report_id,
        version=version,
        status=item.status,
        recorded_at=utcnow(),
        recorded_by=None,
        originator=originator,
        note=item.note,
    )
    failures = drafts.resolve(session, [d])
    if failures:
        raise failures[0]
    drafts.add_to_batch(d, pending.batch, pending.entity_rows, new=state is None)
    pending.reports.add(report_id)
    pending.heads[report_id] = report_store.Head(version, d.content.status.value, originator)
    return report_id, version


def _report_of(message: dict[str, Any]) -> str:
    """The id of the report a message carries ("" when it carries none)."""
    body = message.get("body")
    report = body.get("report") if isinstance(body, dict) else None
    return str(report.get("id")) if isinstance(report, dict) else ""


class _Pending:
    """What a batch of received messages writes at its end, in bulk (one statement per table)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.batch = ReportBatch()
        self.entity_rows: list[dict[str, Any]] = []
        self.reports: set[str] = set()
        self.inbox: list[dict[str, Any]] = []
        self.receipts: dict[str, dict[str, Any]] = {}
        self.nonces: dict[str, dict[str, Any]] = {}
        # Looked up once for the whole batch.
        self.held: dict[str, InboxRow] = {}
        self.seen: set[str] = set()
        # The stored head of each report the batch carries, moved on as versions apply.
        self.heads: dict[str, report_store.Head] = {}
        self.agreements: list[AgreementRow] = []

    def nonce(self, nonce: str, partner_id: str, at: dt.datetime) -> None:
        """Remember an accepted envelope's nonce."""
        self.nonces[nonce] = {"nonce": nonce, "partner_id": partner_id, "seen_at": at}

    def write(self, session: Session) -> None:
        """Write what has been collected; follow-ups of received reports are queued."""
        if self.batch.versions:
            drafts.write(session, self.batch, self.entity_rows, drafts.Rules.of(self.node))
            # Passed on with consent? Updates and withdrawals follow to those partners too.
            for report_id in store.shared_among(session, self.reports):
                sharing.follow_up(session, self.node, None, report_id)
        if self.inbox:
            session.execute(table(InboxRow).insert(), self.inbox)
        if self.nonces:
            session.execute(table(NonceRow).insert(), list(self.nonces.values()))
        self.batch, self.entity_rows, self.reports = ReportBatch(), [], set()
        self.inbox, self.nonces = [], {}


def _reconcile(
    session: Session, node: Node, partner: PartnerRow, message: Message
) -> dict[str, Any]:
    """Compare the sender's digest of what it delivered with what this node holds."""
    digests = message.body.get("digests", {})
    if not isinstance(digests, dict):
        raise _Refused("invalid", "a reconciliation carries a digest map")
    held = store.received_digests(session, partner.id, list(digests))
    missing = sorted(i for i in digests if i not in held)
    mismatched = sorted(i for i in digests if i in held and held[i] != digests[i])
    if mismatched:
        # Forget the corrupted copies, so that the re-sent messages are stored afresh.
        session.execute(delete(InboxRow).where(InboxRow.message_id.in_(mismatched)))
    return {
        "message": message.id,
        "digest": message.digest,
        "status": "compared",
        "missing": missing,
        "mismatched": mismatched,
    }


def _seal(node: Node, partner: PartnerRow, message: dict[str, Any]) -> str:
    assert partner.encryption_key is not None
    return envelopes.seal(
        message,
        sender=node.identity.id,
        keys=node.keys,
        recipient=partner.node_id,
        recipient_encryption_jwk=partner.encryption_key,
        now=utcnow(),
    )


def _refusal_event(
    sender: str, message: dict[str, Any] | None, refused: _Refused, address: str | None
) -> ev.Event:
    return ev.Received(
        actor=ev.Actor("partner", sender),
        outcome=ev.Outcome.REFUSED,
        reason=f"{refused.code}: {refused.reason}",
        address=address,
        message_id=str(message.get("id")) if message else None,
        message_type=str(message.get("type")) if message else None,
        partner_node=sender,
    )


# -- upkeep: flagging, nonces, reconciliation ----------------------------------


def maintain(session: Session, node: Node) -> None:
    """Flag long-undelivered messages, forget expired nonces, make sure delivery runs."""
    now = utcnow()
    settings = node.settings
    late = store.undelivered_since(
        session, now - dt.timedelta(hours=settings.exchange_flag_after_hours)
    )
    by_partner: dict[str, list[OutboxRow]] = {}
    for row in late:
        row.flagged_at = now
        by_partner.setdefault(row.partner_id, []).append(row)
    for partner_id, rows in by_partner.items():
        partner = store.partner(session, partner_id)
        assert partner is not None
        log.warning("exchange.undelivered", partner=partner.node_id, messages=len(rows))
        audit_log.add(
            session,
            ev.UndeliveredFlagged(
                actor=ev.SYSTEM,
                partner_node=partner.node_id,
                messages=len(rows),
                oldest=min(r.created_at for r in rows).isoformat(),
            ),
        )
    window = dt.timedelta(seconds=settings.exchange_timestamp_window_seconds)
    store.forget_nonces(session, now - 2 * window)
    overdue = now - dt.timedelta(seconds=settings.exchange_retry_max_seconds)
    if store.due_partners(session, overdue):
        # Messages overdue although a delivery job exists: that job's worker died holding it.
        queue.enqueue(session, outbox.DELIVER_JOB, {}, max_attempts=outbox.JOB_ATTEMPTS)
    elif store.due_partners(session, now):
        outbox.wake(session)


def reconcile(session: Session, node: Node, partner_ids: list[str] | None = None) -> list[str]:
    """Queue a digest of what was delivered to each confirmed partner; returns message ids."""
    sent = []
    for partner in store.partners(session):
        if partner.status != PartnerStatus.CONFIRMED.value:
            continue
        if partner_ids is not None and partner.id not in partner_ids:
            continue
        digests = store.sent_digests(session, partner.id)
        message = outbox.queue_message(
            session, node, partner, MessageType.RECONCILE, {"digests": digests}
        )
        sent.append(message.id)
    return sent
