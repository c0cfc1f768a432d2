"""Search results on the wire: hits with highlighted snippets, the total and facets."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class FragmentOut(BaseModel):
    """A run of a snippet; ``match`` when the query found this word."""

    text: str
    match: bool = False


class SearchHit(BaseModel):
    """One record found: what it is, why it matched (the snippet) and what lists filter on."""

    model_config = ConfigDict(populate_by_name=True)

    kind: str = Field(description="report or entity")
    id: str
    title: str = Field(description="A report's title, an entity's caption.")
    score: float
    language: str
    direction: str = Field(description="rtl or ltr: the direction the snippet reads in.")
    snippet: list[FragmentOut]
    snippet_html: str = Field(
        description="The snippet as escaped HTML: <mark> around matches, isolated with <bdi>."
    )
    status: str | None = None
    date_of_information: dt.date | None = None
    classification: str
    tlp: str | None = None
    topics: list[str] = Field(default_factory=list)
    originator: str | None = None
    schema_: str | None = Field(default=None, alias="schema", serialization_alias="schema")


class SearchResults(BaseModel):
    """A page of results; ``total`` and ``facets`` count visible matches, not just the page.

    Counting stops at a bound (10,000): past it ``total`` is the bound,
    ``total_exact`` is false ("10,000+") and the facets count the bounded set.
    """

    query: str
    total: int = Field(
        description="Visible matches; when total_exact is false, at least this many."
    )
    total_exact: bool = Field(
        default=True,
        description="False when counting stopped at the bound: read total as '10,000+'.",
    )
    offset: int
    limit: int
    items: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts over every visible match, or over the bounded set when "
        "total_exact is false (then approximate)."
    )
