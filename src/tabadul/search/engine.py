"""Running a query: matches, filters and the caller's visibility, then counts, facets and a page.

Every number comes from the same set of rows — the matching documents whose
records the caller may read (the policy's visibility, joined on the records'
own labels) and that pass the filters — so a record the caller may not read
changes neither the total nor any facet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    exists,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from tabadul.search.backends import Keys, matches
from tabadul.search.documents import ENTITY, REPORT
from tabadul.search.query import Node
from tabadul.storage import protection
from tabadul.storage.tables import EntityRow, ReportRow, ReportTopicRow, SearchDocumentRow

FACETS = ("kind", "status", "tlp", "classification", "originator", "schema", "language", "topic")
FACET_SIZE = 20


@dataclass(frozen=True)
class SearchFilter:
    """What results are narrowed to. Report-only filters leave entities out, and the reverse."""

    kind: str | None = None
    topic: str | None = None
    status: str | None = None
    tlp: str | None = None
    classification: str | None = None
    originator: str | None = None
    schema: str | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def wants(self, kind: str) -> bool:
        """Whether documents of ``kind`` can pass these filters."""
        report_only = (
            self.topic,
            self.status,
            self.tlp,
            self.originator,
            self.date_from,
            self.date_to,
        )
        if kind == ENTITY and any(v is not None for v in report_only):
            return False
        if kind == REPORT and self.schema is not None:
            return False
        return self.kind in (None, kind)


@dataclass(frozen=True)
class Hit:
    """One matching record, before its snippet is cut."""

    kind: str
    record_id: str
    score: float


@dataclass
class Found:
    """A page of hits with the total and facets over every visible match."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def run(
    session: Session,
    dialect: str,
    tree: Node,
    keys: Keys,
    filters: SearchFilter,
    levels: Collection[str],
    compartments: Collection[str],
    *,
    limit: int,
    offset: int = 0,
    facets: bool = True,
) -> Found:
    """Search: the total, facets and the page ``offset``…``offset+limit`` by descending score."""
    # Materialised: the full-text match runs once and drives the joins (left to itself,
    # SQLite re-ran MATCH for every document row).
    m = matches(dialect, tree, keys).cte("m").prefix_with("MATERIALIZED")
    doc = SearchDocumentRow
    branches: list[Select[tuple[object, ...]]] = []
    if filters.wants(REPORT):
        branches.append(
            select(
                doc.id.label("doc"),
                doc.kind.label("kind"),
                doc.record_id.label("record_id"),
                m.c.score.label("score"),
                ReportRow.status.label("status"),
                ReportRow.tlp.label("tlp"),
                ReportRow.classification.label("classification"),
                ReportRow.originator.label("originator"),
                null().cast(String).label("schema"),
                doc.language.label("language"),
            )
            .select_from(m)
            .join(doc, doc.id == m.c.doc_id)
            .join(ReportRow, ReportRow.id == doc.record_id)
            .where(
                doc.kind == REPORT,
                protection.reports_visible(levels, compartments),
                *_report_filters(filters),
            )
        )
    if filters.wants(ENTITY):
        branches.append(
            select(
                doc.id.label("doc"),
                doc.kind.label("kind"),
                doc.record_id.label("record_id"),
                m.c.score.label("score"),
                null().cast(String).label("status"),
                null().cast(String).label("tlp"),
                EntityRow.classification.label("classification"),
                null().cast(String).label("originator"),
                EntityRow.schema.label("schema"),
                doc.language.label("language"),
            )
            .select_from(m)
            .join(doc, doc.id == m.c.doc_id)
            .join(EntityRow, EntityRow.id == doc.record_id)
            .where(
                doc.kind == ENTITY,
                protection.entities_visible(levels, compartments),
                *_entity_filters(filters),
            )
        )
    if not branches or not levels:
        return Found(0, [], {name: {} for name in FACETS} if facets else {})
    union = branches[0] if len(branches) == 1 else union_all(*branches)
    hits = union.cte("hits").prefix_with("MATERIALIZED")

    counted = _facet_counts(session, hits) if facets else {}
    total = (
        sum(counted["kind"].values())
        if facets
        else int(session.scalar(select(func.count()).select_from(hits)) or 0)
    )
    page = session.execute(
        select(hits.c.kind, hits.c.record_id, hits.c.score)
        .order_by(hits.c.score.desc(), hits.c.doc)
        .limit(limit)
        .offset(offset)
    )
    return Found(total, [Hit(k, r, float(s or 0)) for k, r, s in page], counted)


def _report_filters(f: SearchFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.topic is not None:
        conditions.append(
            exists(
                select(ReportTopicRow.report_id).where(
                    ReportTopicRow.report_id == ReportRow.id, ReportTopicRow.topic == f.topic
                )
            )
        )
    if f.status is not None:
        conditions.append(ReportRow.status == f.status)
    if f.tlp is not None:
        conditions.append(ReportRow.tlp == f.tlp)
    if f.classification is not None:
        conditions.append(ReportRow.classification == f.classification)
    if f.originator is not None:
        conditions.append(ReportRow.originator == f.originator)
    if f.language is not None:
        conditions.append(SearchDocumentRow.language == f.language)
    if f.date_from is not None:
        conditions.append(ReportRow.date_of_information >= f.date_from)
    if f.date_to is not None:
        conditions.append(ReportRow.date_of_information <= f.date_to)
    return conditions or [true()]


def _entity_filters(f: SearchFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.schema is not None:
        conditions.append(EntityRow.schema == f.schema)
    if f.classification is not None:
        conditions.append(EntityRow.classification == f.classification)
    if f.language is not None:
        conditions.append(SearchDocumentRow.language == f.language)
    return conditions or [true()]


def _facet_counts(session: Session, hits: object) -> dict[str, dict[str, int]]:
    """Every facet's value counts in one statement over the materialised hits."""
    h = hits.c  # type: ignore[attr-defined]
    parts: list[Select[tuple[object, ...]]] = [
        select(literal(name).label("facet"), h[name].label("value"), func.count().label("n"))
        .where(h[name].is_not(None))
        .group_by(h[name])
        for name in FACETS
        if name != "topic"
    ]
    parts.append(
        select(
            literal("topic").label("facet"),
            ReportTopicRow.topic.label("value"),
            func.count().label("n"),
        )
        .select_from(hits)  # type: ignore[arg-type]
        .join(ReportTopicRow, ReportTopicRow.report_id == h.record_id)
        .where(h.kind == REPORT)
        .group_by(ReportTopicRow.topic)
    )
    counted: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    rows: list[Any] = list(session.execute(union_all(*parts)))
    for facet, value, n in rows:
        counted[str(facet)][str(value)] = int(n)
    return {
        name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])
        for name, values in counted.items()
    }
