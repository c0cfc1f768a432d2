"""The one place SQLite and PostgreSQL differ: compiling a query tree and matching it.

Both backends see the same tokens (:mod:`tabadul.search.analysis` made them),
so a tree compiles to equivalent expressions:

| query          | SQLite FTS5                         | PostgreSQL tsquery            |
| -------------- | ----------------------------------- | ----------------------------- |
| word           | ``(stems:"s1" OR names:"k1")``      | ``('s1':B | 'k1':C)``         |
| prefix ``w*``  | ``words:"w"*``                      | ``'w':*A``                    |
| phrase         | ``(words:"a b" OR names:"k1 k2")``  | ``('a':A <-> 'b':A) | …``     |
| a AND NOT b    | ``(a) NOT (b)``                     | ``(a & !b)``                  |

On PostgreSQL the three columns are one weighted ``tsvector`` (words A,
stems B, names C), the expression the GIN index of migration 0006 is built on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session

from tabadul.search import ranking
from tabadul.search.analysis import query_stems
from tabadul.search.facets import COMBINED, PENDING
from tabadul.search.query import And, Node, Not, Or, Phrase, Word
from tabadul.storage.tables import SearchDocumentRow

# Identical to the expression in migration 0006 (a test keeps them so).
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, words), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, stems), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, names), 'C'))"
)

Keys = Callable[[str], list[str]]
# How filter words may narrow a walk (narrowable).
Narrowing = Literal["separate", "combined"]
_FTS = table("search_fts", column("rowid", Integer), column("search_fts"))


def fts5(tree: Node, keys: Keys) -> str:
    """The FTS5 MATCH expression of a query tree."""
    if isinstance(tree, Word):
        if tree.prefix:
            return f"words:{_quote(tree.word)}*"
        alternatives = [f"stems:{_quote(s)}" for s in query_stems(tree.raw)]
        alternatives += [f"names:{_quote(k)}" for k in keys(tree.raw)]
        return "(" + " OR ".join(alternatives) + ")"
    if isinstance(tree, Phrase):
        exact = f"words:{_quote(' '.join(tree.words))}"
        forms = keys(tree.raw or " ".join(tree.words))
        return f"({exact} OR names:{_quote(' '.join(forms))})" if forms else exact
    if isinstance(tree, Or):
        return "(" + " OR ".join(fts5(p, keys) for p in tree.parts) + ")"
    if isinstance(tree, And):
        positive = [fts5(p, keys) for p in tree.parts if not isinstance(p, Not)]
        negative = [fts5(p.part, keys) for p in tree.parts if isinstance(p, Not)]
        text = "(" + " AND ".join(positive) + ")"
        return "(" + text + "".join(f" NOT {n}" for n in negative) + ")" if negative else text
    raise AssertionError(f"a lone NOT cannot be compiled: {tree!r}")  # parse() refuses it


def tsquery(tree: Node, keys: Keys) -> str:
    """The PostgreSQL ``to_tsquery('simple', …)`` text of a query tree."""
    if isinstance(tree, Word):
        if tree.prefix:
            return f"{_lexeme(tree.word)}:*A"
        alternatives = [f"{_lexeme(s)}:B" for s in query_stems(tree.raw)]
        alternatives += [f"{_lexeme(k)}:C" for k in keys(tree.raw)]
        return "(" + " | ".join(alternatives) + ")"
    if isinstance(tree, Phrase):
        exact = "(" + " <-> ".join(f"{_lexeme(w)}:A" for w in tree.words) + ")"
        forms = keys(tree.raw or " ".join(tree.words))
        if not forms:
            return exact
        return "(" + exact + " | (" + " <-> ".join(f"{_lexeme(k)}:C" for k in forms) + "))"
    if isinstance(tree, Or):
        return "(" + " | ".join(tsquery(p, keys) for p in tree.parts) + ")"
    if isinstance(tree, And):
        parts = [
            f"!{tsquery(p.part, keys)}" if isinstance(p, Not) else tsquery(p, keys)
            for p in tree.parts
        ]
        return "(" + " & ".join(parts) + ")"
    raise AssertionError(f"a lone NOT cannot be compiled: {tree!r}")


# The bounded set's (doc, *texts) rows -> {doc: score}.
Rank = Callable[[Session, Sequence[Sequence[Any]]], dict[int, float]]


@dataclass(frozen=True)
class Matching:
    """How to find the documents matching a query inside a larger statement.

    ``source`` is what to select from (joined to ``search_documents`` on
    ``doc_id`` when it is not that table itself), ``condition`` the match and
    ``score`` its rank, higher is better. ``doc_id`` is the column the
    backend can walk in descending order without scoring every match: FTS5
    delivers its matches in rowid order, so ordering by it lets SQLite stop
    after the first rows it needs.

    ``rank``, when set, replaces ``score``: the walk then carries no rank
    but the document's ``texts`` (words, stems, names, facets), and
    ``rank(session, rows)`` scores the bounded set's ``(doc, *texts)`` rows
    after the statement — ``{doc: score}``.
    """

    source: FromClause
    doc_id: ColumnElement[int]
    condition: ColumnElement[bool]
    score: ColumnElement[float]
    joins_documents: bool
    rank: Rank | None = None
    texts: tuple[ColumnElement[str], ...] = ()


def matching(
    dialect: str, tree: Node, keys: Keys, narrow: Sequence[Sequence[str]] = ()
) -> Matching:
    """The pieces of a statement that matches ``tree`` (see :class:`Matching`).

    ``narrow`` is a conjunction of alternatives of filter words
    (:mod:`tabadul.search.facets`) every wanted document carries. FTS5 applies
    it while it walks; PostgreSQL's walk is not bounded the same way and the
    caller's SQL filters do the work there, so it is not used.

    On SQLite the walk is never ranked: FTS5's BM25 counts the documents of
    every phrase of the expression it ranks — over the whole index, before
    its first row — filter words included. The bounded set is ranked after
    the statement by the same formula (:mod:`tabadul.search.ranking`), with
    the query's phrases' counts kept between searches.
    """
    if dialect == "sqlite":
        doc = SearchDocumentRow
        terms = ranking.terms(tree, keys)
        expression = fts5(tree, keys)
        if narrow:
            expression = f"{expression} AND {filter_expression(narrow)}"
        return Matching(
            source=_FTS,
            doc_id=_FTS.c.rowid,
            condition=_FTS.c.search_fts.op("MATCH")(expression),
            score=null().cast(Float),
            joins_documents=True,
            rank=_fts5_rank(terms),
            texts=tuple(doc.__table__.c[name] for name in ranking.carried(terms)),
        )
    vector: ColumnElement[Any] = literal_column(PG_VECTOR)
    query = func.to_tsquery(literal("simple").cast(REGCONFIG), tsquery(tree, keys))
    return Matching(
        source=SearchDocumentRow.__table__,
        doc_id=SearchDocumentRow.__table__.c.id,
        condition=vector.op("@@")(query),
        score=func.ts_rank_cd(vector, query, type_=Float),
        joins_documents=False,
    )


def matches(dialect: str, tree: Node, keys: Keys) -> Select[tuple[int, float]]:
    """Documents matching ``tree``: (document id, score — higher is better).

    On SQLite the score is FTS5's ``bm25()``, which searches no longer ask for.
    """
    if dialect == "sqlite":
        return select(
            _FTS.c.rowid.label("doc_id"),
            (-_bm25()).label("score"),
        ).where(_FTS.c.search_fts.op("MATCH")(fts5(tree, keys)))
    vector: ColumnElement[Any] = literal_column(PG_VECTOR)
    query = func.to_tsquery(literal("simple").cast(REGCONFIG), tsquery(tree, keys))
    return select(
        SearchDocumentRow.id.label("doc_id"),
        func.ts_rank_cd(vector, query, type_=Float).label("score"),
    ).where(vector.op("@@")(query))


def narrowable(session: Session, dialect: str) -> Narrowing | None:
    """How filter words can narrow: SQLite, and every document indexed with its words.

    ``None``: not at all — PostgreSQL, or documents indexed before the words
    existed carry :data:`PENDING` until re-indexed (an ``OR pending`` in
    every expression would cost FTS5 more than the narrowing saves).
    ``"separate"``: by each filter's own word — some documents were indexed
    before the combined words (:data:`facets.COMBINED`). ``"combined"``: by
    the combined words too. Asked of two partial indexes on
    ``search_documents``, which are empty once every document is re-indexed
    (asking FTS5 would walk the deleted entries of the word).
    """
    if dialect != "sqlite":
        return None
    # Written out as the partial indexes' own conditions, values included: SQLite uses a
    # partial index only for a condition it can see implies the index's.
    pending, uncombined = session.execute(
        text(
            f"SELECT (SELECT id FROM search_documents WHERE facets = '{PENDING}' LIMIT 1), "  # noqa: S608 (constants)
            f"(SELECT id FROM search_documents WHERE instr(facets, '{COMBINED}') = 0 LIMIT 1)"
        )
    ).one()
    if pending is not None:
        return None
    return "separate" if uncombined is not None else "combined"


def optimise(session: Session, dialect: str) -> None:
    """Merge the full-text index after a full re-index (FTS5 keeps deleted entries until then)."""
    if dialect == "sqlite":
        session.execute(_FTS.insert().values(search_fts="optimize"))


def filter_expression(narrow: Sequence[Sequence[str]]) -> str:
    """``(w1 OR w2) AND w3 …``: one word of each group."""
    return " AND ".join(
        "(" + " OR ".join(f"facets:{_quote(word)}" for word in group) + ")" for group in narrow
    )


def _fts5_rank(terms: list[ranking.Term]) -> Rank:
    """BM25 of the bounded set's documents for ``terms`` (:mod:`tabadul.search.ranking`)."""

    def rank(session: Session, rows: Sequence[Sequence[Any]]) -> dict[int, float]:
        if not rows:
            return {}
        totals = fts5_totals(session)
        counts = ranking.FREQUENCIES.of(
            session.get_bind(),
            list(dict.fromkeys(t.expression for t in terms)),
            totals.documents,
            lambda expressions: fts5_counts(session, expressions),
        )
        weighted = [(t, ranking.idf(totals.documents, counts[t.expression])) for t in terms]
        return ranking.scores(rows, weighted, totals)

    return rank


def fts5_counts(session: Session, expressions: Sequence[str]) -> list[int]:
    """How many documents match each FTS5 expression: exact on a small index, else estimated.

    Counting every document of a common word is what made FTS5's BM25
    slow (139,217 for "transfer" at a million reports), and so is a word
    that is common in another column: ``stems:"transfers"`` is in no
    document's stems but FTS5 reads all 139,217 position lists of
    *transfers* to know. So each expression is counted only among the
    newest :data:`ranking.COUNT_WINDOW` document ids, and only up to
    :data:`ranking.COUNT_CAP` documents, oldest first (one statement for them all);
    :func:`ranking.estimate` scales that to the whole index.
    """
    doc = SearchDocumentRow
    first, last = session.execute(
        # Each alone: SQLite reads a min() or max() alone from an end of the key.
        select(
            select(func.min(doc.id)).scalar_subquery(),
            select(func.max(doc.id)).scalar_subquery(),
        )
    ).one()
    if first is None or last is None:
        return [0 for _ in expressions]
    start = max(first, last - ranking.COUNT_WINDOW + 1)
    parts: list[Any] = []
    for i, e in enumerate(expressions):
        # Ascending: FTS5 stops at the cap; walking down, it would not stop at ``start``.
        window = (
            select(_FTS.c.rowid.label("id"))
            .where(_FTS.c.search_fts.op("MATCH")(e), _FTS.c.rowid >= start)
            .order_by(_FTS.c.rowid)
            .limit(ranking.COUNT_CAP)
            .subquery()
        )
        parts.append(select(literal(i), func.count(), func.max(window.c.id)).select_from(window))
    rows = {int(i): (int(n), end) for i, n, end in session.execute(union_all(*parts))}
    return [
        ranking.estimate(n, end, first=first, start=start, last=last)
        for n, end in (rows[i] for i in range(len(expressions)))
    ]


def fts5_totals(session: Session) -> ranking.Totals:
    """FTS5's own totals, as its BM25 reads them: documents, and mean tokens per document.

    FTS5 keeps them in the row 1 of its data table (the "averages" record,
    ``fts5_storage.c``): SQLite varints, the number of rows then each
    column's total of tokens. Reading it costs one lookup; counting would
    walk a million rows.
    """
    block = session.execute(text("SELECT block FROM search_fts_data WHERE id = 1")).scalar()
    values = _varints(bytes(block or b""))
    if not values or values[0] == 0:
        return ranking.Totals(0, 0.0)
    return ranking.Totals(values[0], sum(values[1:]) / values[0])


def _varints(data: bytes) -> list[int]:
    """SQLite's variable-length integers (big-endian, 7 bits a byte, the ninth byte whole)."""
    values: list[int] = []
    i = 0
    while i < len(data):
        value = 0
        for n in range(9):
            byte = data[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


def _bm25() -> ColumnElement[float]:
    """FTS5's BM25 over words, stems and names; filter words weigh nothing in the rank.

    No longer in any search's statement (see :mod:`tabadul.search.ranking`):
    :func:`matches` keeps it for the benchmarks and the test that compares
    the two.
    """
    weights: list[ColumnElement[Any]] = [literal_column(w) for w in ("1.0", "1.0", "1.0", "0.0")]
    return func.bm25(literal_column("search_fts"), *weights, type_=Float)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _lexeme(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
