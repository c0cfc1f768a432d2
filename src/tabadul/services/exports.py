"""Exporting a node: every entity, then every version of every report, as JSON Lines.

The lines are the ones :mod:`tabadul.services.imports` reads, so an export
imported into a fresh node gives the same reports and entities (ids and
version history included). Rows are streamed, so memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from tabadul.model.entities import RELATIONSHIP_SCHEMATA
from tabadul.services.node import Node
from tabadul.storage import entities as entity_store
from tabadul.storage import reports as report_store
from tabadul.storage.tables import EntityRow, ReportVersionRow


def export_lines(node: Node) -> Iterator[str]:
    """Every entity, then every version of every report, as JSON Lines (streamed)."""
    with node.db.reading() as session:
        relationships: list[str] = []
        for row in entity_store.all_entities(session):
            if row.schema in RELATIONSHIP_SCHEMATA:
                relationships.append(row.id)
                continue
            yield _dumps(_entity_line(row))
        # Relationships point at other entities, so they come after them all.
        for start in range(0, len(relationships), 500):
            rows = entity_store.get_many(session, relationships[start : start + 500])
            for entity_id in relationships[start : start + 500]:
                yield _dumps(_entity_line(rows[entity_id]))
        originators: dict[str, str] = {}
        chunk: list[ReportVersionRow] = []
        for version in report_store.all_versions(session):
            chunk.append(version)
            if len(chunk) >= 500:
                yield from _report_lines(session, chunk, originators)
                chunk = []
        yield from _report_lines(session, chunk, originators)


def _report_lines(
    session: Session, versions: list[ReportVersionRow], originators: dict[str, str]
) -> Iterator[str]:
    if not versions:
        return
    originators.clear()
    originators.update(report_store.originators(session, list({v.report_id for v in versions})))
    mentions: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for m in report_store.mentions_of(session, [(v.report_id, v.version) for v in versions]):
        mention: dict[str, Any] = {"entity": m.entity_id}
        if m.start is not None:
            mention.update(start=m.start, end=m.end)
        mentions.setdefault((m.report_id, m.version), []).append(mention)
    for v in versions:
        yield _dumps(
            {
                "id": v.report_id,
                "version": v.version,
                "status": v.status,
                "originator": originators[v.report_id],
                "recorded_at": v.recorded_at.isoformat(),
                "title": v.title,
                "body": v.body,
                "language": v.language,
                "topics": v.topics,
                "date_of_information": v.date_of_information.isoformat()
                if v.date_of_information
                else None,
                "classification": v.classification,
                "handling": v.handling,
                "grading": v.grading,
                "nature": v.nature,
                "review_by": v.review_by.isoformat(),
                "note": v.note,
                "mentions": mentions.get((v.report_id, v.version), []),
            }
        )


def _entity_line(row: EntityRow) -> dict[str, Any]:
    line: dict[str, Any] = {"id": row.id, "schema": row.schema, "properties": row.properties}
    if row.category is not None:
        line["category"] = row.category
    return line


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_lines(handle: IO[str]) -> Iterator[str]:
    """Lines of a text file, without their line ends (streamed)."""
    for line in handle:
        yield line.rstrip("\n")
