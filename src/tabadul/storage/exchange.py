"""The exchange's tables: partners, agreements, invitations, shares, outbox, inbox, nonces.

Repository functions take the caller's session and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from tabadul.storage.tables import (
    AgreementRow,
    ConsentRow,
    InboxRow,
    InvitationRow,
    NonceRow,
    OutboxRow,
    PartnerRow,
    ShareRow,
    table,
)

QUEUED = "queued"
DELIVERED = "delivered"
REFUSED = "refused"


def partner(session: Session, partner_id: str) -> PartnerRow | None:
    """A partner by this node's id for it."""
    return session.get(PartnerRow, partner_id)


def partner_by_node(session: Session, node_id: str) -> PartnerRow | None:
    """A partner by its node id."""
    return session.scalars(select(PartnerRow).where(PartnerRow.node_id == node_id)).first()


def invitation(session: Session, token_hash: str) -> InvitationRow | None:
    """An invitation by the SHA-256 of its secret."""
    return session.scalars(
        select(InvitationRow).where(InvitationRow.token_hash == token_hash)
    ).first()


def partners(session: Session) -> list[PartnerRow]:
    """Every partner, oldest first."""
    return list(session.scalars(select(PartnerRow).order_by(PartnerRow.created_at)))


def agreement(session: Session, agreement_id: str) -> AgreementRow | None:
    """An agreement by id."""
    return session.get(AgreementRow, agreement_id)


def agreements(session: Session, partner_id: str | None = None) -> list[AgreementRow]:
    """Agreements (with one partner, or all), oldest first."""
    q = select(AgreementRow).order_by(AgreementRow.created_at)
    if partner_id:
        q = q.where(AgreementRow.partner_id == partner_id)
    return list(session.scalars(q))


def share(session: Session, share_id: str) -> ShareRow | None:
    """A share by id."""
    return session.get(ShareRow, share_id)


def shares_of(session: Session, report_id: str) -> list[ShareRow]:
    """Every share of a report, oldest first."""
    q = select(ShareRow).where(ShareRow.report_id == report_id).order_by(ShareRow.created_at)
    return list(session.scalars(q))


def shared_among(session: Session, report_ids: set[str]) -> list[str]:
    """Those of ``report_ids`` this node has shared with anyone."""
    if not report_ids:
        return []
    q = select(ShareRow.report_id).where(ShareRow.report_id.in_(list(report_ids))).distinct()
    return list(session.scalars(q))


def add_outbox(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Queue messages (one bulk insert)."""
    if rows:
        session.execute(table(OutboxRow).insert(), list(rows))


def outbox_row(session: Session, message_id: str) -> OutboxRow | None:
    """An outbox row by message id."""
    return session.scalars(select(OutboxRow).where(OutboxRow.message_id == message_id)).first()


@dataclass(frozen=True)
class Sent:
    """What answering a sent message needs of its outbox row (not the message itself)."""

    message_id: str
    status: str
    type: str
    report_id: str | None
    share_id: str | None


def sent(session: Session, message_ids: Sequence[str]) -> dict[str, Sent]:
    """The outbox state of each of ``message_ids`` (one statement per 500)."""
    t = table(OutboxRow).c
    found: dict[str, Sent] = {}
    for start in range(0, len(message_ids), 500):
        query = select(t.message_id, t.status, t.type, t.report_id, t.share_id).where(
            t.message_id.in_(message_ids[start : start + 500])
        )
        found.update({r[0]: Sent(*r) for r in session.execute(query)})
    return found


def mark_delivered(
    session: Session, delivered: Sequence[tuple[Sent, dict[str, Any]]], at: dt.datetime
) -> None:
    """Queued messages are delivered, each with its receipt, and so are their shares (bulk)."""
    if not delivered:
        return
    outbox_table, shares_table = table(OutboxRow), table(ShareRow)
    session.execute(
        update(outbox_table)
        .where(
            outbox_table.c.message_id == bindparam("b_message"),
            outbox_table.c.status == QUEUED,
        )
        .values(status=DELIVERED, delivered_at=at, receipt=bindparam("b_receipt"), last_error=None),
        [{"b_message": s.message_id, "b_receipt": receipt} for s, receipt in delivered],
    )
    # A share follows the message that carries its latest version, not an older one.
    shares = [
        {"b_share": s.share_id, "b_message": s.message_id} for s, _ in delivered if s.share_id
    ]
    if shares:
        session.execute(
            update(shares_table)
            .where(
                shares_table.c.id == bindparam("b_share"),
                shares_table.c.message_id == bindparam("b_message"),
            )
            .values(status=DELIVERED, reason=None, updated_at=at),
            shares,
        )


def due_partners(session: Session, now: dt.datetime) -> list[str]:
    """Partners with queued messages whose next attempt is due."""
    q = (
        select(OutboxRow.partner_id)
        .where(OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now)
        .distinct()
    )
    return list(session.scalars(q))


def queued_for(session: Session, partner_id: str, limit: int, after: int = 0) -> list[OutboxRow]:
    """The oldest queued messages to a partner (after row ``after``), in the order written."""
    q = (
        select(OutboxRow)
        .where(
            OutboxRow.partner_id == partner_id,
            OutboxRow.status == QUEUED,
            OutboxRow.id > after,
        )
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    return list(session.scalars(q))


def next_attempt(session: Session) -> dt.datetime | None:
    """When the next queued message is due."""
    return session.scalar(
        select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == QUEUED)
    )


def postpone(session: Session, partner_id: str, when: dt.datetime, error: str) -> None:
    """Every queued message to a partner waits until ``when`` (the partner is unreachable)."""
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.partner_id == partner_id, OutboxRow.status == QUEUED)
        .values(next_attempt_at=when, attempts=OutboxRow.attempts + 1, last_error=error[:2000])
    )


def undelivered_since(session: Session, before: dt.datetime) -> list[OutboxRow]:
    """Queued messages written before ``before`` and not yet flagged."""
    q = select(OutboxRow).where(
        OutboxRow.status == QUEUED, OutboxRow.created_at < before, OutboxRow.flagged_at.is_(None)
    )
    return list(session.scalars(q))


def outbox(
    session: Session, status: str | None = None, limit: int = 100, flagged: bool = False
) -> list[OutboxRow]:
    """Outbox rows for an operator, oldest first."""
    q = select(OutboxRow).order_by(OutboxRow.id).limit(limit)
    if status:
        q = q.where(OutboxRow.status == status)
    if flagged:
        q = q.where(OutboxRow.flagged_at.is_not(None), OutboxRow.status == QUEUED)
    return list(session.scalars(q))


def outbox_counts(session: Session) -> dict[tuple[str, str], int]:
    """Messages by (partner id, status)."""
    rows = session.execute(
        select(OutboxRow.partner_id, OutboxRow.status, func.count()).group_by(
            OutboxRow.partner_id, OutboxRow.status
        )
    )
    return {(p, s): n for p, s, n in rows}


def sent_digests(session: Session, partner_id: str) -> dict[str, str]:
    """Message id → digest of every message delivered to a partner (for reconciliation)."""
    q = select(OutboxRow.message_id, OutboxRow.digest).where(
        OutboxRow.partner_id == partner_id, OutboxRow.status == DELIVERED
    )
    return {message_id: digest for message_id, digest in session.execute(q)}


def requeue(session: Session, partner_id: str, message_ids: Sequence[str], now: dt.datetime) -> int:
    """Send delivered messages again (reconciliation found them missing at the partner)."""
    if not message_ids:
        return 0
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.partner_id == partner_id, OutboxRow.message_id.in_(list(message_ids)))
        .values(status=QUEUED, next_attempt_at=now, delivered_at=None, receipt=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def inbox_row(session: Session, message_id: str) -> InboxRow | None:
    """A received message by id."""
    return session.scalars(select(InboxRow).where(InboxRow.message_id == message_id)).first()


def received_digests(session: Session, partner_id: str, ids: Sequence[str]) -> dict[str, str]:
    """Message id → digest of the given messages received from a partner."""
    out: dict[str, str] = {}
    chunk = 500
    for i in range(0, len(ids), chunk):
        q = select(InboxRow.message_id, InboxRow.digest).where(
            InboxRow.partner_id == partner_id, InboxRow.message_id.in_(list(ids[i : i + chunk]))
        )
        out.update({message_id: digest for message_id, digest in session.execute(q)})
    return out


def inbox(
    session: Session, kind: str | None = None, limit: int = 100, after: int | None = None
) -> list[InboxRow]:
    """Received messages, newest first."""
    q = select(InboxRow).order_by(InboxRow.id.desc()).limit(limit)
    if kind:
        q = q.where(InboxRow.type == kind)
    if after is not None:
        q = q.where(InboxRow.id < after)
    return list(session.scalars(q))


def replies_to(session: Session, message_id: str) -> list[InboxRow]:
    """Replies received to a message this node sent (RFI replies, query answers)."""
    rows = session.scalars(select(InboxRow).where(InboxRow.type.in_(["rfi.reply", "query.answer"])))
    return [r for r in rows if r.message.get("body", {}).get("in_reply_to") == message_id]


def inbox_rows(session: Session, message_ids: Sequence[str]) -> dict[str, InboxRow]:
    """Received messages among ``message_ids``, by id."""
    q = select(InboxRow).where(InboxRow.message_id.in_(list(message_ids)))
    return {r.message_id: r for r in session.scalars(q)}


def nonces_seen(session: Session, nonces: Sequence[str]) -> set[str]:
    """Those of ``nonces`` already accepted."""
    q = select(NonceRow.nonce).where(NonceRow.nonce.in_(list(nonces)))
    return set(session.scalars(q))


def nonce_seen(session: Session, nonce: str) -> bool:
    """True when an envelope with this nonce was already accepted."""
    return session.get(NonceRow, nonce) is not None


def remember_nonce(session: Session, nonce: str, partner_id: str, at: dt.datetime) -> None:
    """Keep a nonce (until it is older than the timestamp window)."""
    session.add(NonceRow(nonce=nonce, partner_id=partner_id, seen_at=at))


def forget_nonces(session: Session, before: dt.datetime) -> None:
    """Drop nonces older than the window: their envelopes are refused as stale anyway."""
    session.execute(delete(NonceRow).where(NonceRow.seen_at < before))


def consent(session: Session, report_id: str, third_party: str) -> ConsentRow | None:
    """The originator's consent to pass a report on to a third party, if on record."""
    return session.get(ConsentRow, (report_id, third_party))
