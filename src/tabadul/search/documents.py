"""The indexed form of records: building documents from reports and entities, and writing them.

A report's document is its current version's title, body and note in the
report's language, plus the script-neutral forms of the names its mention
spans cover (the report's own text, so nothing beyond it is revealed).

An entity's document is every spelling of every name (FollowTheMoney
``name`` properties and the parts of a person's name) plus its identifiers,
phones, e-mails and addresses, with the name engine's script-neutral forms
of each name in the ``names`` column, so that a Latin query finds an Arabic
name and the other way round.

Protection is deliberately not relied on here: every query joins the
records' own labels, so a label that changes needs no re-indexing and an
index job that runs late can never show something too widely. A report's
filterable values are also written as words (:mod:`tabadul.search.facets`),
only to narrow the walk; the live labels still decide.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from tabadul.model.entities import schema_of
from tabadul.names import comparable_tokens
from tabadul.search import facets
from tabadul.search.analysis import analyse
from tabadul.storage import jobs
from tabadul.storage.reports import mentions_of
from tabadul.storage.tables import (
    EntityRow,
    ReportRow,
    ReportTopicRow,
    ReportVersionRow,
    SearchDocumentRow,
    table,
)

REPORT = "report"
ENTITY = "entity"
KINDS = (REPORT, ENTITY)
CHUNK = 500
# Parts of a person's name that FtM types as plain strings.
NAME_PARTS = frozenset(
    {"firstName", "lastName", "middleName", "fatherName", "motherName", "secondName"}
)
# Property types worth finding an entity by, besides its names.
WORD_TYPES = frozenset({"identifier", "phone", "email", "address", "string", "text", "url"})

NameKeys = Callable[[str], list[str]]


def name_keys(name: str) -> list[str]:
    """The name engine's script-neutral tokens of a name ("طارق" and "Tarik" share one)."""
    return list(_name_keys(name))


@lru_cache(maxsize=200_000)
def _name_keys(name: str) -> tuple[str, ...]:
    # Cached: the same names recur across reports, and the name engine's parse is not cheap.
    return tuple(comparable_tokens(name))


@dataclass(frozen=True)
class ReportText:
    """What a report's document is made of (its current version)."""

    id: str
    language: str
    title: str
    body: str
    note: str | None
    # The text of each mention span: names as the report wrote them.
    mentioned: tuple[str, ...] = ()
    # The report's filterable values as words (:mod:`tabadul.search.facets`).
    facets: str = ""


def report_texts(session: Session, ids: Collection[str]) -> dict[str, ReportText]:
    """The current title, body and note of each existing report among ``ids``."""
    found: dict[str, ReportText] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(
                ReportVersionRow.report_id,
                ReportVersionRow.version,
                ReportVersionRow.language,
                ReportVersionRow.title,
                ReportVersionRow.body,
                ReportVersionRow.note,
                ReportRow.status,
                ReportRow.tlp,
                ReportRow.classification,
                ReportRow.originator,
                ReportRow.date_of_information,
            )
            .join(
                ReportRow,
                and_(
                    ReportRow.id == ReportVersionRow.report_id,
                    ReportRow.version == ReportVersionRow.version,
                ),
            )
            .where(ReportRow.id.in_(wanted[start : start + CHUNK]))
        )
        chunk = {r[0]: r for r in rows}
        spans: dict[str, list[str]] = {}
        for m in mentions_of(session, [(r, v[1]) for r, v in chunk.items()]):
            if m.start is not None and m.end is not None:
                spans.setdefault(m.report_id, []).append(chunk[m.report_id][4][m.start : m.end])
        topics: dict[str, list[str]] = {}
        for report_id, topic in session.execute(
            select(ReportTopicRow.report_id, ReportTopicRow.topic).where(
                ReportTopicRow.report_id.in_(list(chunk))
            )
        ):
            topics.setdefault(report_id, []).append(topic)
        for report_id, row in chunk.items():
            _, _, language, title, body, note, status, tlp, classification, originator, day = row
            mentioned = tuple(dict.fromkeys(spans.get(report_id, [])))
            words = facets.report_words(
                language=language,
                status=status,
                tlp=tlp,
                classification=classification,
                originator=originator,
                topics=topics.get(report_id, ()),
                date_of_information=day,
            )
            found[report_id] = ReportText(report_id, language, title, body, note, mentioned, words)
    return found


def report_document(text: ReportText, keys: NameKeys) -> dict[str, Any]:
    """The row indexing one report; the names it mentions also in script-neutral form."""
    parts = [text.title, text.body] + ([text.note] if text.note else [])
    words, stems = analyse("\n".join(parts), text.language).joined()
    forms = (" ".join(keys(name)) for name in text.mentioned)
    return {
        "kind": REPORT,
        "record_id": text.id,
        "language": text.language,
        "words": words,
        "stems": stems,
        "names": " ".join(f for f in forms if f),
        "facets": text.facets,
    }


def entity_texts(entity: EntityRow) -> tuple[list[str], list[str]]:
    """An entity's names (every spelling) and its other searchable values."""
    schema = schema_of(entity.schema)
    names: list[str] = []
    others: list[str] = []
    for prop_name, values in entity.properties.items():
        prop = schema.get(prop_name)
        if prop is None:
            continue
        if prop.type.name == "name" or prop_name in NAME_PARTS:
            names.extend(values)
        elif prop.type.name in WORD_TYPES:
            others.extend(values)
    if entity.caption and entity.caption not in names and entity.caption != entity.schema:
        names.insert(0, entity.caption)
    return list(dict.fromkeys(names)), others


def entity_document(entity: EntityRow, keys: NameKeys) -> dict[str, Any]:
    """The row indexing one entity."""
    names, others = entity_texts(entity)
    # Entities carry no language: Latin words are not stemmed, Arabic ones are.
    words, stems = analyse("\n".join(names + others), None).joined()
    # Each name's forms in order, so a phrase of forms ("trk sd") matches a whole name.
    forms = dict.fromkeys(" ".join(keys(name)) for name in names)
    return {
        "kind": ENTITY,
        "record_id": entity.id,
        "language": "und",
        "words": words,
        "stems": stems,
        "names": " ".join(f for f in forms if f),
        "facets": facets.entity_words(schema=entity.schema),
    }


def write(
    session: Session, kind: str, record_ids: Iterable[str], documents: list[dict[str, Any]]
) -> None:
    """Replace the documents of ``record_ids`` with ``documents`` (none: the records are gone)."""
    ids = list(record_ids)
    for start in range(0, len(ids), CHUNK):
        session.execute(
            delete(SearchDocumentRow).where(
                SearchDocumentRow.kind == kind,
                SearchDocumentRow.record_id.in_(ids[start : start + CHUNK]),
            )
        )
    if documents:
        session.execute(table(SearchDocumentRow).insert(), documents)


def index_reports(session: Session, ids: Collection[str], keys: NameKeys = name_keys) -> int:
    """(Re)index reports by id; returns how many documents were written."""
    texts = report_texts(session, ids)
    write(session, REPORT, ids, [report_document(t, keys) for t in texts.values()])
    return len(texts)


def index_entities(session: Session, ids: Collection[str], keys: NameKeys = name_keys) -> int:
    """(Re)index entities by id; returns how many documents were written."""
    wanted = list(ids)
    rows: list[EntityRow] = []
    for start in range(0, len(wanted), CHUNK):
        rows.extend(
            session.scalars(
                select(EntityRow).where(EntityRow.id.in_(wanted[start : start + CHUNK]))
            )
        )
    write(session, ENTITY, ids, [entity_document(r, keys) for r in rows])
    return len(rows)


INDEX_JOB = "search.index"


def enqueue(session: Session, reports: Iterable[str] = (), entities: Iterable[str] = ()) -> None:
    """Queue the (re)indexing of records in the caller's transaction, with the change itself."""
    payload = {"reports": sorted(set(reports)), "entities": sorted(set(entities))}
    if payload["reports"] or payload["entities"]:
        jobs.enqueue(session, INDEX_JOB, payload, max_attempts=10)


def all_ids(session: Session, kind: str, after: str | None, limit: int) -> list[str]:
    """Ids of every report or entity in id order, a page at a time (for a full re-index)."""
    column = ReportRow.id if kind == REPORT else EntityRow.id
    query = select(column).order_by(column).limit(limit)
    if after is not None:
        query = query.where(column > after)
    return list(session.scalars(query))
