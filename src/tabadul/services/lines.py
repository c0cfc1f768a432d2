"""Reading import lines without the database: parse, validate, clean, draft.

This is the CPU-heavy half of an import (JSON, pydantic, FollowTheMoney
cleaning, phone numbers, language detection); it touches no database. The
other half, which decides versions and writes, is
:mod:`tabadul.services.imports`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from pydantic import ValidationError

from tabadul.errors import ErrorDetail, TabadulError, ValidationFailed
from tabadul.model.entities import CleanEntity, clean_entity, valid_entity_id
from tabadul.model.protection import Protection, clean_compartments
from tabadul.schemas.common import validation_failed
from tabadul.schemas.entities import EntityIn
from tabadul.schemas.reports import ReportLine
from tabadul.services import drafts


@dataclass(frozen=True)
class EntityLine:
    """A checked FollowTheMoney entity line."""

    number: int
    id: str
    entity: CleanEntity
    # Its own protection when the line gives one ("recorded independently");
    # None: it takes the strictest protection of the reports that mention it.
    protection: Protection | None


@dataclass(frozen=True)
class ReportDraftLine:
    """A checked report line; its version is decided against the database later."""

    number: int
    item: ReportLine
    draft: drafts.Draft


@dataclass(frozen=True)
class BadLine:
    """A line that failed, with the reasons."""

    number: int
    message: str
    details: tuple[ErrorDetail, ...] = ()

    @classmethod
    def of(cls, number: int, exc: TabadulError) -> BadLine:
        """The failure ``exc`` of line ``number``."""
        return cls(number, exc.message, exc.details)

    def error(self) -> ValidationFailed:
        """The failure as an error again."""
        return ValidationFailed(self.message, self.details)


Prepared = EntityLine | ReportDraftLine | BadLine


def prepare(
    rules: drafts.Rules,
    chunk: list[tuple[int, str]],
    now: dt.datetime,
    recorded_by: int | None,
) -> list[Prepared]:
    """Check every line of a chunk; the result keeps the chunk's order."""
    return [_prepare_line(rules, number, text, now, recorded_by) for number, text in chunk]


def _prepare_line(
    rules: drafts.Rules, number: int, text: str, now: dt.datetime, recorded_by: int | None
) -> Prepared:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadLine(number, f"not JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(data, dict):
        return BadLine(number, "a line must be a JSON object")
    try:
        if "schema" in data:
            item = EntityIn.model_validate(data)
            valid_entity_id(item.id)
            entity = clean_entity(
                item.schema_, item.properties, item.category, phone_region=rules.phone_region
            )
            label = None
            if item.classification is not None or item.compartments is not None:
                level = rules.classification.parse(
                    item.classification or rules.classification.lowest
                )
                label = Protection(level, clean_compartments(item.compartments or ()))
            return EntityLine(number, item.id, entity, label)
        if "title" in data:
            report = ReportLine.model_validate(data)
            if report.id is not None:
                valid_entity_id(report.id, "id")
            d = drafts.draft(
                rules,
                report,
                report_id=report.id,
                version=report.version or 1,  # provisional: the importer decides
                status=report.status,
                recorded_at=report.recorded_at or now,
                recorded_by=recorded_by,
                originator=report.originator,
                note=report.note,
            )
            return ReportDraftLine(number, report, d)
    except ValidationError as exc:
        return BadLine.of(number, validation_failed(exc))
    except TabadulError as exc:
        return BadLine.of(number, exc)
    return BadLine(number, "neither an entity (has 'schema') nor a report (has 'title')")
