"""Reports on the wire: what callers send to record a report, and what the node serves."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from tabadul.schemas.common import Strict
from tabadul.schemas.entities import EntityIn, EntityOut


class HandlingIn(Strict):
    """A handling label: TLP 2.0, handling codes H0–H3 (H3 with its text), originator control."""

    tlp: str
    codes: list[str] = Field(default_factory=list)
    restrictions: str | None = None
    originator_control: bool = False


class GradingIn(Strict):
    """Source reliability and information credibility under a grading scheme."""

    scheme: str = "admiralty"
    source: str
    information: str


class MentionIn(Strict):
    """A mention of an entity (by the request's own reference, or an existing id)."""

    entity: str = Field(min_length=1, max_length=128)
    start: int | None = None
    end: int | None = None


class ReportIn(Strict):
    """A report to record: the body of ``POST /api/v1/reports``."""

    title: str
    body: str = ""
    language: str | None = Field(default=None, description="ISO 639 code; detected if absent.")
    topics: list[str] = Field(default_factory=list)
    date_of_information: dt.date | None = None
    classification: str | None = Field(default=None, description="Lowest level if absent.")
    compartments: list[str] = Field(
        default_factory=list, description="Need-to-know groups a reader must belong to."
    )
    handling: HandlingIn
    grading: GradingIn | None = Field(default=None, description="Ungraded (F6) if absent.")
    nature: Literal["fact", "assessment"] = "fact"
    status: Literal["draft", "released"] = "released"
    review_by: dt.date | None = Field(default=None, description="Default: the review period.")
    entities: list[EntityIn] = Field(default_factory=list)
    mentions: list[MentionIn] = Field(default_factory=list)


class ReportVersionIn(ReportIn):
    """A new version of a report: the whole content again, and what changed."""

    note: str | None = Field(default=None, max_length=2000)


class WithdrawIn(Strict):
    """Why a report is withdrawn (kept with the withdrawal version)."""

    reason: str = Field(min_length=1, max_length=2000)


class ReportLine(ReportIn):
    """A report line of an import or export file: the API's format plus its identity.

    A file holds each version of a report as its own line, oldest first.
    """

    id: str | None = Field(default=None, min_length=1, max_length=36)
    version: int | None = Field(default=None, ge=1)
    status: Literal["draft", "released", "withdrawn"] = "released"  # type: ignore[assignment]
    originator: str | None = Field(default=None, max_length=64)
    recorded_at: dt.datetime | None = None
    note: str | None = Field(default=None, max_length=2000)


class MentionOut(BaseModel):
    """A mention as served: the entity's stored id and the span, with the text it covers."""

    entity: str
    start: int | None = None
    end: int | None = None
    text: str | None = None


class VersionSummary(BaseModel):
    """One entry of a report's version history."""

    version: int
    status: str
    title: str
    note: str | None
    recorded_at: dt.datetime
    recorded_by: str | None


class ReportReceipt(BaseModel):
    """What a token that may write but not read gets back: the report's identity, no content."""

    id: str
    version: int
    status: str


class ReportOut(BaseModel):
    """A report as the node serves it (one version, by default the current one)."""

    id: str
    version: int
    current_version: int
    status: str
    originator: str
    title: str
    body: str
    language: str
    topics: list[str]
    date_of_information: dt.date | None
    classification: str
    compartments: list[str]
    handling: dict[str, object]
    grading: dict[str, str]
    nature: str
    review_by: dt.date
    note: str | None
    recorded_at: dt.datetime
    recorded_by: str | None
    entities: list[EntityOut]
    mentions: list[MentionOut]
