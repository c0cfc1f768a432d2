"""Report use cases: record, correct (new version), withdraw, read and list.

Every change is a new version in one transaction with the report's entities
and mentions; nothing is overwritten. Every read goes through the access
policy: a report the actor may not read is "not found", and is simply absent
from lists.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.audit import events as ev
from tabadul.errors import ErrorDetail, NotFound, PermissionDenied, ValidationFailed
from tabadul.model.protection import Protection
from tabadul.model.reports import ReportContent, ReportStatus, check_transition
from tabadul.schemas.common import Page
from tabadul.schemas.reports import (
    MentionOut,
    ReportIn,
    ReportOut,
    ReportReceipt,
    ReportVersionIn,
    VersionSummary,
)
from tabadul.services import auditing, drafts, sharing
from tabadul.services.entities import visible_entities
from tabadul.services.node import Node
from tabadul.storage import accounts, audit_log, protection
from tabadul.storage import reports as store
from tabadul.storage.reports import ReportBatch, ReportFilter
from tabadul.storage.tables import ReportRow, ReportVersionRow
from tabadul.storage.types import utcnow

MAX_PAGE = 200


def record(
    node: Node, actor: Principal, item: ReportIn, purpose: str | None = None
) -> ReportOut | ReportReceipt:
    """Record a new report with its entities, mentions and audit event, in one transaction."""
    _require(node, actor, Action.CREATE)
    rules = drafts.Rules.of(node)
    d = drafts.draft(rules, item, recorded_at=utcnow(), recorded_by=actor.user_id)
    _check_label(node, actor, d.content, None)
    with node.db.transaction() as session:
        _store(session, rules, d, new=True)
        audit_log.add(
            session,
            ev.ReportRecorded(
                actor=auditing.actor_of(actor),
                purpose=purpose,
                report_id=d.report_id,
                version=d.version,
                classification=d.content.classification,
                entities=tuple(e for e, _ in d.entities),
            ),
        )
        return _written(session, node, actor, d.report_id)


def add_version(
    node: Node,
    actor: Principal,
    report_id: str,
    item: ReportVersionIn,
    purpose: str | None = None,
) -> ReportOut | ReportReceipt:
    """Record a corrected or released version of a report; earlier versions stay."""
    _require(node, actor, Action.UPDATE, report_id)
    _check_readable(node, actor, report_id, Action.UPDATE)
    rules = drafts.Rules.of(node)
    d = drafts.draft(
        rules,
        item,
        report_id=report_id,
        recorded_at=utcnow(),
        recorded_by=actor.user_id,
        note=item.note,
    )
    _check_label(node, actor, d.content, report_id)
    with node.db.transaction() as session:
        current = _readable(session, node, actor, report_id, lock=True)
        check_transition(ReportStatus(current.status), ReportStatus(item.status))
        d.version, d.originator = current.version + 1, current.originator
        _store(session, rules, d, new=False)
        audit_log.add(
            session,
            ev.ReportVersioned(
                actor=auditing.actor_of(actor),
                purpose=purpose,
                report_id=report_id,
                version=d.version,
                classification=d.content.classification,
                entities=tuple(e for e, _ in d.entities),
                note=item.note,
            ),
        )
        sharing.follow_up(session, node, actor, report_id)
        return _written(session, node, actor, report_id)


def withdraw(
    node: Node, actor: Principal, report_id: str, reason: str, purpose: str | None = None
) -> ReportOut | ReportReceipt:
    """Withdraw a report: a final version with the same content, status withdrawn, and why."""
    _require(node, actor, Action.WITHDRAW, report_id)
    _check_readable(node, actor, report_id, Action.WITHDRAW)
    with node.db.transaction() as session:
        current = _readable(session, node, actor, report_id, lock=True)
        check_transition(ReportStatus(current.status), ReportStatus.WITHDRAWN)
        # Taken now: writing the batch moves the loaded row forward.
        held, new_version = current.version, current.version + 1
        version = store.get_version(session, report_id, held)
        assert version is not None
        now = utcnow()
        columns = ReportVersionRow.__table__.columns.keys()
        row = {column: getattr(version, column) for column in columns}
        row.update(
            version=new_version,
            status=ReportStatus.WITHDRAWN.value,
            note=reason,
            recorded_at=now,
            recorded_by=actor.user_id,
        )
        mentions = [
            {
                "report_id": report_id,
                "version": new_version,
                "entity_id": m.entity_id,
                "start": m.start,
                "end": m.end,
            }
            for m in store.mentions_of(session, [(report_id, held)])
        ]
        batch = ReportBatch(
            versions=[row],
            topics={report_id: list(version.topics)},
            compartments={report_id: list(version.compartments)},
            mentions=mentions,
            updates={
                report_id: {
                    "version": new_version,
                    "status": ReportStatus.WITHDRAWN.value,
                    "updated_at": now,
                }
            },
        )
        drafts.write(session, batch, [], drafts.Rules.of(node))
        audit_log.add(
            session,
            ev.ReportWithdrawn(
                actor=auditing.actor_of(actor),
                purpose=purpose,
                report_id=report_id,
                version=new_version,
                note=reason,
            ),
        )
        sharing.follow_up(session, node, actor, report_id)
        return _written(session, node, actor, report_id)


def get(
    node: Node,
    actor: Principal,
    report_id: str,
    version: int | None = None,
    purpose: str | None = None,
) -> ReportOut:
    """One report as of its current version, or as of ``version`` (a logged consultation)."""
    _require(node, actor, Action.READ, report_id)
    stated = auditing.purpose_of(purpose)
    with node.db.reading() as session:
        out = _out(session, node, actor, *_rows(session, node, actor, report_id, version))
    auditing.record(
        node,
        ev.ReportViewed(
            actor=auditing.actor_of(actor), purpose=stated, report_id=report_id, version=out.version
        ),
    )
    return out


def versions(
    node: Node, actor: Principal, report_id: str, purpose: str | None = None
) -> list[VersionSummary]:
    """The history of a report, oldest first (a logged consultation)."""
    _require(node, actor, Action.READ, report_id)
    stated = auditing.purpose_of(purpose)
    with node.db.reading() as session:
        _readable(session, node, actor, report_id, log=True)
        rows = store.versions_of(session, report_id)
        names = accounts.usernames(session, {r.recorded_by for r in rows if r.recorded_by})
        history = [
            VersionSummary(
                version=r.version,
                status=r.status,
                title=r.title,
                note=r.note,
                recorded_at=r.recorded_at,
                recorded_by=names.get(r.recorded_by) if r.recorded_by else None,
            )
            for r in rows
            if node.policy.can(actor, Action.READ, _version_resource(r))
        ]
    auditing.record(
        node,
        ev.ReportViewed(
            actor=auditing.actor_of(actor), purpose=stated, report_id=report_id, history=True
        ),
    )
    return history


def list_reports(
    node: Node,
    actor: Principal,
    filters: ReportFilter,
    limit: int = 50,
    cursor: str | None = None,
    purpose: str | None = None,
) -> Page[ReportOut]:
    """A page of the reports the actor may read (current versions), newest first (logged)."""
    _require(node, actor, Action.READ)
    stated = auditing.purpose_of(purpose)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    after = decode_cursor(cursor) if cursor else None
    with node.db.reading() as session:
        rows = store.page(session, filters, limit + 1, after, visible_reports(node, actor))
        items = _outs(session, node, actor, rows[:limit])
    shown = {k: str(v) for k, v in filters.__dict__.items() if v is not None}
    _listed(node, actor, stated, items, shown)
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    return Page[ReportOut](items=items, next=next_cursor)


def due_for_review(
    node: Node, actor: Principal, before: dt.date, limit: int = 20, purpose: str | None = None
) -> list[ReportOut]:
    """The reports the actor may read whose review date falls by ``before``, soonest first."""
    _require(node, actor, Action.READ)
    stated = auditing.purpose_of(purpose)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    with node.db.reading() as session:
        rows = store.due(session, before, limit, visible_reports(node, actor))
        items = _outs(session, node, actor, rows)
    _listed(node, actor, stated, items, {"review_before": before.isoformat()})
    return items


def _listed(
    node: Node, actor: Principal, purpose: str, items: list[ReportOut], filters: dict[str, str]
) -> None:
    """Log the consultation of a list: what was shown, and how the list was narrowed."""
    auditing.record(
        node,
        ev.ReportsListed(
            actor=auditing.actor_of(actor),
            purpose=purpose,
            shown=tuple(r.id for r in items),
            filters=filters,
        ),
    )


def visible_reports(node: Node, actor: Principal) -> ColumnElement[bool]:
    """The policy's need-to-know rule for reports, as a SQL condition."""
    seen = node.policy.visibility(actor)
    return protection.reports_visible(seen.levels, seen.compartments)


def report_resource(label: tuple[str, frozenset[str]]) -> Resource:
    """A report's protection as the policy's resource."""
    return Resource(Kind.REPORT, Protection(label[0], label[1]))


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


def _require(node: Node, actor: Principal, action: Action, report_id: str | None = None) -> None:
    if not node.policy.allows_role(actor, action, Kind.REPORT):
        error = PermissionDenied(f"the {actor.role.value} role may not {action.value} reports")
        raise auditing.refusal(node, actor, action.value, _ref(report_id), error)


def _ref(report_id: str | None) -> str | None:
    return f"report:{report_id}" if report_id else None


def _check_readable(node: Node, actor: Principal, report_id: str, action: Action) -> None:
    """Refuse (and log) an action on a report the actor may not read, before any write begins."""
    with node.db.reading() as session:
        try:
            _readable(session, node, actor, report_id)
        except NotFound as exc:
            raise auditing.refusal(node, actor, action.value, _ref(report_id), exc) from None


def _version_resource(version: ReportVersionRow) -> Resource:
    label = Protection(version.classification, frozenset(version.compartments))
    return Resource(Kind.REPORT, label)


def _check_label(
    node: Node, actor: Principal, content: ReportContent, report_id: str | None
) -> None:
    """Nobody labels a report so that they could not read it themselves."""
    problems = []
    if not node.policy.needs_know(actor, Protection(content.classification)):
        problems.append(ErrorDetail("classification", "is above your clearance"))
    missing = sorted(content.compartments - actor.compartments)
    if missing:
        problems.append(ErrorDetail("compartments", f"you do not belong to {', '.join(missing)}"))
    if problems:
        error = ValidationFailed("; ".join(f"{p.field}: {p.message}" for p in problems), problems)
        raise auditing.refusal(node, actor, "label", _ref(report_id), error)


def _store(session: Session, rules: drafts.Rules, d: drafts.Draft, *, new: bool) -> None:
    failures = drafts.resolve(session, [d])
    if failures:
        raise failures[0]
    batch = ReportBatch()
    entity_rows: list[dict[str, Any]] = []
    drafts.add_to_batch(d, batch, entity_rows, new=new)
    drafts.write(session, batch, entity_rows, rules)


def _written(
    session: Session, node: Node, actor: Principal, report_id: str
) -> ReportOut | ReportReceipt:
    """The stored report as served — or, to a token that may not read, only its identity."""
    if not node.policy.allows_role(actor, Action.READ, Kind.REPORT):
        row = store.get(session, report_id)
        assert row is not None
        return ReportReceipt(id=row.id, version=row.version, status=row.status)
    return _out(session, node, actor, *_rows(session, node, actor, report_id, None))


def _readable(
    session: Session,
    node: Node,
    actor: Principal,
    report_id: str,
    *,
    lock: bool = False,
    log: bool = False,
) -> ReportRow:
    """The report, if the actor may read it; otherwise exactly as if it did not exist.

    ``log`` writes the refusal to the audit log — never from inside a writing
    transaction (the refusal's own transaction would wait for it).
    """
    row = store.get(session, report_id, for_update=lock and not node.db.is_sqlite)
    label = protection.report_labels(session, [report_id]).get(report_id)
    readable = label is not None and node.policy.can(actor, Action.READ, report_resource(label))
    if row is None or not readable:
        error = NotFound(f"no report {report_id}")
        raise auditing.refusal(node, actor, "read", _ref(report_id), error) if log else error
    return row


def _rows(
    session: Session, node: Node, actor: Principal, report_id: str, version: int | None
) -> tuple[ReportRow, ReportVersionRow]:
    try:
        row = _readable(session, node, actor, report_id)
        version_row = store.get_version(session, report_id, version or row.version)
        # An earlier version may have carried a stricter label than the current one.
        if version_row is None or not node.policy.can(
            actor, Action.READ, _version_resource(version_row)
        ):
            raise NotFound(f"report {report_id} has no version {version}")
    except NotFound as exc:
        raise auditing.refusal(node, actor, "read", _ref(report_id), exc) from None
    return row, version_row


def _out(
    session: Session, node: Node, actor: Principal, row: ReportRow, version: ReportVersionRow
) -> ReportOut:
    return _outs(session, node, actor, [(row, version)])[0]


def _outs(
    session: Session,
    node: Node,
    actor: Principal,
    rows: Sequence[tuple[ReportRow, ReportVersionRow]],
) -> list[ReportOut]:
    """Reports as served, with the mentions and entities the actor may see."""
    mentions = store.mentions_of(session, [(v.report_id, v.version) for _, v in rows])
    entities = {
        e.id: e for e in visible_entities(session, node, actor, {m.entity_id for m in mentions})
    }
    by_version: dict[tuple[str, int], list[Any]] = {}
    for m in mentions:
        if m.entity_id in entities:  # a mention of an entity the actor may not read is left out
            by_version.setdefault((m.report_id, m.version), []).append(m)
    names = accounts.usernames(session, {v.recorded_by for _, v in rows if v.recorded_by})
    out = []
    for row, v in rows:
        own = by_version.get((v.report_id, v.version), [])
        seen = list(dict.fromkeys(m.entity_id for m in own))
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
                compartments=list(v.compartments),
                handling=dict(v.handling),
                grading=dict(v.grading),
                nature=v.nature,
                review_by=v.review_by,
                note=v.note,
                recorded_at=v.recorded_at,
                recorded_by=names.get(v.recorded_by) if v.recorded_by else None,
                entities=[entities[e] for e in seen],
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
