"""Reports in the database: versions, topics, mentions. Repository functions never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, true, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from tabadul.storage.tables import (
    MentionRow,
    ReportCompartmentRow,
    ReportRow,
    ReportTopicRow,
    ReportVersionRow,
    table,
)


@dataclass
class ReportBatch:
    """Rows for many report versions, inserted with one statement per table."""

    reports: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    # The topics of each report's newest version in the batch (older ones are replaced).
    topics: dict[str, list[str]] = field(default_factory=dict)
    compartments: dict[str, list[str]] = field(default_factory=dict)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    # Reports that already exist and get a new current version: id -> new fields.
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.versions)


@dataclass(frozen=True)
class ReportFilter:
    """What a list of reports is narrowed to."""

    topic: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    classification: str | None = None
    tlp: str | None = None
    originator: str | None = None


def store(session: Session, batch: ReportBatch) -> None:
    """Insert a batch of new reports and versions (and move updated reports forward)."""
    if batch.reports:
        session.execute(table(ReportRow).insert(), batch.reports)
    for report_id, values in batch.updates.items():
        session.execute(update(ReportRow).where(ReportRow.id == report_id).values(**values))
    if batch.updates:
        updated = list(batch.updates)
        session.execute(delete(ReportTopicRow).where(ReportTopicRow.report_id.in_(updated)))
        session.execute(
            delete(ReportCompartmentRow).where(ReportCompartmentRow.report_id.in_(updated))
        )
    if batch.versions:
        session.execute(table(ReportVersionRow).insert(), batch.versions)
    topic_rows = [
        {"report_id": report_id, "topic": topic}
        for report_id, topics in batch.topics.items()
        for topic in topics
    ]
    if topic_rows:
        session.execute(table(ReportTopicRow).insert(), topic_rows)
    compartment_rows = [
        {"report_id": report_id, "compartment": compartment}
        for report_id, compartments in batch.compartments.items()
        for compartment in compartments
    ]
    if compartment_rows:
        session.execute(table(ReportCompartmentRow).insert(), compartment_rows)
    if batch.mentions:
        session.execute(table(MentionRow).insert(), batch.mentions)


def get(session: Session, report_id: str, *, for_update: bool = False) -> ReportRow | None:
    """The report's identity row, or None."""
    query = select(ReportRow).where(ReportRow.id == report_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def current_state(session: Session, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The current version number and status of each existing report among ``ids``."""
    if not ids:
        return {}
    query = select(ReportRow.id, ReportRow.version, ReportRow.status).where(ReportRow.id.in_(ids))
    return {report_id: (version, status) for report_id, version, status in session.execute(query)}


@dataclass(frozen=True)
class Head:
    """A stored report's current version number, its status and its originator."""

    version: int
    status: str
    originator: str


def heads(session: Session, ids: Iterable[str]) -> dict[str, Head]:
    """The head of each existing report among ``ids`` (a batch of received messages)."""
    wanted = sorted({i for i in ids if i})
    found: dict[str, Head] = {}
    # Chunked: SQLite limits the number of bound parameters per statement.
    for start in range(0, len(wanted), 500):
        query = select(ReportRow.id, ReportRow.version, ReportRow.status, ReportRow.originator)
        query = query.where(ReportRow.id.in_(wanted[start : start + 500]))
        found.update({r[0]: Head(r[1], r[2], r[3]) for r in session.execute(query)})
    return found


def get_version(session: Session, report_id: str, version: int) -> ReportVersionRow | None:
    """One version of a report, or None."""
    return session.get(ReportVersionRow, (report_id, version))


def versions_of(session: Session, report_id: str) -> list[ReportVersionRow]:
    """Every version of a report, oldest first."""
    query = (
        select(ReportVersionRow)
        .where(ReportVersionRow.report_id == report_id)
        .order_by(ReportVersionRow.version)
    )
    return list(session.scalars(query))


def mentions_of(session: Session, keys: Iterable[tuple[str, int]]) -> list[MentionRow]:
    """Mentions of the given (report id, version) pairs, in insertion order."""
    wanted = set(keys)
    if not wanted:
        return []
    # By report id, then version in Python: SQLite plans a row-value IN over VALUES
    # as a scan of the whole table, which a million reports' mentions make slow.
    ids = sorted({report_id for report_id, _ in wanted})
    found: list[MentionRow] = []
    for start in range(0, len(ids), 500):
        query = select(MentionRow).where(MentionRow.report_id.in_(ids[start : start + 500]))
        found.extend(m for m in session.scalars(query) if (m.report_id, m.version) in wanted)
    found.sort(key=lambda m: m.id)
    return found


# A report's row joined to its current version's.
_CURRENT = (ReportVersionRow.report_id == ReportRow.id) & (
    ReportVersionRow.version == ReportRow.version
)


def page(
    session: Session,
    filters: ReportFilter,
    limit: int,
    after: str | None,
    visible: ColumnElement[bool],
) -> list[tuple[ReportRow, ReportVersionRow]]:
    """Current versions of the ``visible`` reports, newest first, after the cursor id ``after``.

    The walk runs down an index newest first and stops at ``limit``: down
    the reports' ids, or, with a topic, down that topic's entries in
    ``(topic, report_id)`` order (collecting a common topic's reports and
    sorting them would cost as much as the topic is common).
    """
    query = select(ReportRow, ReportVersionRow)
    newest: InstrumentedAttribute[str] = ReportRow.id
    if filters.topic is not None:
        newest = ReportTopicRow.report_id
        query = query.select_from(ReportTopicRow).join(
            ReportRow, ReportRow.id == ReportTopicRow.report_id
        )
        query = query.where(ReportTopicRow.topic == filters.topic)
    query = (
        query.join(ReportVersionRow, _CURRENT).where(visible).order_by(newest.desc()).limit(limit)
    )
    if after is not None:
        query = query.where(newest < after)
    if filters.status is not None:
        query = query.where(ReportRow.status == filters.status)
    if filters.date_from is not None:
        query = query.where(ReportRow.date_of_information >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(ReportRow.date_of_information <= filters.date_to)
    if filters.classification is not None:
        query = query.where(ReportRow.classification == filters.classification)
    if filters.tlp is not None:
        query = query.where(ReportRow.tlp == filters.tlp)
    if filters.originator is not None:
        query = query.where(ReportRow.originator == filters.originator)
    return [(row[0], row[1]) for row in session.execute(query)]


def due(
    session: Session, before: dt.date, limit: int, visible: ColumnElement[bool]
) -> list[tuple[ReportRow, ReportVersionRow]]:
    """Current versions of the ``visible`` reports to review by ``before``, soonest first.

    Walked down the index on the review date, so a node with nothing due
    answers at once however many reports it holds. Withdrawn reports are
    not reviewed.
    """
    query = (
        select(ReportRow, ReportVersionRow)
        .join(ReportVersionRow, _CURRENT)
        .where(visible, ReportRow.review_by <= before, ReportRow.status != "withdrawn")
        .order_by(ReportRow.review_by, ReportRow.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def all_versions(
    session: Session, visible: ColumnElement[bool] | None = None, batch_size: int = 500
) -> Iterable[ReportVersionRow]:
    """Every version of every (``visible``) report, report by report, oldest first (streamed)."""
    query = (
        select(ReportVersionRow)
        .join(ReportRow, ReportRow.id == ReportVersionRow.report_id)
        .where(visible if visible is not None else true())
        .order_by(ReportVersionRow.report_id, ReportVersionRow.version)
        .execution_options(yield_per=batch_size)
    )
    for row in session.scalars(query):
        yield row
        session.expunge(row)


def originators(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """The originator of each report among ``ids``."""
    if not ids:
        return {}
    rows = session.execute(select(ReportRow.id, ReportRow.originator).where(ReportRow.id.in_(ids)))
    return {report_id: originator for report_id, originator in rows}


def count(session: Session, visible: ColumnElement[bool] | None = None) -> int:
    """How many (``visible``) reports there are."""
    query = select(func.count()).select_from(ReportRow)
    if visible is not None:
        query = query.where(visible)
    return int(session.scalar(query) or 0)


def summaries(
    session: Session, ids: Sequence[str]
) -> list[tuple[str, str, dt.date | None, dt.datetime, str, str]]:
    """(id, title, date of information, recorded at, classification, status) of current versions."""
    if not ids:
        return []
    query = (
        select(
            ReportRow.id,
            ReportVersionRow.title,
            ReportRow.date_of_information,
            ReportRow.recorded_at,
            ReportRow.classification,
            ReportRow.status,
        )
        .join(
            ReportVersionRow,
            (ReportVersionRow.report_id == ReportRow.id)
            & (ReportVersionRow.version == ReportRow.version),
        )
        .where(ReportRow.id.in_(list(ids)))
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in session.execute(query)]


def current_texts(session: Session, ids: Sequence[str]) -> dict[str, Any]:
    """What a search result shows of each existing report among ``ids``: its labels and text.

    Rows with ``id``, ``status``, ``date_of_information``, ``classification``,
    ``tlp``, ``originator`` (the report's own) and ``title``, ``body``,
    ``note``, ``language``, ``topics`` (its current version's) — columns,
    not objects: a page of results needs no version's handling, grading or
    compartments decoded.
    """
    if not ids:
        return {}
    query = (
        select(
            ReportRow.id,
            ReportRow.status,
            ReportRow.date_of_information,
            ReportRow.classification,
            ReportRow.tlp,
            ReportRow.originator,
            ReportVersionRow.title,
            ReportVersionRow.body,
            ReportVersionRow.note,
            ReportVersionRow.language,
            ReportVersionRow.topics,
        )
        .join(
            ReportVersionRow,
            (ReportVersionRow.report_id == ReportRow.id)
            & (ReportVersionRow.version == ReportRow.version),
        )
        .where(ReportRow.id.in_(list(ids)))
    )
    return {row.id: row for row in session.execute(query)}
