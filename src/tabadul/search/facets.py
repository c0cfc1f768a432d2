"""Filter words: the values a search can be narrowed by, written as words of a document.

A filtered search walks its matches newest first until enough pass the
filters. When few pass ("transfers", financing, AMBER, the last six months),
checking each match against its record in SQL costs tens of thousands of
joins. So each document also carries its record's filterable values as
words of a fourth column (``facets``: ``tlpamber``, ``topicfinancing``,
``m202605``…), and the full-text engine narrows the walk itself, merging
word lists far faster than SQL joins rows.

The words only *narrow*: every filter and the caller's visibility are still
checked on the records' live rows, so a stale word can hide a record for
the moment a re-index takes, never show one. Only values that change
together with a document's text are written — a report's labels change
only with a new version, which is re-indexed — and not an entity's
classification, which follows its reports without a re-index.

Documents indexed before these words existed carry :data:`PENDING`, which
passes every narrowing until ``tabadul reindex`` (or the next change)
rewrites them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

PENDING = "pending"
# A date range longer than this is narrowed by years, longer than MAX_YEARS not at all.
MAX_MONTHS = 36
MAX_YEARS = 30

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def word(field: str, value: str) -> str:
    """The filter word of ``field`` = ``value`` (letters and digits only, one token)."""
    return field + _NOT_WORD.sub("", value.lower())


def months(day: dt.date) -> tuple[str, str]:
    """The month and year words of a date."""
    return f"m{day.year:04d}{day.month:02d}", f"y{day.year:04d}"


def report_words(
    *,
    language: str,
    status: str,
    tlp: str,
    classification: str,
    originator: str,
    topics: Iterable[str],
    date_of_information: dt.date | None,
) -> str:
    """The ``facets`` column of a report's document."""
    words = [
        "kindreport",
        word("lang", language),
        word("status", status),
        word("tlp", tlp),
        word("cls", classification),
        word("orig", originator),
    ]
    words += sorted(word("topic", t) for t in topics)
    if date_of_information is not None:
        words += months(date_of_information)
    return " ".join(words)


def entity_words(*, schema: str) -> str:
    """The ``facets`` column of an entity's document (its schema; labels follow reports)."""
    return f"kindentity {word('lang', 'und')} {word('schema', schema)}"


def date_words(date_from: dt.date | None, date_to: dt.date | None) -> list[str] | None:
    """Words one of which every report dated in the range carries (None: too wide to help)."""
    if date_from is None and date_to is None:
        return None
    if date_from is None or date_to is None or date_from > date_to:
        return None  # open ranges narrow little; an empty one the live check settles
    span = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    if span <= MAX_MONTHS:
        found, year, month = [], date_from.year, date_from.month
        for _ in range(span):
            found.append(f"m{year:04d}{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found
    if date_to.year - date_from.year < MAX_YEARS:
        return [f"y{y:04d}" for y in range(date_from.year, date_to.year + 1)]
    return None
