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
from typing import Any

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
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session

from tabadul.search.analysis import query_stems
from tabadul.search.facets import PENDING
from tabadul.search.query import And, Node, Not, Or, Phrase, Word
from tabadul.storage.tables import SearchDocumentRow

# Identical to the expression in migration 0006 (a test keeps them so).
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, words), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, stems), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, names), 'C'))"
)

Keys = Callable[[str], list[str]]
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


@dataclass(frozen=True)
class Matching:
    """How to find the documents matching a query inside a larger statement.

    ``source`` is what to select from (joined to ``search_documents`` on
    ``doc_id`` when it is not that table itself), ``condition`` the match and
    ``score`` its rank, higher is better. ``doc_id`` is the column the
    backend can walk in descending order without scoring every match: FTS5
    delivers its matches in rowid order, so ordering by it lets SQLite stop
    after the first rows it needs.

    ``scores``, when set, replaces ``score``: the walk then carries no rank,
    and ``scores(docs)`` ranks the documents of ``docs`` (one column of ids,
    the bounded set) in a statement of their own — ``(doc, score)`` rows.
    """

    source: FromClause
    doc_id: ColumnElement[int]
    condition: ColumnElement[bool]
    score: ColumnElement[float]
    joins_documents: bool
    scores: Callable[[ColumnElement[int]], Select[tuple[int, float]]] | None = None


def matching(
    dialect: str, tree: Node, keys: Keys, narrow: Sequence[Sequence[str]] = ()
) -> Matching:
    """The pieces of a statement that matches ``tree`` (see :class:`Matching`).

    ``narrow`` is a conjunction of alternatives of filter words
    (:mod:`tabadul.search.facets`) every wanted document carries. FTS5 applies
    it while it walks; PostgreSQL's walk is not bounded the same way and the
    caller's SQL filters do the work there, so it is not used.

    Narrowed, the walk is not ranked: FTS5's BM25 visits every document of
    every phrase of the expression it ranks — to count the documents each
    phrase is in — before scoring the first row, and filter words are common
    (``tlpamber`` and ``topicfinancing`` are each in a quarter to a third of
    the benchmark's documents); at weight zero they add nothing to the score
    but all of that cost. The bounded
    set is ranked instead by the query's own expression (:func:`_fts5_scores`):
    the same BM25, the same scores, without the filter words' cost.
    """
    if dialect == "sqlite":
        expression = fts5(tree, keys)
        if narrow:
            return Matching(
                source=_FTS,
                doc_id=_FTS.c.rowid,
                condition=_FTS.c.search_fts.op("MATCH")(
                    f"{expression} AND {filter_expression(narrow)}"
                ),
                score=null().cast(Float),
                joins_documents=True,
                scores=lambda docs: _fts5_scores(expression, docs),
            )
        return Matching(
            source=_FTS,
            doc_id=_FTS.c.rowid,
            condition=_FTS.c.search_fts.op("MATCH")(expression),
            score=-_bm25(),
            joins_documents=True,
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
    """Documents matching ``tree``: (document id, score — higher is better)."""
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


def narrowable(session: Session, dialect: str) -> bool:
    """Whether filter words can narrow: SQLite, and every document indexed with its words.

    Documents indexed before the words existed carry :data:`PENDING` until
    re-indexed; while any does, nothing is narrowed (an ``OR pending`` in
    every expression would cost FTS5 more than the narrowing saves). Asked
    of a partial index on ``search_documents``, which is empty once they are
    all re-indexed (asking FTS5 would walk the deleted entries of the word).
    """
    if dialect != "sqlite":
        return False
    pending = session.execute(
        select(SearchDocumentRow.id).where(SearchDocumentRow.facets == PENDING).limit(1)
    ).first()
    return pending is None


def optimise(session: Session, dialect: str) -> None:
    """Merge the full-text index after a full re-index (FTS5 keeps deleted entries until then)."""
    if dialect == "sqlite":
        session.execute(_FTS.insert().values(search_fts="optimize"))


def filter_expression(narrow: Sequence[Sequence[str]]) -> str:
    """``(w1 OR w2) AND w3 …``: one word of each group."""
    return " AND ".join(
        "(" + " OR ".join(f"facets:{_quote(word)}" for word in group) + ")" for group in narrow
    )


def _fts5_scores(expression: str, docs: ColumnElement[int]) -> Select[tuple[int, float]]:
    """The BM25 scores of the documents in ``docs`` (all matching ``expression``).

    FTS5 walks the expression only between the smallest and largest id of
    ``docs`` and scores only the rows among them. ``+rowid`` keeps SQLite
    from looking each id up with a MATCH of its own (FTS5 would run the
    whole expression once per id: seconds for a thousand).
    """
    rowid = _FTS.c.rowid
    return select(rowid.label("doc"), (-_bm25()).label("score")).where(
        _FTS.c.search_fts.op("MATCH")(expression),
        rowid >= select(func.min(docs)).scalar_subquery(),
        rowid <= select(func.max(docs)).scalar_subquery(),
        literal_column("+search_fts.rowid").in_(select(docs)),
    )


def _bm25() -> ColumnElement[float]:
    """FTS5's BM25 over words, stems and names; filter words weigh nothing in the rank."""
    weights: list[ColumnElement[Any]] = [literal_column(w) for w in ("1.0", "1.0", "1.0", "0.0")]
    return func.bm25(literal_column("search_fts"), *weights, type_=Float)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _lexeme(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
