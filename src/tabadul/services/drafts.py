"""Turning a report as sent (API body or import line) into checked rows, in three steps.

1. :func:`draft` checks one report against the model's rules without touching
   the database: handling, grading, classification, topics, language,
   entities (FollowTheMoney), mention spans.
2. :func:`resolve` looks up, for a whole batch at once, the entities that
   mentions and relationships refer to by id, and checks each reference.
3. :func:`add_to_batch` turns the drafts into rows for one bulk insert.

Recording one report through the API and importing a million go through the
same steps; only the batch size differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tabadul.errors import ErrorDetail, ValidationFailed
from tabadul.model.entities import CleanEntity, check_reference_range, clean_entity
from tabadul.model.grading import Grading
from tabadul.model.handling import Classification, Handling
from tabadul.model.ids import new_id
from tabadul.model.language import clean_language, detect_language
from tabadul.model.protection import clean_compartments
from tabadul.model.reports import (
    Mention,
    Nature,
    ReportContent,
    ReportStatus,
    check_mentions,
    clean_topics,
    review_date,
)
from tabadul.schemas.entities import EntityIn
from tabadul.schemas.reports import ReportIn
from tabadul.search import documents as search_documents
from tabadul.services import correlation
from tabadul.services.node import Node
from tabadul.storage import entities as entity_store
from tabadul.storage import protection
from tabadul.storage import reports as report_store
from tabadul.storage.reports import ReportBatch


@dataclass(frozen=True)
class Rules:
    """What checking a report needs to know about the node (small enough to send to a process)."""

    node_id: str
    classification: Classification
    review_period_years: int
    phone_region: str | None

    @classmethod
    def of(cls, node: Node) -> Rules:
        """The rules of an opened node."""
        return cls(
            node.identity.id,
            node.classification,
            node.settings.review_period_years,
            node.identity.country,
        )


@dataclass
class Draft:
    """One checked report version, with the entities it brings and the mentions it makes."""

    report_id: str
    version: int
    content: ReportContent
    originator: str
    recorded_at: dt.datetime
    recorded_by: int | None
    note: str | None
    # Entities sent with the report: (stored id, entity); local references map to them.
    entities: list[tuple[str, CleanEntity]] = field(default_factory=list)
    local_ids: dict[str, str] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)


def draft(
    rules: Rules,
    item: ReportIn,
    *,
    report_id: str | None = None,
    version: int = 1,
    status: str | None = None,
    recorded_at: dt.datetime,
    recorded_by: int | None,
    originator: str | None = None,
    note: str | None = None,
) -> Draft:
    """Check a report against the model's rules; every problem names its field."""
    problems: list[ErrorDetail] = []
    content = _content(rules, item, status or item.status, recorded_at, problems)
    entities, local_ids = _entities(rules, item.entities, problems)
    mentions = [Mention(m.entity, m.start, m.end) for m in item.mentions]
    # Every entity sent with a report belongs to it, even without a span in the body.
    mentioned = {m.entity for m in mentions}
    mentions.extend(Mention(ref) for ref in local_ids if ref not in mentioned)
    if content is not None:
        try:
            check_mentions(mentions, content.body)
        except ValidationFailed as exc:
            problems.extend(exc.details)
    if problems or content is None:
        raise ValidationFailed("; ".join(f"{p.field}: {p.message}" for p in problems), problems)
    return Draft(
        report_id=report_id or new_id(),
        version=version,
        content=content,
        originator=originator or rules.node_id,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        note=note,
        entities=entities,
        local_ids=local_ids,
        mentions=mentions,
    )


def _content(
    rules: Rules,
    item: ReportIn,
    status: str,
    recorded_at: dt.datetime,
    problems: list[ErrorDetail],
) -> ReportContent | None:
    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationFailed as exc:
            problems.extend(exc.details)
            return None

    h = item.handling
    handling = attempt(Handling.build, h.tlp, h.codes, h.restrictions, h.originator_control)
    grading = (
        attempt(Grading.build, item.grading.scheme, item.grading.source, item.grading.information)
        if item.grading is not None
        else Grading.ungraded()
    )
    classification = attempt(
        rules.classification.parse, item.classification or rules.classification.lowest
    )
    topics = attempt(clean_topics, item.topics)
    compartments = attempt(clean_compartments, item.compartments)
    if item.language is not None:
        language = attempt(clean_language, item.language)
    else:
        language = detect_language(f"{item.title}\n{item.body}")
    review_by = item.review_by or review_date(recorded_at.date(), rules.review_period_years)
    if None in (handling, grading, classification, topics, compartments, language):
        return None
    try:
        return ReportContent(
            title=item.title,
            body=item.body,
            language=language,
            topics=topics,
            date_of_information=item.date_of_information,
            classification=classification,
            compartments=compartments,
            handling=handling,
            grading=grading,
            nature=Nature(item.nature),
            review_by=review_by,
            status=ReportStatus(status),
        )
    except ValidationFailed as exc:
        problems.extend(exc.details)
        return None


def _entities(
    rules: Rules, items: Sequence[EntityIn], problems: list[ErrorDetail]
) -> tuple[list[tuple[str, CleanEntity]], dict[str, str]]:
    entities: list[tuple[str, CleanEntity]] = []
    local_ids: dict[str, str] = {}
    for i, item in enumerate(items):
        if item.id in local_ids:
            problems.append(ErrorDetail(f"entities.{i}.id", f"{item.id!r} is used twice"))
            continue
        if item.classification is not None or item.compartments is not None:
            problems.append(
                ErrorDetail(
                    f"entities.{i}",
                    "entities sent with a report take its protection; label the report instead",
                )
            )
            continue
        try:
            entity = clean_entity(
                item.schema_, item.properties, item.category, phone_region=rules.phone_region
            )
        except ValidationFailed as exc:
            problems.extend(exc.prefixed(f"entities.{i}").details)
            continue
        stored_id = new_id()
        local_ids[item.id] = stored_id
        entities.append((stored_id, entity))
    return entities, local_ids


def resolve(session: Session, drafts: Sequence[Draft]) -> dict[int, ValidationFailed]:
    """Point every mention and relationship at a stored id; returns problems by draft index.

    A reference is first read as one of the report's own entities, then as
    the id of an entity already stored.
    """
    wanted: set[str] = set()
    for d in drafts:
        wanted.update(m.entity for m in d.mentions if m.entity not in d.local_ids)
        for _, entity in d.entities:
            for refs in entity.references.values():
                wanted.update(r for r in refs if r not in d.local_ids)
    stored = entity_store.schemata(session, wanted)

    failures: dict[int, ValidationFailed] = {}
    for index, d in enumerate(drafts):
        problems: list[ErrorDetail] = []
        own = {stored_id: e.schema for stored_id, e in d.entities}
        known = {**stored, **own}
        resolved_mentions = []
        for i, m in enumerate(d.mentions):
            target = d.local_ids.get(m.entity, m.entity)
            if target not in known:
                problems.append(
                    ErrorDetail(
                        f"mentions.{i}.entity", f"no entity {m.entity!r} in the report or the node"
                    )
                )
                continue
            resolved_mentions.append(Mention(target, m.start, m.end))
        resolved_entities = []
        for position, (stored_id, entity) in enumerate(d.entities):
            properties = dict(entity.properties)
            for prop, refs in entity.references.items():
                targets = []
                for j, ref in enumerate(refs):
                    target = d.local_ids.get(ref, ref)
                    path = f"entities.{position}.properties.{prop}.{j}"
                    if target not in known:
                        problems.append(
                            ErrorDetail(path, f"no entity {ref!r} in the report or the node")
                        )
                        continue
                    reason = check_reference_range(entity.schema, prop, known[target])
                    if reason is not None:
                        problems.append(ErrorDetail(path, reason))
                        continue
                    targets.append(target)
                properties[prop] = targets
            resolved_entities.append(
                (stored_id, CleanEntity(entity.schema, properties, entity.category))
            )
        if problems:
            failures[index] = ValidationFailed(
                "; ".join(f"{p.field}: {p.message}" for p in problems), problems
            )
            continue
        d.mentions = resolved_mentions
        d.entities = resolved_entities
    return failures


def add_to_batch(
    d: Draft, batch: ReportBatch, entity_rows: list[dict[str, Any]], *, new: bool
) -> None:
    """Add a resolved draft's rows to ``batch`` (and its new entities to ``entity_rows``)."""
    c = d.content
    current = {
        "version": d.version,
        "status": c.status.value,
        "classification": c.classification,
        "tlp": c.handling.tlp.value,
        "date_of_information": c.date_of_information,
        "review_by": c.review_by,
        "updated_at": d.recorded_at,
    }
    if new:
        batch.reports.append(
            {
                "id": d.report_id,
                "originator": d.originator,
                "recorded_at": d.recorded_at,
                "recorded_by": d.recorded_by,
                **current,
            }
        )
    else:
        batch.updates[d.report_id] = current
    batch.versions.append(
        {
            "report_id": d.report_id,
            "version": d.version,
            "status": c.status.value,
            "title": c.title,
            "body": c.body,
            "language": c.language,
            "topics": list(c.topics),
            "date_of_information": c.date_of_information,
            "classification": c.classification,
            "compartments": sorted(c.compartments),
            "handling": c.handling.to_dict(),
            "grading": c.grading.to_dict(),
            "nature": c.nature.value,
            "review_by": c.review_by,
            "note": d.note,
            "recorded_at": d.recorded_at,
            "recorded_by": d.recorded_by,
        }
    )
    batch.topics[d.report_id] = list(c.topics)
    batch.compartments[d.report_id] = sorted(c.compartments)
    batch.mentions.extend(
        {
            "report_id": d.report_id,
            "version": d.version,
            "entity_id": m.entity,
            "start": m.start,
            "end": m.end,
        }
        for m in d.mentions
    )
    for stored_id, entity in d.entities:
        entity_rows.append(
            entity_row(stored_id, entity, d.recorded_at, d.recorded_by, c.classification)
        )


def write(
    session: Session, batch: ReportBatch, entity_rows: list[dict[str, Any]], rules: Rules
) -> None:
    """Store a batch and bring the protection of every entity it touches up to date."""
    previous = [(report_id, int(v["version"]) - 1) for report_id, v in batch.updates.items()]
    new = {row["id"] for row in entity_rows}
    # Entities sent with a report are new and named by that report alone: its label is
    # theirs (the classification is in the row; the compartments follow). Entities named
    # by id, or by the version a report replaces, are recomputed from all their reports.
    touched = {m["entity_id"] for m in batch.mentions} - new
    touched |= {m.entity_id for m in report_store.mentions_of(session, previous)}
    entity_store.insert(session, entity_rows)
    report_store.store(session, batch)
    protection.add_entity_compartments(
        session,
        {
            m["entity_id"]: batch.compartments.get(m["report_id"], [])
            for m in batch.mentions
            if m["entity_id"] in new
        },
    )
    protection.refresh_entities(session, touched, rules.classification.rank)
    # Indexed by a worker after commit; labels are read live, so only new text is queued.
    search_documents.enqueue(
        session, (v["report_id"] for v in batch.versions), (row["id"] for row in entity_rows)
    )
    # Every entity a report brings or names is correlated again, in this transaction's job.
    report_ids = {m["report_id"] for m in batch.mentions}
    correlation.enqueue(
        session,
        new | {m["entity_id"] for m in batch.mentions},
        next(iter(report_ids)) if len(report_ids) == 1 else None,
    )


def entity_row(
    entity_id: str,
    entity: CleanEntity,
    when: dt.datetime,
    by: int | None,
    classification: str,
    *,
    independent: bool = False,
) -> dict[str, Any]:
    """The row of a new entity (its compartments are rows of their own)."""
    return {
        "id": entity_id,
        "schema": entity.schema,
        "properties": entity.properties,
        "caption": entity.caption()[:500],
        "category": entity.category.value if entity.category else None,
        "created_at": when,
        "created_by": by,
        "updated_at": when,
        "classification": classification,
        "independent": independent,
    }
