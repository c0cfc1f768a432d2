"""Running a query: matches, filters and the caller's visibility, then counts, facets and a page.

Every number comes from the same set of rows — the matching documents whose
records the caller may read (the policy's visibility, joined on the records'
own labels) and that pass the filters — so a record the caller may not read
changes neither the total nor any facet.

That set is bounded: the walk over the matches stops after
:data:`COUNT_BOUND` visible ones (newest first), so a common word costs the
same as a rarer one and the total then reads "1,000+" (``total_exact``
false). Visibility and filters are applied during the walk, before the
bound, never after it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from tabadul.search.backends import Keys, Rank, matching, narrowable
from tabadul.search.documents import ENTITY, REPORT
from tabadul.search.facets import combined, date_words, word
from tabadul.search.query import Node
from tabadul.storage import protection
from tabadul.storage.tables import EntityRow, ReportRow, ReportTopicRow, SearchDocumentRow

FACETS = ("kind", "status", "tlp", "classification", "originator", "schema", "language", "topic")
FACET_SIZE = 20
# Visible matches counted exactly before the total reads "1,000+". Elasticsearch stops
# at 10,000; here each match walked is joined to its record's live label (about 3 µs a
# match on SQLite), and 10,000 of them cost more than the whole 50 ms budget.
COUNT_BOUND = 1_000


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
    """A page of hits with the total and facets over the bounded set of visible matches.

    ``total_exact`` is false when more than :data:`COUNT_BOUND` visible
    matches exist: ``total`` is then the bound ("10,000+") and the facets
    count the bounded set, not every match.
    """

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_exact: bool = True


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
    bound: int | None = None,
) -> Found:
    """Search: the total, facets and the page ``offset``…``offset+limit`` by descending score.

    Counting stops at ``bound`` visible matches, as Elasticsearch's
    ``track_total_hits`` does: the matches are walked newest document first
    (the order FTS5 keeps them in, so nothing is scored or joined beyond the
    bound), each joined to its record's current label and filters, and the
    first ``bound`` that pass are the set the total, the facets and the page
    come from. Below the bound that set is every visible match, exactly as
    before; above it, the page is the best of the most recently indexed
    ``bound`` matches. Visibility is applied inside the walk, so a refused
    record neither counts nor takes a place in the bounded set.
    """
    bound = COUNT_BOUND if bound is None else bound
    wanted = [kind for kind in (REPORT, ENTITY) if filters.wants(kind)]
    if not wanted or not levels:
        return Found(0, [], {name: {} for name in FACETS} if facets else {})
    how = narrowable(session, dialect)
    narrow = narrowing(filters, wanted, combine=how == "combined") if how else []
    match = matching(dialect, tree, keys, narrow)
    doc = SearchDocumentRow
    passes: list[ColumnElement[bool]] = []
    if REPORT in wanted:
        passes.append(
            and_(
                doc.kind == REPORT,
                protection.reports_visible(levels, compartments),
                *_report_filters(filters),
            )
        )
    if ENTITY in wanted:
        passes.append(
            and_(
                doc.kind == ENTITY,
                protection.entities_visible(levels, compartments),
                *_entity_filters(filters),
            )
        )
    source = match.source
    if match.joins_documents:
        source = source.join(doc, doc.id == match.doc_id)
    if REPORT in wanted:
        source = source.outerjoin(
            ReportRow, and_(doc.kind == REPORT, ReportRow.id == doc.record_id)
        )
    if ENTITY in wanted:
        source = source.outerjoin(
            EntityRow, and_(doc.kind == ENTITY, EntityRow.id == doc.record_id)
        )
    report_column = (lambda c: c) if REPORT in wanted else (lambda c: null().cast(String))
    rank = match.rank
    walk = (
        select(
            match.doc_id.label("doc"),
            doc.kind.label("kind"),
            doc.record_id.label("record_id"),
            match.score.label("score"),
            report_column(ReportRow.status).label("status"),
            report_column(ReportRow.tlp).label("tlp"),
            _either(wanted, ReportRow.classification, EntityRow.classification).label(
                "classification"
            ),
            report_column(ReportRow.originator).label("originator"),
            (EntityRow.schema if ENTITY in wanted else null().cast(String)).label("schema"),
            doc.language.label("language"),
            # Ranked after the statement (SQLite): the walk's rows come to Python whole,
            # with what the facets and the rank read (the row is at hand here).
            *(
                [_topics(wanted).label("topics")]
                + [text.label(f"text{i}") for i, text in enumerate(match.texts)]
                if rank is not None
                else []
            ),
        )
        .select_from(source)
        .where(match.condition, or_(*passes))
        .order_by(match.doc_id.desc())
        # One more than the bound: whether there are more is all the last row says.
        .limit(bound + 1)
    )
    if rank is not None:
        return _ranked_after(session, walk, rank, bound, limit, offset, facets)
    # Materialised: the walk runs once for the counts, the facets and the page.
    walked = walk.cte("walked").prefix_with("MATERIALIZED")
    counted = select(func.count()).select_from(walked).scalar_subquery()
    bounded = (
        select(*walked.c).order_by(walked.c.doc.desc()).limit(bound).cte("bounded")
    ).prefix_with("MATERIALIZED")
    # .all(): fetched in one call, not row by row.
    rows: Sequence[Any] = session.execute(
        _one_statement(bounded, counted, limit, offset, facets)
    ).all()
    total = 0
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    page: list[tuple[float, int, str, str]] = []
    for part, value, record_id, n, score, doc_id in rows:
        if part == _TOTAL:
            total = int(n)
        elif part == _PAGE:
            page.append((float(score or 0), int(doc_id), str(value), str(record_id)))
        else:
            counts[str(part)][str(value)] = int(n)
    # Best first; ties by document, as the statement ordered them.
    page.sort(key=lambda p: (-p[0], p[1]))
    hits = [Hit(kind, record_id, score) for score, _doc, kind, record_id in page]
    return Found(min(total, bound), hits, _top(counts) if facets else {}, total <= bound)


def _ranked_after(
    session: Session,
    walk: Select[Any],
    rank: Rank,
    bound: int,
    limit: int,
    offset: int,
    facets: bool,
) -> Found:
    """The walk's rows fetched whole, then counted, faceted and ranked here (SQLite).

    The total is the rows walked, the facets are counted from their
    columns, and the page is the best of them by ``rank``. The same numbers
    the one statement computes on PostgreSQL, from the same bounded rows,
    without copying them into a table to group them there.
    """
    # Fetched in one call, not row by row, through the connection: the rows are plain
    # values and the ORM's row handling would cost more than the counting. Read by
    # position for the same reason.
    walked: Sequence[Any] = session.connection().execute(walk).all()
    total = len(walked)
    # Newest first: the row beyond the bound is the oldest.
    rows = walked[:bound]
    at = {name: i for i, name in enumerate(walk.selected_columns.keys())}
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    if facets:
        for name in FACETS:
            if name != "topic":
                i = at[name]
                counts[name] = _count(row[i] for row in rows)
        i = at["topics"]
        counts["topic"] = _count(
            topic for row in rows if row[i] for topic in row[i].split(_SEPARATOR)
        )
    doc, kind, record_id, texts = at["doc"], at["kind"], at["record_id"], at["topics"] + 1
    scores = rank(session, [(row[doc], *row[texts:]) for row in rows])
    page = sorted(
        ((scores.get(row[doc], 0.0), row[doc], row[kind], row[record_id]) for row in rows),
        # Best first; ties by document, as the statement on PostgreSQL orders them.
        key=lambda p: (-p[0], p[1]),
    )[offset : offset + limit]
    hits = [Hit(kind, record_id, score) for score, _doc, kind, record_id in page]
    return Found(min(total, bound), hits, _top(counts) if facets else {}, total <= bound)


# Between a report's topics in the walk's ``topics`` column (no topic holds it).
_SEPARATOR = "\x1f"


def _topics(wanted: list[str]) -> ColumnElement[str]:
    """A report's topics as one string, read as the walk passes the report."""
    if REPORT not in wanted:
        return null().cast(String)
    return (
        select(func.group_concat(ReportTopicRow.topic, literal(_SEPARATOR)))
        .where(ReportTopicRow.report_id == ReportRow.id)
        .scalar_subquery()
    )


def _count(values: Iterable[Any]) -> dict[str, int]:
    return {str(v): n for v, n in Counter(values).items() if v is not None}


# Not facet names: the rows of the total and of the page in the one statement.
_TOTAL = "#total"
_PAGE = "#page"


def _either(wanted: list[str], report: Any, entity: Any) -> ColumnElement[Any]:
    if wanted == [REPORT]:
        return report  # type: ignore[no-any-return]
    if wanted == [ENTITY]:
        return entity  # type: ignore[no-any-return]
    return func.coalesce(report, entity)


def _one_statement(
    bounded: Any,
    counted: Any,
    limit: int,
    offset: int,
    facets: bool,
) -> Any:
    """The total, every facet and the page in one statement, so the bounded set is walked once.

    (PostgreSQL: ranked in SQL.) Rows are ``(part, value, record_id, n,
    score, doc)``: a facet value and its count, the total, or a page hit
    (``value`` its kind).
    """
    h = bounded.c
    none_text = null().cast(String)
    none_float = null().cast(Float)
    none_int = null().cast(Integer)
    parts: list[Any] = [
        select(
            literal(_TOTAL).label("part"),
            none_text.label("value"),
            none_text.label("record_id"),
            counted.label("n"),
            none_float.label("score"),
            none_int.label("doc"),
        )
    ]
    best = (
        select(h.kind, h.record_id, h.score, h.doc)
        .select_from(bounded)
        .order_by(h.score.desc(), h.doc)
        .limit(limit)
        .offset(offset)
        .subquery("best")
    )
    parts.append(
        select(
            literal(_PAGE).label("part"),
            best.c.kind,
            best.c.record_id,
            none_int,
            best.c.score,
            best.c.doc,
        )
    )
    if facets:
        parts += [
            select(
                literal(name).label("part"),
                h[name],
                none_text,
                func.count(),
                none_float,
                none_int,
            )
            .where(h[name].is_not(None))
            .group_by(h[name])
            for name in FACETS
            if name != "topic"
        ]
        parts.append(
            select(
                literal("topic").label("part"),
                ReportTopicRow.topic,
                none_text,
                func.count(),
                none_float,
                none_int,
            )
            .select_from(bounded)
            .join(ReportTopicRow, ReportTopicRow.report_id == h.record_id)
            .where(h.kind == REPORT)
            .group_by(ReportTopicRow.topic)
        )
    return union_all(*parts)


def narrowing(f: SearchFilter, wanted: list[str], *, combine: bool = False) -> list[list[str]]:
    """The filter words every document passing ``f`` carries: all of the groups, one of each.

    Only a hint to the full-text walk (:mod:`tabadul.search.facets`; ``run``'s
    own ``facets`` is the counting of values, a different thing): the
    filters themselves are still checked on the records' rows. ``kindreport``
    is left out: most documents are reports, so it would narrow nothing.
    With ``combine``, two or three of topic, TLP and months are narrowed by
    their combined words (one short list per month instead of three long ones).
    """
    groups: list[list[str]] = []
    if wanted == [ENTITY]:
        groups.append(["kindentity"])
    dates = date_words(f.date_from, f.date_to)
    together, topic_in, tlp_in, dates_in = (
        combined(f.topic, f.tlp, dates) if combine else ([], False, False, False)
    )
    if together:
        groups.append(together)
    for field_name, value, covered in (
        ("topic", f.topic, topic_in),
        ("status", f.status, False),
        ("tlp", f.tlp, tlp_in),
        ("orig", f.originator, False),
        ("lang", f.language, False),
        ("schema", f.schema, False),
    ):
        if value is not None and not covered:
            groups.append([word(field_name, value)])
    if f.classification is not None:
        # An entity's classification follows its reports without a re-index: not narrowed.
        group = [word("cls", f.classification)]
        groups.append(group + (["kindentity"] if ENTITY in wanted else []))
    if dates is not None and not dates_in:
        groups.append(dates)
    return groups


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


def _top(counted: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Each facet's most frequent values, at most :data:`FACET_SIZE`."""
    return {
        name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])
        for name, values in counted.items()
    }
