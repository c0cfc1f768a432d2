"""Hits, watchlists and alerts on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tabadul.schemas.common import Strict


class Side(BaseModel):
    """One side of a hit or the subject of an alert: the record, or only that it exists.

    A side the reader may not read shows ``readable: false``, its classification
    and whom to ask — never its content.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: str | None = None
    readable: bool
    schema_: str | None = Field(default=None, alias="schema", serialization_alias="schema")
    caption: str | None = None
    properties: dict[str, list[Any]] | None = None
    classification: str
    ask: str | None = None


class HitOut(BaseModel):
    """A possible match between two records, with the reasons it was raised."""

    id: str
    left: Side
    right: Side
    score: float
    reasons: list[dict[str, Any]]
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None
    cluster: list[str] = Field(default_factory=list)


class HitPage(BaseModel):
    """A page of hits, newest first, and how many the reader may see in all."""

    items: list[HitOut]
    total: int
    next: str | None = None


class ReviewIn(Strict):
    """A person's decision on a hit."""

    decision: Literal["confirmed", "rejected", "unsure"]
    reason: str = Field(min_length=1, max_length=2000)


class WatchlistIn(Strict):
    """A new watchlist, or its new name, description and members."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    members: list[str] = Field(default_factory=list, description="Usernames who share it.")


class EntryIn(Strict):
    """Something to watch: an entity (``entity``: id), a name, or a selector (``phone``…)."""

    kind: str = Field(description="entity, name, phone, email, document, iban, account…")
    value: str = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=2000)


class EntryOut(BaseModel):
    """A watched thing."""

    id: str
    kind: str
    value: str
    note: str | None
    created_at: dt.datetime
    subject: Side | None = None


class WatchlistOut(BaseModel):
    """A watchlist with its entries."""

    id: str
    name: str
    description: str | None
    owner: str
    members: list[str]
    created_at: dt.datetime
    entries: list[EntryOut] = Field(default_factory=list)


class AlertOut(BaseModel):
    """A watched thing matched a record."""

    id: int
    watchlist_id: str
    watchlist: str
    entry_id: str
    entity: Side
    report_id: str | None
    score: float
    reasons: list[dict[str, Any]]
    created_at: dt.datetime


class QueryIn(Strict):
    """A hit/no-hit question to partners: a name (with a date of birth if known) or a selector."""

    partners: list[str] = Field(min_length=1, description="Partner ids to ask.")
    kind: str = Field(description="name, phone, email, document, iban, account, wallet, vehicle")
    value: str = Field(min_length=1, max_length=500)
    birth_date: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD")


class QueryRfiIn(Strict):
    """Step two after a hit: a request for information quoting the hit's reference."""

    partner: str
    question: str = Field(min_length=1, max_length=5000)
