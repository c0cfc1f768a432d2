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

A report also carries words that **combine** the filters analysts use
together — topic and TLP (``tt``), each with the month (``tm``, ``lm``),
all three (``ttm``) — because intersecting three frequent words (a topic
is in a third of the reports, a TLP in a quarter, six months in a third)
costs FTS5 in proportion to their lists: one short combined list per month
is about five times cheaper at a million reports (docs/benchmarks.md,
search, fifth session). Documents written before the combined words carry
no :data:`COMBINED` mark, and while any does, narrowing uses the separate
words only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

PENDING = "pending"
# Carried by every document written with the combined words.
COMBINED = "combined1"
# A date range longer than this is narrowed by years, longer than MAX_YEARS not at all.
MAX_MONTHS = 36
MAX_YEARS = 30

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def word(field: str, value: str) -> str:
    """The filter word of ``field`` = ``value`` (letters and digits only, one token)."""
    return field + _value(value)


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
    topic_words = sorted({_value(t) for t in topics})
    words += [f"topic{t}" for t in topic_words]
    level = _value(tlp)
    words += [f"tt{t}{level}" for t in topic_words]
    if date_of_information is not None:
        month, year = months(date_of_information)
        words += [month, year, f"lm{level}{month[1:]}"]
        words += [f"tm{t}{month[1:]}" for t in topic_words]
        words += [f"ttm{t}{level}{month[1:]}" for t in topic_words]
    return " ".join([*words, COMBINED])


def entity_words(*, schema: str) -> str:
    """The ``facets`` column of an entity's document (its schema; labels follow reports)."""
    return f"kindentity {word('lang', 'und')} {word('schema', schema)} {COMBINED}"


def combined(
    topic: str | None, tlp: str | None, month_words: list[str] | None
) -> tuple[list[str], bool, bool, bool]:
    """The combined group for a filter's topic, TLP and month words, and which it covers.

    Returns ``(group, topic covered, TLP covered, months covered)``; an empty
    group when fewer than two of the three are given (or the dates are not
    months). Every report passing those filters carries one word of the group.
    """
    months_ = [m[1:] for m in month_words or [] if m.startswith("m")]
    t = _value(topic) if topic is not None else None
    lv = _value(tlp) if tlp is not None else None
    if t is not None and lv is not None and months_:
        return [f"ttm{t}{lv}{m}" for m in months_], True, True, True
    if t is not None and lv is not None:
        return [f"tt{t}{lv}"], True, True, False
    if t is not None and months_:
        return [f"tm{t}{m}" for m in months_], True, False, True
    if lv is not None and months_:
        return [f"lm{lv}{m}" for m in months_], False, True, True
    return [], False, False, False


def _value(value: str) -> str:
    return _NOT_WORD.sub("", value.lower())


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
