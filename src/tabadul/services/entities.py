"""Entity use cases: read one entity with the reports that mention it, list entities.

An entity carries the strictest protection of the reports that mention it
(or its own, when recorded independently); the access policy decides on it
like on any report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.audit import events as ev
from tabadul.errors import NotFound, PermissionDenied, ValidationFailed
from tabadul.model.entities import schema_of
from tabadul.model.protection import Protection
from tabadul.schemas.common import Page
from tabadul.schemas.entities import EntityOut
from tabadul.services import auditing
from tabadul.services.node import Node
from tabadul.storage import entities as store
from tabadul.storage import protection
from tabadul.storage import reports as report_store
from tabadul.storage.tables import EntityRow

MAX_PAGE = 200


def get(node: Node, actor: Principal, entity_id: str, purpose: str | None = None) -> EntityOut:
    """One entity in FtM form, with the reports (that the actor may read) mentioning it."""
    _require(node, actor, f"entity:{entity_id}")
    stated = auditing.purpose_of(purpose)
    with node.db.reading() as session:
        found = visible_entities(session, node, actor, [entity_id])
        if not found:
            error = NotFound(f"no entity {entity_id}")
            raise auditing.refusal(node, actor, "read", f"entity:{entity_id}", error)
        seen = node.policy.visibility(actor)
        visible = protection.reports_visible(seen.levels, seen.compartments)
        out = found[0]
        out.reports = store.reports_mentioning(session, [entity_id], visible)[entity_id]
    auditing.record(
        node, ev.EntityViewed(actor=auditing.actor_of(actor), purpose=stated, entity_id=entity_id)
    )
    return out


def list_entities(
    node: Node,
    actor: Principal,
    limit: int = 50,
    cursor: str | None = None,
    schema: str | None = None,
    purpose: str | None = None,
) -> Page[EntityOut]:
    """A page of the entities the actor may read, in id order, optionally of one schema."""
    _require(node, actor)
    stated = auditing.purpose_of(purpose)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    if schema is not None:
        schema = schema_of(schema).name
    with node.db.reading() as session:
        rows = store.page(session, limit + 1, cursor, visible_condition(node, actor), schema)
        labels = protection.entity_labels(session, [r.id for r in rows[:limit]])
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    items = [to_out(r, labels[r.id][1]) for r in rows[:limit]]
    auditing.record(
        node,
        ev.EntitiesListed(
            actor=auditing.actor_of(actor), purpose=stated, shown=tuple(e.id for e in items)
        ),
    )
    return Page[EntityOut](items=items, next=next_cursor)


def visible_condition(node: Node, actor: Principal) -> ColumnElement[bool]:
    """The policy's need-to-know rule for entities, as a SQL condition."""
    seen = node.policy.visibility(actor)
    return protection.entities_visible(seen.levels, seen.compartments)


def visible_entities(
    session: Session, node: Node, actor: Principal, ids: Iterable[str]
) -> list[EntityOut]:
    """The stored entities among ``ids`` that the actor may read, as served."""
    wanted = list(ids)
    labels = protection.entity_labels(session, wanted)
    allowed = [
        entity_id
        for entity_id, (level, compartments) in labels.items()
        if node.policy.can(
            actor, Action.READ, Resource(Kind.ENTITY, Protection(level, compartments))
        )
    ]
    rows = store.get_many(session, allowed)
    return [to_out(rows[e], labels[e][1]) for e in wanted if e in rows]


def to_out(row: EntityRow, compartments: frozenset[str]) -> EntityOut:
    """An entity row as served."""
    return EntityOut(
        id=row.id,
        schema_=row.schema,
        properties=row.properties,
        caption=row.caption,
        category=row.category,
        classification=row.classification,
        compartments=sorted(compartments),
        independent=row.independent,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _require(node: Node, actor: Principal, record: str | None = None) -> None:
    if not node.policy.allows_role(actor, Action.READ, Kind.ENTITY):
        error = PermissionDenied(f"the {actor.role.value} role may not read entities")
        raise auditing.refusal(node, actor, "read", record, error)


@dataclass(frozen=True)
class ReportMention:
    """A report that mentions an entity, as the entity's profile lists it."""

    id: str
    title: str
    date_of_information: dt.date | None
    recorded_at: dt.datetime
    classification: str
    status: str


@dataclass(frozen=True)
class Link:
    """A relationship of the entity: the relationship itself and the entity at its other end."""

    relationship: EntityOut
    other: EntityOut
    outgoing: bool


@dataclass(frozen=True)
class Profile:
    """Everything an entity's page shows, already filtered by the access policy."""

    entity: EntityOut
    reports: list[ReportMention]
    links: list[Link]


def profile(node: Node, actor: Principal, entity_id: str, purpose: str | None = None) -> Profile:
    """An entity with the reports that mention it (a timeline) and its relationships."""
    entity = get(node, actor, entity_id, purpose)  # checks, refuses and audits as a consultation
    with node.db.reading() as session:
        rows = report_store.summaries(session, entity.reports or [])
        ends = store.neighbours(session, [entity_id])
        wanted = (
            {e.relationship_id for e in ends}
            | {e.source_id for e in ends}
            | {e.target_id for e in ends}
        )
        seen = {e.id: e for e in visible_entities(session, node, actor, wanted)}
    reports = [ReportMention(*row) for row in rows]
    reports.sort(key=lambda r: r.date_of_information or r.recorded_at.date(), reverse=True)
    links = []
    for end in ends:
        outgoing = end.source_id == entity_id
        other_id = end.target_id if outgoing else end.source_id
        if end.relationship_id in seen and other_id in seen:
            links.append(Link(seen[end.relationship_id], seen[other_id], outgoing))
    return Profile(entity, reports, links)


def graph(
    node: Node, actor: Principal, entity_id: str, purpose: str | None = None
) -> dict[str, list[dict[str, str]]]:
    """An entity and its visible neighbours as nodes and edges, for the link chart."""
    found = profile(node, actor, entity_id, purpose)
    nodes = {
        found.entity.id: {
            "id": found.entity.id,
            "label": found.entity.caption,
            "schema": found.entity.schema_,
        }
    }
    edges = []
    for link in found.links:
        other = link.other
        nodes[other.id] = {"id": other.id, "label": other.caption, "schema": other.schema_}
        source, target = (entity_id, other.id) if link.outgoing else (other.id, entity_id)
        edges.append(
            {
                "id": link.relationship.id,
                "source": source,
                "target": target,
                "label": link.relationship.caption
                if link.relationship.caption != link.relationship.schema_
                else link.relationship.schema_,
            }
        )
    return {"nodes": list(nodes.values()), "edges": edges}
