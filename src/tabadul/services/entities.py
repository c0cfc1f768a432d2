"""Entity use cases: read one entity with the reports that mention it, list entities."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.errors import NotFound, PermissionDenied, ValidationFailed
from tabadul.model.entities import schema_of
from tabadul.schemas.common import Page
from tabadul.schemas.entities import EntityOut
from tabadul.services.node import Node
from tabadul.storage import entities as store
from tabadul.storage.tables import EntityRow

MAX_PAGE = 200
ENTITY = Resource(Kind.ENTITY)


def get(node: Node, actor: Principal, entity_id: str) -> EntityOut:
    """One entity in FtM form, with the reports whose current version mentions it."""
    _require(node, actor)
    with node.db.reading() as session:
        row = store.get(session, entity_id)
        if row is None:
            raise NotFound(f"no entity {entity_id}")
        out = to_out(row)
        out.reports = store.reports_mentioning(session, [entity_id])[entity_id]
        return out


def list_entities(
    node: Node,
    actor: Principal,
    limit: int = 50,
    cursor: str | None = None,
    schema: str | None = None,
) -> Page[EntityOut]:
    """A page of entities in id order, optionally of one schema."""
    _require(node, actor)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    if schema is not None:
        schema = schema_of(schema).name
    with node.db.reading() as session:
        rows = store.page(session, limit + 1, cursor, schema)
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return Page[EntityOut](items=[to_out(r) for r in rows[:limit]], next=next_cursor)


def entity_outs(session: Session, ids: Iterable[str]) -> list[EntityOut]:
    """The stored entities among ``ids``, as served."""
    return [to_out(row) for row in store.get_many(session, ids).values()]


def to_out(row: EntityRow) -> EntityOut:
    """An entity row as served."""
    return EntityOut(
        id=row.id,
        schema_=row.schema,
        properties=row.properties,
        caption=row.caption,
        category=row.category,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _require(node: Node, actor: Principal) -> None:
    if not node.policy.can(actor, Action.READ, ENTITY):
        raise PermissionDenied(f"the {actor.role.value} role may not read entities")
