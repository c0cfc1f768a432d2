"""Protection in the database: reading labels, keeping entities' labels current, filtering lists.

The rule itself lives in ``tabadul.access.policy``; this module only turns
what the policy says a principal may see (a set of levels and a set of
compartments) into SQL, and keeps each entity's effective protection — the
strictest of the reports that mention it — up to date when reports change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from sqlalchemy import ColumnElement, and_, bindparam, delete, exists, not_, select, update
from sqlalchemy.orm import Session

from tabadul.storage.tables import (
    EntityCompartmentRow,
    EntityRow,
    MentionRow,
    ReportCompartmentRow,
    ReportRow,
    table,
)

Label = tuple[str, frozenset[str]]


def report_labels(session: Session, ids: Iterable[str]) -> dict[str, Label]:
    """The classification and compartments of each existing report among ``ids``."""
    wanted = list(set(ids))
    labels: dict[str, tuple[str, set[str]]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(ReportRow.id, ReportRow.classification, ReportCompartmentRow.compartment)
            .outerjoin(ReportCompartmentRow, ReportCompartmentRow.report_id == ReportRow.id)
            .where(ReportRow.id.in_(chunk))
        )
        for report_id, level, compartment in rows:
            entry = labels.setdefault(report_id, (level, set()))
            if compartment is not None:
                entry[1].add(compartment)
    return {k: (level, frozenset(c)) for k, (level, c) in labels.items()}


def entity_labels(session: Session, ids: Iterable[str]) -> dict[str, Label]:
    """The effective classification and compartments of each existing entity among ``ids``."""
    wanted = list(set(ids))
    labels: dict[str, tuple[str, set[str]]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(EntityRow.id, EntityRow.classification, EntityCompartmentRow.compartment)
            .outerjoin(EntityCompartmentRow, EntityCompartmentRow.entity_id == EntityRow.id)
            .where(EntityRow.id.in_(chunk))
        )
        for entity_id, level, compartment in rows:
            entry = labels.setdefault(entity_id, (level, set()))
            if compartment is not None:
                entry[1].add(compartment)
    return {k: (level, frozenset(c)) for k, (level, c) in labels.items()}


def set_entity_labels(session: Session, labels: dict[str, Label]) -> None:
    """Store effective protections (classification and compartments) of entities."""
    if not labels:
        return
    session.execute(
        update(table(EntityRow))
        .where(table(EntityRow).c.id == bindparam("entity"))
        .values(classification=bindparam("level")),
        [{"entity": entity_id, "level": level} for entity_id, (level, _) in labels.items()],
    )
    ids = list(labels)
    for start in range(0, len(ids), 500):
        session.execute(
            delete(EntityCompartmentRow).where(
                EntityCompartmentRow.entity_id.in_(ids[start : start + 500])
            )
        )
    rows = [
        {"entity_id": entity_id, "compartment": c}
        for entity_id, (_, compartments) in labels.items()
        for c in sorted(compartments)
    ]
    if rows:
        session.execute(table(EntityCompartmentRow).insert(), rows)


def add_entity_compartments(session: Session, compartments: dict[str, list[str]]) -> None:
    """Give new entities their compartments (one statement for the batch)."""
    rows = [
        {"entity_id": entity_id, "compartment": c}
        for entity_id, groups in compartments.items()
        for c in groups
    ]
    if rows:
        session.execute(table(EntityCompartmentRow).insert(), rows)


def refresh_entities(
    session: Session, entity_ids: Collection[str], rank: Callable[[str], int]
) -> None:
    """Give every dependent entity among ``entity_ids`` the strictest label of its reports.

    Only reports' current versions count. An entity no current version
    mentions keeps the label it had; independent entities keep their own.
    """
    wanted = list(set(entity_ids))
    strictest: dict[str, tuple[str, set[str]]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(MentionRow.entity_id, ReportRow.classification, ReportCompartmentRow.compartment)
            .join(
                ReportRow,
                and_(ReportRow.id == MentionRow.report_id, ReportRow.version == MentionRow.version),
            )
            .join(EntityRow, EntityRow.id == MentionRow.entity_id)
            .outerjoin(ReportCompartmentRow, ReportCompartmentRow.report_id == ReportRow.id)
            .where(MentionRow.entity_id.in_(chunk), EntityRow.independent.is_(False))
        )
        for entity_id, level, compartment in rows:
            current = strictest.get(entity_id)
            if current is None or rank(level) > rank(current[0]):
                strictest[entity_id] = (level, current[1] if current else set())
            if compartment is not None:
                strictest[entity_id][1].add(compartment)
    set_entity_labels(session, {k: (lvl, frozenset(c)) for k, (lvl, c) in strictest.items()})


def reports_visible(levels: Collection[str], compartments: Collection[str]) -> ColumnElement[bool]:
    """SQL: the report's level is among ``levels`` and no compartment is outside."""
    outside = select(ReportCompartmentRow.report_id).where(
        ReportCompartmentRow.report_id == ReportRow.id,
        ReportCompartmentRow.compartment.not_in(list(compartments)),
    )
    return and_(ReportRow.classification.in_(list(levels)), not_(exists(outside)))


def entities_visible(levels: Collection[str], compartments: Collection[str]) -> ColumnElement[bool]:
    """SQL: the entity's effective level is among ``levels`` and no compartment is outside."""
    outside = select(EntityCompartmentRow.entity_id).where(
        EntityCompartmentRow.entity_id == EntityRow.id,
        EntityCompartmentRow.compartment.not_in(list(compartments)),
    )
    return and_(EntityRow.classification.in_(list(levels)), not_(exists(outside)))
