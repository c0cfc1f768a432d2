"""Entities on the wire: FollowTheMoney JSON plus the fields Tabadul adds."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from tabadul.schemas.common import Strict


class EntityIn(Strict):
    """An entity as sent with a report, or as a line of an FtM import file.

    With a report, ``id`` is the caller's own reference (``p1``) that mentions
    and relationships use; the node assigns the stored id. In an import file
    it is the entity's id and is kept.
    """

    id: str = Field(min_length=1, max_length=128)
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str | int | float]] = Field(default_factory=dict)
    category: str | None = None
    # An entity recorded on its own (an import line) may carry its own protection;
    # entities sent with a report take the report's.
    classification: str | None = None
    compartments: list[str] | None = None
    # FtM JSON written by other tools carries these; they are accepted and ignored.
    caption: str | None = Field(default=None, exclude=True)
    datasets: list[str] | None = Field(default=None, exclude=True)
    referents: list[str] | None = Field(default=None, exclude=True)


class EntityOut(BaseModel):
    """An entity as the node serves it: FtM JSON (``id``, ``schema``, ``properties``) and more."""

    id: str
    schema_: str = Field(alias="schema", serialization_alias="schema")
    properties: dict[str, list[str]]
    caption: str
    category: str | None = None
    classification: str
    compartments: list[str]
    independent: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    reports: list[str] | None = Field(default=None, description="Reports that mention it.")

    model_config = {"populate_by_name": True}
