"""Entities in the database. Repository functions never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from tabadul.model.entities import RELATIONSHIP_SCHEMATA, relationship_ends
from tabadul.storage.tables import EntityLinkRow, EntityRow, MentionRow, ReportRow, table


def insert(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new entities in one statement (and the ends of any relationships among them)."""
    if not rows:
        return
    session.execute(table(EntityRow).insert(), list(rows))
    links = [
        {"relationship_id": row["id"], "source_id": source, "target_id": target}
        for row in rows
        if row["schema"] in RELATIONSHIP_SCHEMATA
        for source, target in relationship_ends(row["schema"], row["properties"])
    ]
    if links:
        session.execute(table(EntityLinkRow).insert(), links)


def schemata(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The schema of each existing entity among ``ids``."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    found: dict[str, str] = {}
    # Chunked: SQLite limits the number of bound parameters per statement.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(EntityRow.id, EntityRow.schema).where(EntityRow.id.in_(chunk))
        )
        found.update({entity_id: schema for entity_id, schema in rows})
    return found


def get(session: Session, entity_id: str) -> EntityRow | None:
    """One entity, or None."""
    return session.get(EntityRow, entity_id)


def get_many(session: Session, ids: Iterable[str]) -> dict[str, EntityRow]:
    """The existing entities among ``ids``, by id."""
    wanted = list(set(ids))
    found: dict[str, EntityRow] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            {
                row.id: row
                for row in session.scalars(select(EntityRow).where(EntityRow.id.in_(chunk)))
            }
        )
    return found


def update_properties(session: Session, entity_id: str, values: dict[str, Any]) -> None:
    """Change stored fields of an entity (properties, caption, category, updated_at)."""
    session.execute(update(EntityRow).where(EntityRow.id == entity_id).values(**values))


def reports_mentioning(
    session: Session, entity_ids: Sequence[str], visible: ColumnElement[bool]
) -> dict[str, list[str]]:
    """For each entity, the ``visible`` reports whose current version mentions it (newest first)."""
    if not entity_ids:
        return {}
    query = (
        select(MentionRow.entity_id, MentionRow.report_id)
        .join(
            ReportRow,
            (ReportRow.id == MentionRow.report_id) & (ReportRow.version == MentionRow.version),
        )
        .where(MentionRow.entity_id.in_(list(entity_ids)), visible)
        .distinct()
        .order_by(MentionRow.report_id.desc())
    )
    found: dict[str, list[str]] = {entity_id: [] for entity_id in entity_ids}
    for entity_id, report_id in session.execute(query):
        found[entity_id].append(report_id)
    return found


def page(
    session: Session,
    limit: int,
    after: str | None,
    visible: ColumnElement[bool],
    schema: str | None = None,
) -> list[EntityRow]:
    """The ``visible`` entities ordered by id, after the cursor id ``after``."""
    query = select(EntityRow).where(visible).order_by(EntityRow.id).limit(limit)
    if after is not None:
        query = query.where(EntityRow.id > after)
    if schema is not None:
        query = query.where(EntityRow.schema == schema)
    return list(session.scalars(query))


def all_entities(
    session: Session,
    relationships: bool,
    visible: ColumnElement[bool] | None = None,
    batch_size: int = 1000,
) -> Iterable[EntityRow]:
    """Every entity that is (or is not) a relationship, optionally only ``visible`` ones, by id."""
    kinds = EntityRow.schema.in_(RELATIONSHIP_SCHEMATA)
    query = (
        select(EntityRow)
        .where(kinds if relationships else ~kinds)
        .order_by(EntityRow.id)
        .execution_options(yield_per=batch_size)
    )
    if visible is not None:
        query = query.where(visible)
    for row in session.scalars(query):
        yield row
        session.expunge(row)


def count(session: Session, visible: ColumnElement[bool] | None = None) -> int:
    """How many (``visible``) entities there are."""
    query = select(func.count()).select_from(EntityRow)
    if visible is not None:
        query = query.where(visible)
    return int(session.scalar(query) or 0)


def relink(session: Session, relationship_id: str, schema: str, properties: dict[str, Any]) -> None:
    """Recompute a relationship's ends after its properties changed (an import merge)."""
    session.execute(delete(EntityLinkRow).where(EntityLinkRow.relationship_id == relationship_id))
    links = [
        {"relationship_id": relationship_id, "source_id": s, "target_id": t}
        for s, t in relationship_ends(schema, properties)
    ]
    if links:
        session.execute(table(EntityLinkRow).insert(), links)


def neighbours(session: Session, entity_ids: Sequence[str]) -> list[EntityLinkRow]:
    """Relationship ends touching any of ``entity_ids``."""
    if not entity_ids:
        return []
    ids = list(entity_ids)
    query = select(EntityLinkRow).where(
        or_(EntityLinkRow.source_id.in_(ids), EntityLinkRow.target_id.in_(ids))
    )
    return list(session.scalars(query))
