"""The relevance order on SQLite: FTS5's BM25, computed here over the bounded set.

FTS5's ``bm25()`` first counts, for every phrase of the expression it
ranks, the documents that phrase is in — over the whole index, before its
first row, on every query (139,217 documents for "transfer" at a million
reports; a three-word query has seven such phrases: each word's stems and
name forms). Here those counts are estimated from the newest documents
(:func:`estimate`, counted by ``backends.fts5_counts``) and kept for a
while (:class:`Frequencies`), and the rest of the formula — occurrences and
lengths — is computed from the documents' own columns, which the walk
carries, for the at most ``engine.COUNT_BOUND`` documents of the bounded
set. The formula, weights and constants are FTS5's (``fts5_aux.c``): for
each phrase *p* of the query's expression (negated ones too, as FTS5 does),

    idf(p)   = ln((N - n(p) + 0.5) / (n(p) + 0.5)), at least 1e-6
    score(d) = Σ idf(p) · f(p, d) · (k1 + 1) / (f(p, d) + k1 · (1 - b + b · |d| / avgdl))

with k1 = 1.2, b = 0.75; N the documents indexed and avgdl their mean
length in tokens (both from FTS5's own totals, read each time); n(p) the
documents the phrase is in; f(p, d) its occurrences in the document's
column; |d| the document's tokens in all four columns. So the scores are
FTS5's, except that n(p) is an estimate on a large index and may be up to
:data:`MAX_AGE` seconds old (or 1 % of the index behind), and that an
occurrence is counted without overlap (the phrase "a a" is once in
"a a a", where FTS5 finds it twice). docs/search.md, "Relevance order".
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tabadul.search.analysis import query_stems
from tabadul.search.query import Node, Not, Phrase, Word

K1 = 1.2
B = 0.75
# How long a phrase's document count is trusted, and how far the index may grow or shrink
# meanwhile (a small node's counts are taken again as soon as it changes by a document).
MAX_AGE = 300.0
MAX_DRIFT = 0.01
COLUMNS = ("words", "stems", "names")
# A phrase's documents are counted among the newest COUNT_WINDOW document ids, and
# only up to COUNT_CAP of them; the count of the whole index is estimated from those.
COUNT_CAP = 1_000
COUNT_WINDOW = 100_000
# Phrases whose counts are kept per database; past this many, those no longer trusted
# are dropped (a long-running node sees ever new phrases).
MAX_KEPT = 50_000

Keys = Callable[[str], list[str]]


@dataclass(frozen=True)
class Term:
    """One phrase of the FTS5 expression: a column, its tokens, whether the last is a prefix."""

    column: str
    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def expression(self) -> str:
        """The phrase alone as an FTS5 MATCH expression (what its document count is of)."""
        quoted = '"' + " ".join(self.tokens).replace('"', '""') + '"'
        return f"{self.column}:{quoted}{'*' if self.prefix else ''}"

    @property
    def needle(self) -> str:
        """What to count in a column's text as :func:`spaced` writes it."""
        return " " + "  ".join(self.tokens) + ("" if self.prefix else " ")


def spaced(text: str) -> str:
    """A column's text with a space of its own on each side of every token.

    So that counting `` tok `` finds every occurrence: in ``a a``, ``str.count``
    would find `` a `` once, the space between them serving the first.
    """
    return " " + text.replace(" ", "  ") + " "


def terms(tree: Node, keys: Keys) -> list[Term]:
    """Every phrase of the FTS5 expression, in its order and with its repeats, as BM25 sums them.

    (:func:`tabadul.search.backends.fts5` writes the expression; negated
    phrases are among them, as in FTS5, though they add nothing to a
    document that matches without them.)
    """
    return list(_terms(tree, keys))


def _terms(tree: Node, keys: Keys) -> Iterable[Term]:
    if isinstance(tree, Word):
        if tree.prefix:
            yield Term("words", (tree.word,), prefix=True)
            return
        for stem in query_stems(tree.raw):
            yield Term("stems", (stem,))
        for key in keys(tree.raw):
            yield Term("names", (key,))
    elif isinstance(tree, Phrase):
        yield Term("words", tree.words)
        forms = keys(tree.raw or " ".join(tree.words))
        if forms:
            yield Term("names", tuple(forms))
    elif isinstance(tree, Not):
        yield from _terms(tree.part, keys)
    else:
        for part in tree.parts:
            yield from _terms(part, keys)


@dataclass(frozen=True)
class Totals:
    """FTS5's own totals: documents indexed and their mean length in tokens (all columns)."""

    documents: int
    mean_length: float


def estimate(counted: int, end: int | None, *, first: int, start: int, last: int) -> int:
    """A phrase's documents in the whole index, from those counted by ``backends.fts5_counts``.

    The index's document ids run from ``first`` to ``last``; ``counted``
    documents were found walking up from id ``start``, stopping at
    :data:`COUNT_CAP` (the last found: ``end``). The phrase is taken to be
    as frequent across all ids as among the ids walked — from ``start`` to
    ``end`` when the cap was reached, else to ``last``. When ``start`` is
    ``first`` and the cap was not reached, the count is exact.
    """
    ids = last - first + 1
    reached = counted >= COUNT_CAP and end is not None
    walked = (end if reached and end is not None else last) - start + 1
    if walked >= ids:
        return counted
    return max(counted, min(ids, round(counted * ids / walked)))


def idf(documents: int, containing: int) -> float:
    """FTS5's inverse document frequency, floored as it floors it."""
    value = math.log((documents - containing + 0.5) / (containing + 0.5))
    return value if value > 0 else 1e-6


def carried(found: Sequence[Term]) -> tuple[str, ...]:
    """The columns the rank reads, in the order :func:`scores` takes them.

    Stems, names and filter words always (the length of a document is
    counted from them: its words are as many as its stems, position for
    position); words only when a phrase or prefix is looked up in them.
    """
    return ("stems", "names", "facets") + (
        ("words",) if any(t.column == "words" for t in found) else ()
    )


def scores(
    rows: Iterable[Sequence[Any]],
    weighted: Sequence[tuple[Term, float]],
    totals: Totals,
) -> dict[int, float]:
    """BM25 of each ``(doc, *columns)`` row (:func:`carried`) for the ``(term, idf)`` pairs.

    Unwound because it runs for every document of the bounded set: a
    thousand documents, a few terms each.
    """
    mean = totals.mean_length or 1.0
    order = carried([t for t, _ in weighted])
    used = [
        (order.index(column) + 1, [(t.needle, w) for t, w in weighted if t.column == column])
        for column in COLUMNS
        if any(t.column == column for t, _ in weighted)
    ]
    k1_plus = K1 + 1
    fixed, per_token = K1 * (1 - B), K1 * B / mean
    found: dict[int, float] = {}
    for row in rows:
        # Tokens are single-space separated (tabadul.search.analysis writes them so);
        # a document has as many words as stems.
        stems, names, facets = row[1], row[2], row[3]
        length = 2 * (stems.count(" ") + 1) if stems else 0
        if names:
            length += names.count(" ") + 1
        if facets:
            length += facets.count(" ") + 1
        norm = fixed + per_token * length
        score = 0.0
        for i, needles in used:
            text = spaced(row[i] or "")
            for needle, weight in needles:
                f = text.count(needle)
                if f:
                    score += weight * f * k1_plus / (f + norm)
        found[int(row[0])] = score
    return found


class Frequencies:
    """Document counts of phrases, kept for :data:`MAX_AGE` seconds per database.

    ``count(expressions)`` asks the database for the counts not kept (or no
    longer trusted); ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, int, float]]] = (
            weakref.WeakKeyDictionary()
        )

    def of(
        self,
        database: Any,
        expressions: Sequence[str],
        documents: int,
        count: Callable[[Sequence[str]], list[int]],
    ) -> dict[str, int]:
        """Each expression's document count: kept if fresh, else counted (and kept)."""
        now = self._clock()
        with self._lock:
            kept = self._kept.setdefault(database, {})
            found: dict[str, int] = {}
            for e in expressions:
                entry = kept.get(e)
                if entry is not None:
                    n, at_documents, at = entry
                    drift = abs(documents - at_documents)
                    if now - at < MAX_AGE and drift <= MAX_DRIFT * at_documents:
                        found[e] = n
        missing = [e for e in expressions if e not in found]
        if missing:
            counted = count(missing)
            with self._lock:
                kept = self._kept.setdefault(database, {})
                if len(kept) + len(missing) > MAX_KEPT:
                    for e, (_, _, at) in list(kept.items()):
                        if now - at >= MAX_AGE:
                            del kept[e]
                    if len(kept) + len(missing) > MAX_KEPT:
                        kept.clear()
                for e, n in zip(missing, counted, strict=True):
                    kept[e] = (n, documents, now)
                    found[e] = n
        return found

    def clear(self) -> None:
        """Forget every count (tests; after a full re-index the counts are stale anyway)."""
        with self._lock:
            self._kept.clear()


FREQUENCIES = Frequencies()
