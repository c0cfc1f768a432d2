"""What needs a user's attention, for the start page: one place that gathers it, by role.

New hits and watchlist alerts (analysts, liaison officers, supervisors),
messages received from partners, requests for information due or overdue
(liaison officers and supervisors answer them), shares waiting for a
supervisor's approval (four eyes), and reports due for review. Each part
comes from the service that owns it, through the access policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tabadul.access.policy import Action, Kind, Principal
from tabadul.exchange.messages import MessageType
from tabadul.schemas.matching import AlertOut, HitPage
from tabadul.schemas.reports import ReportOut
from tabadul.services import hits, reports, watchlists
from tabadul.services.correlation import HitState
from tabadul.services.node import Node
from tabadul.services.sharing import PENDING_APPROVAL
from tabadul.storage import exchange as exchange_store
from tabadul.storage import protection
from tabadul.storage.reports import ReportFilter
from tabadul.storage.tables import OutboxRow, ReportVersionRow, ShareRow
from tabadul.storage.types import utcnow

REVIEW_HORIZON_DAYS = 30


@dataclass(frozen=True)
class Rfi:
    """A partner's request for information and when it is due."""

    id: str
    partner: str
    subject: str
    urgency: str
    deadline: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class Approval:
    """A share waiting for a supervisor."""

    share_id: str
    report_id: str
    title: str
    partner: str
    requested_at: dt.datetime


@dataclass
class Dashboard:
    """Everything the start page shows."""

    hits: HitPage | None = None
    alerts: list[AlertOut] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    rfis: list[Rfi] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    due: list[ReportOut] = field(default_factory=list)
    recent: list[ReportOut] = field(default_factory=list)


def gather(node: Node, actor: Principal, purpose: str) -> Dashboard:
    """The start page of a user who reads intelligence, in their working context."""
    board = Dashboard()
    if not actor.role.reads_intelligence:
        return board
    board.hits = hits.list_hits(node, actor, state=HitState.NEW, limit=5, purpose=purpose)
    board.alerts = watchlists.alerts(node, actor, limit=10, newest=True)
    horizon = dt.date.today() + dt.timedelta(days=REVIEW_HORIZON_DAYS)
    board.due = reports.due_for_review(node, actor, horizon, limit=20, purpose=purpose)
    board.recent = reports.list_reports(
        node, actor, ReportFilter(), limit=10, purpose=purpose
    ).items
    if node.policy.allows_role(actor, Action.SHARE, Kind.REPORT):
        board.messages = _messages(node)
        board.rfis = _rfis(node)
    if node.policy.allows_role(actor, Action.APPROVE, Kind.REPORT):
        board.approvals = _approvals(node, actor)
    return board


def _messages(node: Node, limit: int = 10) -> list[dict[str, Any]]:
    """The latest reports, requests and answers received from partners (metadata only)."""
    with node.db.reading() as session:
        partners = {p.id: p.name for p in exchange_store.partners(session)}
        rows = exchange_store.inbox(session, None, 50)
        shown = []
        for row in rows:
            if row.type.startswith(("agreement.", "reconcile", "consent.")):
                continue
            shown.append(
                {
                    "id": row.message_id,
                    "type": row.type,
                    "partner": partners.get(row.partner_id, "?"),
                    "received_at": row.received_at,
                    "report_id": row.report_id,
                }
            )
            if len(shown) >= limit:
                break
        return shown


def _rfis(node: Node) -> list[Rfi]:
    """Requests for information received and not yet answered, soonest due first."""
    now = utcnow()
    with node.db.reading() as session:
        partners = {p.id: p.name for p in exchange_store.partners(session)}
        replies = session.scalars(
            select(OutboxRow.message).where(OutboxRow.type == MessageType.RFI_REPLY.value)
        )
        answered = {str(m.get("body", {}).get("in_reply_to")) for m in replies}
        found = []
        for row in exchange_store.inbox(session, MessageType.RFI_REQUEST.value, 200):
            if row.message_id in answered:
                continue
            body = row.message.get("body", {})
            deadline = _when(body.get("deadline"))
            found.append(
                Rfi(
                    id=row.message_id,
                    partner=partners.get(row.partner_id, "?"),
                    subject=str(body.get("subject", "")),
                    urgency=str(body.get("urgency", "normal")),
                    deadline=deadline,
                    overdue=deadline is not None and deadline < now,
                )
            )
    return sorted(found, key=lambda r: r.deadline or now)


def _approvals(node: Node, actor: Principal) -> list[Approval]:
    """Shares held for a supervisor's approval (four eyes) of reports they may read."""
    with node.db.reading() as session:
        partners = {p.id: p.name for p in exchange_store.partners(session)}
        rows = session.execute(
            select(ShareRow, ReportVersionRow.title)
            .join(
                ReportVersionRow,
                (ReportVersionRow.report_id == ShareRow.report_id)
                & (ReportVersionRow.version == ShareRow.version),
            )
            .where(ShareRow.status == PENDING_APPROVAL)
            .order_by(ShareRow.created_at)
            .limit(50)
        )
        held = list(rows)
        labels = protection.report_labels(session, {share.report_id for share, _ in held})
    return [
        Approval(
            share.id, share.report_id, title, partners.get(share.partner_id, "?"), share.created_at
        )
        for share, title in held
        if share.report_id in labels
        and node.policy.can(actor, Action.APPROVE, reports.report_resource(labels[share.report_id]))
    ]


def _when(text: Any) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
