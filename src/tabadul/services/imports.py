"""Importing JSON Lines: reports (the API's format) and FollowTheMoney entities.

A file mixes two kinds of line, told apart by their keys:

- an **entity** line is FtM JSON (``{"id", "schema", "properties"}``, plus
  ``category`` for persons); an entity whose id is already stored has the new
  values merged in;
- a **report** line is the API's report format plus ``id``, ``version``,
  ``status``, ``originator``, ``recorded_at`` and ``note``; each version of a
  report is its own line, oldest first.

Entities must come before the reports that mention them (the export writes
them so). The import is one transaction: a bad line stops it with the number
of the first bad line and the reason, and the database is left as it was —
unless ``skip_bad`` is set, in which case bad lines are handed to
``on_reject`` and the rest is imported.

Lines are read, checked (:mod:`tabadul.services.lines`) and written in
chunks, so memory stays flat for any file size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from tabadul.access.policy import Principal
from tabadul.audit import events as ev
from tabadul.errors import Conflict, ImportFailed, TabadulError, ValidationFailed
from tabadul.model.entities import (
    RELATIONSHIP_SCHEMATA,
    CleanEntity,
    caption_of,
    check_reference_range,
    merge_properties,
)
from tabadul.model.grading import Grading
from tabadul.model.handling import Handling
from tabadul.model.protection import Protection, strictest
from tabadul.model.reports import ReportStatus, check_transition
from tabadul.schemas.reports import ReportLine
from tabadul.search import documents as search_documents
from tabadul.services import auditing, correlation, drafts
from tabadul.services.lines import BadLine, EntityLine, Prepared, ReportDraftLine, prepare
from tabadul.services.node import Node
from tabadul.storage import audit_log, protection
from tabadul.storage import entities as entity_store
from tabadul.storage import reports as report_store
from tabadul.storage.reports import ReportBatch
from tabadul.storage.tables import EntityRow
from tabadul.storage.types import utcnow

CHUNK_LINES = 500
# The fields of a version that must agree when an import meets a version it already holds.
_COMPARED = (
    "status",
    "title",
    "body",
    "classification",
    "compartments",
    "handling",
    "grading",
    "topics",
)

Progress = Callable[[int], None]
Chunk = list[tuple[int, str]]


@dataclass
class ImportReport:
    """What an import did."""

    lines: int = 0
    reports: int = 0
    versions: int = 0
    entities_created: int = 0
    entities_merged: int = 0
    unchanged: int = 0
    rejected: int = 0


def import_lines(
    node: Node,
    lines: Iterable[str],
    *,
    skip_bad: bool = False,
    on_reject: Callable[[int, str, str], None] | None = None,
    progress: Progress | None = None,
    actor: Principal | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> ImportReport:
    """Import JSON Lines in one transaction; see the module docstring for the rules.

    The import is the operator's, or ``actor``'s when one is named; every
    report version and entity line it stores is audited as collection.
    """
    result = ImportReport()
    rules = drafts.Rules.of(node)
    recorded_by = actor.user_id if actor else None
    who = auditing.actor_of(actor)

    def reject(number: int, text: str, exc: TabadulError) -> None:
        reason = exc.reason if isinstance(exc, ImportFailed) else exc.message
        if not skip_bad:
            raise ImportFailed(number, reason, exc.details) from None
        result.rejected += 1
        if on_reject is not None:
            on_reject(number, text, reason)

    def counted() -> Iterator[tuple[int, str]]:
        for number, text in enumerate(lines, start=1):
            result.lines = number
            if text.strip():
                yield number, text

    now = utcnow()
    with node.db.transaction() as session:
        importer = _Importer(session, rules, result, reject, recorded_by, who)
        for chunk in _chunks(counted(), chunk_lines):
            importer.process(chunk, prepare(rules, chunk, now, recorded_by))
            audit_log.flush(session)  # a chunk's events go out with it: memory stays flat
            if progress is not None:
                progress(len(chunk))
    return result


def _chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[Chunk]:
    while chunk := list(islice(numbered, size)):
        yield chunk


class _Importer:
    """Writes checked chunks inside one transaction."""

    def __init__(
        self,
        session: Session,
        rules: drafts.Rules,
        result: ImportReport,
        reject: Callable[[int, str, TabadulError], None],
        recorded_by: int | None,
        actor: ev.Actor,
    ) -> None:
        self.actor = actor
        self.session = session
        self.rules = rules
        self.result = result
        self.reject = reject
        self.recorded_by = recorded_by
        self.failures: dict[int, TabadulError] = {}
        self.indexed: set[str] = set()

    def process(self, chunk: Chunk, prepared: list[Prepared]) -> None:
        self.failures = {}
        self.indexed = set()
        for line in prepared:
            if isinstance(line, BadLine):
                self.failures[line.number] = line.error()
        self._entities([p for p in prepared if isinstance(p, EntityLine)])
        self._reports([p for p in prepared if isinstance(p, ReportDraftLine)])
        search_documents.enqueue(self.session, entities=self.indexed)
        # Reported in file order, so a stopped import names the first bad line.
        texts = dict(chunk)
        for number in sorted(self.failures):
            self.reject(number, texts.get(number, ""), self.failures[number])

    def _fail(self, number: int, exc: TabadulError) -> None:
        self.failures.setdefault(number, exc)

    # -- entities ---------------------------------------------------------

    def _entities(self, lines: list[EntityLine]) -> None:
        if not lines:
            return
        # Things before relationships, so a relationship may point at an entity
        # defined a few lines further down in the same chunk.
        lines.sort(key=lambda line: line.entity.schema in RELATIONSHIP_SCHEMATA)
        existing = entity_store.get_many(self.session, [line.id for line in lines])
        now = utcnow()
        changed: list[str] = []
        for line in lines:
            try:
                properties = self._resolved(line.entity)
                row = existing.get(line.id)
                own = line.protection or Protection(self.rules.classification.lowest)
                if row is None:
                    values = drafts.entity_row(
                        line.id,
                        CleanEntity(line.entity.schema, properties, line.entity.category),
                        now,
                        self.recorded_by,
                        own.classification,
                        independent=line.protection is not None,
                    )
                    entity_store.insert(self.session, [values])
                    label = (own.classification, own.compartments)
                    protection.set_entity_labels(self.session, {line.id: label})
                    existing[line.id] = EntityRow(**values)
                    self.result.entities_created += 1
                    changed.append(line.id)
                    self.indexed.add(line.id)
                    audit_log.add(
                        self.session,
                        ev.EntityImported(
                            actor=self.actor, entity_id=line.id, schema=line.entity.schema
                        ),
                    )
                else:
                    if self._merge(row, line.entity.schema, properties, now):
                        changed.append(line.id)
                        self.indexed.add(line.id)
                        audit_log.add(
                            self.session,
                            ev.EntityImported(
                                actor=self.actor,
                                entity_id=line.id,
                                schema=line.entity.schema,
                                merged=True,
                            ),
                        )
                    if line.protection is not None:
                        self._protect(row, line.protection)
            except TabadulError as exc:
                self._fail(line.number, exc)
        correlation.enqueue(self.session, changed)

    def _resolved(self, entity: CleanEntity) -> dict[str, list[str]]:
        """The entity's properties with its references checked against stored entities."""
        properties = dict(entity.properties)
        for prop, refs in entity.references.items():
            found = entity_store.schemata(self.session, refs)
            for j, ref in enumerate(refs):
                path = f"properties.{prop}.{j}"
                if ref not in found:
                    raise ValidationFailed.field(path, f"no entity {ref!r} in the file or the node")
                reason = check_reference_range(entity.schema, prop, found[ref])
                if reason:
                    raise ValidationFailed.field(path, reason)
            properties[prop] = list(refs)
        return properties

    def _merge(
        self, row: EntityRow, schema: str, properties: dict[str, list[str]], now: dt.datetime
    ) -> bool:
        """Merge new values into a stored entity; False when there was nothing new."""
        if row.schema != schema:
            raise Conflict(f"entity {row.id} is stored as a {row.schema}, not a {schema}")
        merged = merge_properties(row.properties, properties)
        if merged == row.properties:
            self.result.unchanged += 1
            return False
        entity_store.update_properties(
            self.session,
            row.id,
            {"properties": merged, "caption": caption_of(schema, merged)[:500], "updated_at": now},
        )
        if schema in RELATIONSHIP_SCHEMATA:
            entity_store.relink(self.session, row.id, schema, merged)
        row.properties = merged
        self.result.entities_merged += 1
        return True

    def _protect(self, row: EntityRow, label: Protection) -> None:
        """An entity recorded again with a label of its own keeps the stricter of the two."""
        held = protection.entity_labels(self.session, [row.id])[row.id]
        merged = strictest(self.rules.classification, [Protection(*held), label])
        assert merged is not None
        if not row.independent:
            entity_store.update_properties(self.session, row.id, {"independent": True})
            row.independent = True
        if (merged.classification, merged.compartments) != held:
            protection.set_entity_labels(
                self.session, {row.id: (merged.classification, merged.compartments)}
            )

    # -- reports ----------------------------------------------------------

    def _reports(self, lines: list[ReportDraftLine]) -> None:
        if not lines:
            return
        ids = list({line.item.id for line in lines if line.item.id})
        state = report_store.current_state(self.session, ids)
        current = {r: version for r, (version, _) in state.items()}
        statuses = {r: status for r, (_, status) in state.items()}
        todo: list[tuple[ReportDraftLine, bool]] = []
        for line in lines:
            try:
                planned = self._plan(line.item, current, statuses)
            except TabadulError as exc:
                self._fail(line.number, exc)
                continue
            if planned is None:
                self.result.unchanged += 1
                continue
            line.draft.version, new = planned
            current[line.draft.report_id] = line.draft.version
            statuses[line.draft.report_id] = line.item.status
            todo.append((line, new))

        failures = drafts.resolve(self.session, [line.draft for line, _ in todo])
        batch = ReportBatch()
        entity_rows: list[dict[str, Any]] = []
        broken: set[str] = set()
        for index, (line, new) in enumerate(todo):
            d = line.draft
            if index in failures or d.report_id in broken:
                # A later version of the same report in this chunk would follow
                # a missing one; in skip mode it is rejected as well.
                broken.add(d.report_id)
                self._fail(
                    line.number,
                    failures.get(index)
                    or ValidationFailed.field("version", "an earlier version was rejected"),
                )
                continue
            drafts.add_to_batch(d, batch, entity_rows, new=new)
            self.result.versions += 1
            self.result.reports += int(new)
            audit_log.add(
                self.session,
                ev.ReportImported(
                    actor=self.actor,
                    report_id=d.report_id,
                    version=d.version,
                    classification=d.content.classification,
                    entities=tuple(e for e, _ in d.entities),
                ),
            )
        drafts.write(self.session, batch, entity_rows, self.rules)
        self.result.entities_created += len(entity_rows)

    def _plan(
        self, item: ReportLine, current: dict[str, int], statuses: dict[str, str]
    ) -> tuple[int, bool] | None:
        """(version to write, is the report new) — or None when the version is already held."""
        if item.id is None:
            if item.version not in (None, 1):
                raise ValidationFailed.field(
                    "version", "a report without an id starts at version 1"
                )
            return 1, True
        held = current.get(item.id)
        if held is None:
            if item.version not in (None, 1):
                raise ValidationFailed.field(
                    "version",
                    f"version {item.version} of a report the node does not hold; "
                    "import its versions in order, starting with 1",
                )
            return 1, True
        version = item.version or held + 1
        if version <= held:
            self._same_as_stored(item, version)
            return None
        if version != held + 1:
            raise ValidationFailed.field(
                "version", f"the node holds version {held}; the next one is {held + 1}"
            )
        check_transition(ReportStatus(statuses[item.id]), ReportStatus(item.status))
        return version, False

    def _same_as_stored(self, item: ReportLine, version: int) -> None:
        assert item.id is not None
        stored = report_store.get_version(self.session, item.id, version)
        assert stored is not None
        h, g = item.handling, item.grading
        incoming = {
            "status": item.status,
            "title": item.title,
            "body": item.body,
            "classification": (item.classification or stored.classification).upper(),
            "compartments": sorted({c.strip().lower() for c in item.compartments}),
            "handling": Handling.build(
                h.tlp, h.codes, h.restrictions, h.originator_control
            ).to_dict(),
            "grading": (
                Grading.build(g.scheme, g.source, g.information) if g else Grading.ungraded()
            ).to_dict(),
            "topics": [t.strip().lower() for t in item.topics],
        }
        held = {
            "status": stored.status,
            "title": stored.title,
            "body": stored.body,
            "classification": stored.classification,
            "compartments": list(stored.compartments),
            "handling": dict(stored.handling),
            "grading": dict(stored.grading),
            "topics": list(stored.topics),
        }
        differing = [name for name in _COMPARED if incoming[name] != held[name]]
        if differing:
            raise Conflict(
                f"the node already holds version {version} of report {item.id} with a different "
                f"{', '.join(differing)}"
            )
