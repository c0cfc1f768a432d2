"""Import and export: JSON Lines of reports (the API's format) and FollowTheMoney entities.

A file mixes two kinds of line, told apart by their keys:

- an **entity** line is FtM JSON (``{"id", "schema", "properties"}``, plus
  ``category`` for persons); an entity whose id is already stored has the new
  values merged in;
- a **report** line is the API's report format plus ``id``, ``version``,
  ``status``, ``originator``, ``recorded_at`` and ``note``; each version of a
  report is its own line, oldest first.

Entities must come before the reports that mention them (the export writes
them so). The import is one transaction: a bad line stops it with its line
number and reason, and the database is left as it was — unless
``skip_bad`` is set, in which case bad lines go to a rejects file and the rest
is imported. Lines are read and written in batches, so memory stays flat for
any file size.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tabadul.errors import Conflict, ImportFailed, TabadulError, ValidationFailed
from tabadul.model.entities import (
    RELATIONSHIP_SCHEMATA,
    CleanEntity,
    caption_of,
    check_reference_range,
    clean_entity,
    merge_properties,
    valid_entity_id,
)
from tabadul.model.grading import Grading
from tabadul.model.handling import Handling
from tabadul.model.reports import ReportStatus, check_transition
from tabadul.schemas.common import validation_failed
from tabadul.schemas.entities import EntityIn
from tabadul.schemas.reports import ReportLine
from tabadul.services import drafts
from tabadul.services.node import Node
from tabadul.storage import entities as entity_store
from tabadul.storage import reports as report_store
from tabadul.storage.reports import ReportBatch
from tabadul.storage.tables import EntityRow, ReportVersionRow
from tabadul.storage.types import utcnow

BATCH_LINES = 500
# The fields of a version that must agree when an import meets a version it already holds.
_COMPARED = ("status", "title", "body", "classification", "handling", "grading", "topics")


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
    rejects: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Line:
    number: int
    kind: str  # "entity" or "report"
    item: Any


Progress = Callable[[int], None]


def import_lines(
    node: Node,
    lines: Iterable[str],
    *,
    skip_bad: bool = False,
    on_reject: Callable[[int, str, str], None] | None = None,
    progress: Progress | None = None,
    recorded_by: int | None = None,
) -> ImportReport:
    """Import JSON Lines in one transaction; see the module docstring for the rules."""
    result = ImportReport()

    def reject(number: int, text: str, exc: TabadulError) -> None:
        reason = exc.reason if isinstance(exc, ImportFailed) else exc.message
        if not skip_bad:
            raise ImportFailed(number, reason, exc.details) from None
        result.rejected += 1
        if on_reject is not None:
            on_reject(number, text, reason)

    with node.db.transaction() as session:
        importer = _Importer(node, session, result, reject, recorded_by)
        chunk: list[tuple[int, str]] = []
        for number, text in enumerate(lines, start=1):
            result.lines = number
            if not text.strip():
                continue
            chunk.append((number, text))
            if len(chunk) >= BATCH_LINES:
                importer.process(chunk)
                if progress is not None:
                    progress(len(chunk))
                chunk = []
        if chunk:
            importer.process(chunk)
            if progress is not None:
                progress(len(chunk))
    return result


class _Importer:
    """Processes an import chunk by chunk inside one transaction."""

    def __init__(
        self,
        node: Node,
        session: Session,
        result: ImportReport,
        reject: Callable[[int, str, TabadulError], None],
        recorded_by: int | None,
    ) -> None:
        self.node = node
        self.session = session
        self.result = result
        self.reject = reject
        self.recorded_by = recorded_by
        self.texts: dict[int, str] = {}

    def process(self, chunk: list[tuple[int, str]]) -> None:
        self.texts = dict(chunk)
        self.failures: dict[int, TabadulError] = {}
        parsed = [p for p in (self._parse(n, t) for n, t in chunk) if p is not None]
        self._entities([p for p in parsed if p.kind == "entity"])
        self._reports([p for p in parsed if p.kind == "report"])
        # Reported in file order, so a stopped import names the first bad line.
        for number in sorted(self.failures):
            self.reject(number, self.texts.get(number, ""), self.failures[number])

    def _fail(self, number: int, exc: TabadulError) -> None:
        self.failures.setdefault(number, exc)

    def _parse(self, number: int, text: str) -> _Line | None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(number, ValidationFailed(f"not JSON ({exc.msg}, column {exc.colno})"))
            return None
        if not isinstance(data, dict):
            self._fail(number, ValidationFailed("a line must be a JSON object"))
            return None
        try:
            if "schema" in data:
                return _Line(number, "entity", EntityIn.model_validate(data))
            if "title" in data:
                return _Line(number, "report", ReportLine.model_validate(data))
        except ValidationError as exc:
            self._fail(number, validation_failed(exc))
            return None
        self._fail(
            number,
            ValidationFailed("neither an entity (has 'schema') nor a report (has 'title')"),
        )
        return None

    # -- entities ---------------------------------------------------------

    def _entities(self, lines: list[_Line]) -> None:
        if not lines:
            return
        # Things before relationships, so a relationship may point at an entity
        # defined a few lines further down in the same chunk.
        lines.sort(key=lambda line: line.item.schema_ in RELATIONSHIP_SCHEMATA)
        existing = entity_store.get_many(self.session, [line.item.id for line in lines])
        now = utcnow()
        for line in lines:
            item: EntityIn = line.item
            try:
                valid_entity_id(item.id)
                entity = clean_entity(
                    item.schema_,
                    item.properties,
                    item.category,
                    phone_region=self.node.identity.country,
                )
                properties = dict(entity.properties)
                for prop, refs in entity.references.items():
                    found = entity_store.schemata(self.session, refs)
                    for j, ref in enumerate(refs):
                        if ref not in found:
                            raise ValidationFailed.field(
                                f"properties.{prop}.{j}",
                                f"no entity {ref!r} in the file or the node",
                            )
                        reason = check_reference_range(entity.schema, prop, found[ref])
                        if reason:
                            raise ValidationFailed.field(f"properties.{prop}.{j}", reason)
                    properties[prop] = list(refs)
                row = existing.get(item.id)
                if row is None:
                    values = drafts.entity_row(
                        item.id,
                        CleanEntity(entity.schema, properties, entity.category),
                        now,
                        self.recorded_by,
                    )
                    entity_store.insert(self.session, [values])
                    existing[item.id] = EntityRow(**values)
                    self.result.entities_created += 1
                else:
                    self._merge(row, entity.schema, properties, now)
            except TabadulError as exc:
                self._fail(line.number, exc)

    def _merge(
        self, row: EntityRow, schema: str, properties: dict[str, list[str]], now: dt.datetime
    ) -> None:
        if row.schema != schema:
            raise Conflict(f"entity {row.id} is stored as a {row.schema}, not a {schema}")
        merged = merge_properties(row.properties, properties)
        if merged == row.properties:
            self.result.unchanged += 1
            return
        entity_store.update_properties(
            self.session,
            row.id,
            {"properties": merged, "caption": caption_of(schema, merged)[:500], "updated_at": now},
        )
        row.properties = merged
        self.result.entities_merged += 1

    # -- reports ----------------------------------------------------------

    def _reports(self, lines: list[_Line]) -> None:
        if not lines:
            return
        ids = list({line.item.id for line in lines if line.item.id})
        state = report_store.current_state(self.session, ids)
        current = {r: version for r, (version, _) in state.items()}
        statuses = {r: status for r, (_, status) in state.items()}
        todo: list[tuple[_Line, drafts.Draft, bool]] = []
        now = utcnow()
        for line in lines:
            item: ReportLine = line.item
            try:
                planned = self._plan(item, current, statuses)
                if planned is None:
                    self.result.unchanged += 1
                    continue
                version, new = planned
                d = drafts.draft(
                    self.node,
                    item,
                    report_id=item.id,
                    version=version,
                    status=item.status,
                    recorded_at=item.recorded_at or now,
                    recorded_by=self.recorded_by,
                    originator=item.originator,
                    note=item.note,
                )
            except TabadulError as exc:
                self._fail(line.number, exc)
                continue
            current[d.report_id] = version
            statuses[d.report_id] = item.status
            todo.append((line, d, new))

        failures = drafts.resolve(self.session, [d for _, d, _ in todo])
        batch = ReportBatch()
        entity_rows: list[dict[str, Any]] = []
        broken: set[str] = set()
        for index, (line, d, new) in enumerate(todo):
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
        entity_store.insert(self.session, entity_rows)
        self.result.entities_created += len(entity_rows)
        report_store.store(self.session, batch)

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
        valid_entity_id(item.id, "id")
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
            "classification": (item.classification or self.node.classification.lowest).upper(),
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


# -- export ---------------------------------------------------------------


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
