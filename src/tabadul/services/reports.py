"""Report use cases: record, correct (new version), withdraw, read and list.

Every change is a new version in one transaction with the report's entities
and mentions; nothing is overwritten.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.errors import NotFound, PermissionDenied, ValidationFailed
from tabadul.model.reports import ReportStatus, check_transition
from tabadul.schemas.common import Page
from tabadul.schemas.reports import (
    MentionOut,
    ReportIn,
    ReportOut,
    ReportVersionIn,
    VersionSummary,
)
from tabadul.services import drafts
from tabadul.services.entities import entity_outs
from tabadul.services.node import Node
from tabadul.storage import accounts
from tabadul.storage import entities as entity_store
from tabadul.storage import reports as store
from tabadul.storage.reports import ReportBatch, ReportFilter
from tabadul.storage.tables import ReportRow, ReportVersionRow
from tabadul.storage.types import utcnow

MAX_PAGE = 200
REPORT = Resource(Kind.REPORT)


def record(node: Node, actor: Principal, item: ReportIn) -> ReportOut:
    """Record a new report with its entities and mentions, in one transaction."""
    _require(node, actor, Action.CREATE)
    with node.db.transaction() as session:
        d = drafts.draft(
            drafts.Rules.of(node), item, recorded_at=utcnow(), recorded_by=actor.user_id
        )
        _store(session, d, new=True)
        return _out(session, *_rows(session, d.report_id, None))


def add_version(node: Node, actor: Principal, report_id: str, item: ReportVersionIn) -> ReportOut:
    """Record a corrected or released version of a report; earlier versions stay."""
    _require(node, actor, Action.UPDATE)
    with node.db.transaction() as session:
        current = _current(session, node, report_id, lock=True)
        status = ReportStatus(item.status)
        check_transition(ReportStatus(current.status), status)
        d = drafts.draft(
            drafts.Rules.of(node),
            item,
            report_id=report_id,
            version=current.version + 1,
            recorded_at=utcnow(),
            recorded_by=actor.user_id,
            originator=current.originator,
            note=item.note,
        )
        _store(session, d, new=False)
        return _out(session, *_rows(session, report_id, None))


def withdraw(node: Node, actor: Principal, report_id: str, reason: str) -> ReportOut:
    """Withdraw a report: a final version with the same content, status withdrawn, and why."""
    _require(node, actor, Action.WITHDRAW)
    with node.db.transaction() as session:
        current = _current(session, node, report_id, lock=True)
        check_transition(ReportStatus(current.status), ReportStatus.WITHDRAWN)
        version = store.get_version(session, report_id, current.version)
        assert version is not None
        now = utcnow()
        row = {
            column: getattr(version, column)
            for column in ReportVersionRow.__table__.columns.keys()  # noqa: SIM118 (not a dict)
        }
        row.update(
            version=current.version + 1,
            status=ReportStatus.WITHDRAWN.value,
            note=reason,
            recorded_at=now,
            recorded_by=actor.user_id,
        )
        mentions = [
            {
                "report_id": report_id,
                "version": current.version + 1,
                "entity_id": m.entity_id,
                "start": m.start,
                "end": m.end,
            }
            for m in store.mentions_of(session, [(report_id, current.version)])
        ]
        batch = ReportBatch(
            versions=[row],
            topics={report_id: list(version.topics)},
            mentions=mentions,
            updates={
                report_id: {
                    "version": current.version + 1,
                    "status": ReportStatus.WITHDRAWN.value,
                    "updated_at": now,
                }
            },
        )
        store.store(session, batch)
        return _out(session, *_rows(session, report_id, None))


def get(node: Node, actor: Principal, report_id: str, version: int | None = None) -> ReportOut:
    """One report as of its current version, or as of ``version``."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        return _out(session, *_rows(session, report_id, version))


def versions(node: Node, actor: Principal, report_id: str) -> list[VersionSummary]:
    """The history of a report, oldest first."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        _current(session, node, report_id)
        rows = store.versions_of(session, report_id)
        names = accounts.usernames(session, {r.recorded_by for r in rows if r.recorded_by})
        return [
            VersionSummary(
                version=r.version,
                status=r.status,
                title=r.title,
                note=r.note,
                recorded_at=r.recorded_at,
                recorded_by=names.get(r.recorded_by) if r.recorded_by else None,
            )
            for r in rows
        ]


def list_reports(
    node: Node,
    actor: Principal,
    filters: ReportFilter,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ReportOut]:
    """A page of reports (current versions), newest first."""
    _require(node, actor, Action.READ)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    after = decode_cursor(cursor) if cursor else None
    with node.db.reading() as session:
        rows = store.page(session, filters, limit + 1, after)
        items = _outs(session, rows[:limit])
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    return Page[ReportOut](items=items, next=next_cursor)


def encode_cursor(value: str) -> str:
    """An opaque page cursor."""
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The position an opaque cursor stands for."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed.field("cursor", "not a cursor this node handed out") from None


def _require(node: Node, actor: Principal, action: Action) -> None:
    if not node.policy.can(actor, action, REPORT):
        raise PermissionDenied(f"the {actor.role.value} role may not {action.value} reports")


def _store(session: Session, d: drafts.Draft, *, new: bool) -> None:
    failures = drafts.resolve(session, [d])
    if failures:
        raise failures[0]
    batch = ReportBatch()
    entity_rows: list[dict[str, Any]] = []
    drafts.add_to_batch(d, batch, entity_rows, new=new)
    entity_store.insert(session, entity_rows)
    store.store(session, batch)


def _current(session: Session, node: Node, report_id: str, *, lock: bool = False) -> ReportRow:
    row = store.get(session, report_id, for_update=lock and not node.db.is_sqlite)
    if row is None:
        raise NotFound(f"no report {report_id}")
    return row


def _rows(
    session: Session, report_id: str, version: int | None
) -> tuple[ReportRow, ReportVersionRow]:
    row = store.get(session, report_id)
    if row is None:
        raise NotFound(f"no report {report_id}")
    version_row = store.get_version(session, report_id, version or row.version)
    if version_row is None:
        raise NotFound(f"report {report_id} has no version {version}")
    return row, version_row


def _out(session: Session, row: ReportRow, version: ReportVersionRow) -> ReportOut:
    return _outs(session, [(row, version)])[0]


def _outs(session: Session, rows: Sequence[tuple[ReportRow, ReportVersionRow]]) -> list[ReportOut]:
    """Reports as served, with their mentions and entities fetched in a few queries."""
    mentions = store.mentions_of(session, [(v.report_id, v.version) for _, v in rows])
    by_version: dict[tuple[str, int], list[Any]] = {}
    for m in mentions:
        by_version.setdefault((m.report_id, m.version), []).append(m)
    entities = {e.id: e for e in entity_outs(session, {m.entity_id for m in mentions})}
    names = accounts.usernames(session, {v.recorded_by for _, v in rows if v.recorded_by})
    out = []
    for row, v in rows:
        own = by_version.get((v.report_id, v.version), [])
        seen: list[str] = []
        for m in own:
            if m.entity_id not in seen:
                seen.append(m.entity_id)
        out.append(
            ReportOut(
                id=row.id,
                version=v.version,
                current_version=row.version,
                status=v.status,
                originator=row.originator,
                title=v.title,
                body=v.body,
                language=v.language,
                topics=list(v.topics),
                date_of_information=v.date_of_information,
                classification=v.classification,
                handling=dict(v.handling),
                grading=dict(v.grading),
                nature=v.nature,
                review_by=v.review_by,
                note=v.note,
                recorded_at=v.recorded_at,
                recorded_by=names.get(v.recorded_by) if v.recorded_by else None,
                entities=[entities[e] for e in seen if e in entities],
                mentions=[
                    MentionOut(
                        entity=m.entity_id,
                        start=m.start,
                        end=m.end,
                        text=v.body[m.start : m.end] if m.start is not None else None,
                    )
                    for m in own
                ],
            )
        )
    return out
