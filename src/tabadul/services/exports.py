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

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.audit import events as ev
from tabadul.errors import PermissionDenied
from tabadul.model.protection import Protection
from tabadul.services import auditing
from tabadul.services.node import Node
from tabadul.storage import entities as entity_store
from tabadul.storage import protection
from tabadul.storage import reports as report_store
from tabadul.storage.tables import EntityRow, ReportVersionRow


def export_lines(
    node: Node, actor: Principal | None = None, purpose: str | None = None
) -> Iterator[str]:
    """Every entity, then every version of every report, as JSON Lines (streamed).

    With ``actor``, only what the access policy lets that person read: the
    export of an analyst holds nothing the analyst could not open. An export
    needs a stated purpose and is logged before the first line is written.
    """
    stated = auditing.purpose_of(purpose)
    if actor is not None and not node.policy.allows_role(actor, Action.READ, Kind.REPORT):
        error = PermissionDenied(f"the {actor.role.value} role may not export intelligence")
        raise auditing.refusal(node, actor, "export", None, error)
    entities_seen = reports_seen = None
    if actor is not None:
        seen = node.policy.visibility(actor)
        entities_seen = protection.entities_visible(seen.levels, seen.compartments)
        reports_seen = protection.reports_visible(seen.levels, seen.compartments)
    with node.db.reading() as session:
        counts = (
            report_store.count(session, reports_seen),
            entity_store.count(session, entities_seen),
        )
    auditing.record(
        node,
        ev.DataExported(
            actor=auditing.actor_of(None),
            purpose=stated,
            reports=counts[0],
            entities=counts[1],
            on_behalf_of=actor.username if actor else None,
        ),
    )
    with node.db.reading() as session:
        # Relationships point at other entities, so they come after all the others.
        for relationships in (False, True):
            for row in entity_store.all_entities(session, relationships, entities_seen):
                compartments = (
                    protection.entity_labels(session, [row.id])[row.id][1]
                    if row.independent
                    else frozenset()
                )
                yield _dumps(_entity_line(row, compartments))
        originators: dict[str, str] = {}
        chunk: list[ReportVersionRow] = []
        for version in report_store.all_versions(session, reports_seen):
            if actor is not None and not _version_readable(node, actor, version):
                continue  # an earlier version may have been labelled more strictly
            chunk.append(version)
            if len(chunk) >= 500:
                yield from _report_lines(session, chunk, originators)
                chunk = []
        yield from _report_lines(session, chunk, originators)


def _version_readable(node: Node, actor: Principal, version: ReportVersionRow) -> bool:
    label = Protection(version.classification, frozenset(version.compartments))
    return node.policy.can(actor, Action.READ, Resource(Kind.REPORT, label))


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
                "compartments": v.compartments,
                "handling": v.handling,
                "grading": v.grading,
                "nature": v.nature,
                "review_by": v.review_by.isoformat(),
                "note": v.note,
                "mentions": mentions.get((v.report_id, v.version), []),
            }
        )


def _entity_line(row: EntityRow, compartments: frozenset[str]) -> dict[str, Any]:
    line: dict[str, Any] = {"id": row.id, "schema": row.schema, "properties": row.properties}
    if row.category is not None:
        line["category"] = row.category
    if row.independent:  # otherwise its protection comes from the reports that mention it
        line["classification"] = row.classification
        line["compartments"] = sorted(compartments)
    return line


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_lines(handle: IO[str]) -> Iterator[str]:
    """Lines of a text file, without their line ends (streamed)."""
    for line in handle:
        yield line.rstrip("\n")
