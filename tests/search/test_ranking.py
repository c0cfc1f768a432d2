"""The relevance order (tabadul.search.ranking): FTS5's BM25 over the bounded set, counts kept.

The formula's tests need no database; the node tests run on SQLite and
PostgreSQL (PostgreSQL ranks by ``ts_rank_cd`` and counts nothing here).
"""

from __future__ import annotations

import math

import pytest
from sqlalchemy import event, select

from tabadul.model.accounts import Role
from tabadul.search import backends, ranking
from tabadul.search.backends import fts5
from tabadul.search.documents import name_keys
from tabadul.search.query import parse
from tabadul.search.ranking import Frequencies, Term, Totals
from tabadul.storage.tables import SearchDocumentRow
from tests.conftest import make_person
from tests.search.test_search import found, index_now, record


def keys(name):
    return {"tarik": ["trk"], "saidi": ["sd"]}.get(name.lower(), [])


def test_the_terms_are_the_phrases_of_the_fts5_expression():
    tree = parse('tarik "al saidi" tang* -tanger')
    terms = ranking.terms(tree, keys)
    expression = fts5(tree, keys)
    assert [t.expression for t in terms] == [
        'stems:"tarik"',
        'names:"trk"',
        'words:"al saidi"',
        'words:"tang"*',
        'stems:"tang"',  # a negated word's phrases too, as FTS5 sums them
        'stems:"tanger"',
    ]
    for term in terms:
        assert term.expression in expression


def test_a_score_is_fts5s_bm25_with_every_occurrence_counted():
    # Two phrases, the second in "names"; "a a a": three occurrences (not one or two).
    terms = [Term("stems", ("a",)), Term("names", ("k",))]
    weighted = [(terms[0], 2.0), (terms[1], 0.5)]
    totals = Totals(documents=10, mean_length=8.0)
    row = (7, "a a a b", "k", "kindreport tlpamber")  # stems, names, facets
    length = 2 * 4 + 1 + 2  # words as many as stems
    norm = 1.2 * (1 - 0.75 + 0.75 * length / 8.0)
    expected = 2.0 * 3 * 2.2 / (3 + norm) + 0.5 * 1 * 2.2 / (1 + norm)
    assert ranking.scores([row], weighted, totals) == {7: pytest.approx(expected)}
    # A phrase and a prefix in "words" (carried last).
    phrase, prefix = Term("words", ("a", "b")), Term("words", ("ta",), prefix=True)
    assert ranking.carried([phrase]) == ("stems", "names", "facets", "words")
    row = (8, "a b", "", "", "a b a b tanger tarik x")
    scores = ranking.scores([row], [(phrase, 1.0), (prefix, 1.0)], totals)
    norm = 1.2 * (1 - 0.75 + 0.75 * 4 / 8.0)
    assert scores[8] == pytest.approx(2 * 2.2 / (2 + norm) + 2 * 2.2 / (2 + norm))


def test_idf_is_fts5s_floored_at_a_millionth():
    assert ranking.idf(100, 1) == pytest.approx(math.log(99.5 / 1.5))
    assert ranking.idf(10, 9) == 1e-6


def test_counts_are_exact_in_the_window_and_scaled_beyond():
    cap = ranking.COUNT_CAP
    # The window covers every id and the cap was not reached: exact.
    assert ranking.estimate(40, 90, first=1, start=1, last=100) == 40
    # A window of the newest half: twice what it holds.
    assert ranking.estimate(40, 90, first=1, start=51, last=100) == 80
    # The cap reached a quarter of the way into the ids: four times the cap.
    assert ranking.estimate(cap, 25_000, first=1, start=1, last=100_000) == 4 * cap
    # Never more than the ids, nor fewer than were found.
    assert ranking.estimate(cap, cap, first=1, start=1, last=10 * cap) == 10 * cap


def test_counts_are_kept_for_a_while_and_while_the_index_holds_as_many_documents():
    now = [0.0]
    kept = Frequencies(clock=lambda: now[0])
    asked: list[list[str]] = []

    def count(expressions):
        asked.append(list(expressions))
        return [3 for _ in expressions]

    database = type("Database", (), {})()
    assert kept.of(database, ["a", "b"], 1000, count) == {"a": 3, "b": 3}
    assert kept.of(database, ["a", "c"], 1005, count) == {"a": 3, "c": 3}
    assert asked == [["a", "b"], ["c"]]
    kept.of(database, ["a"], 1020, count)  # 2 % more documents: counted again
    now[0] = ranking.MAX_AGE + 1
    kept.of(database, ["a", "b"], 1020, count)  # too old: both counted again
    assert asked == [["a", "b"], ["c"], ["a"], ["a", "b"]]


def test_counts_no_longer_trusted_are_dropped_when_too_many_are_kept(monkeypatch):
    monkeypatch.setattr(ranking, "MAX_KEPT", 3)
    now = [0.0]
    kept = Frequencies(clock=lambda: now[0])
    database = type("Database", (), {})()
    kept.of(database, ["a", "b"], 1000, lambda e: [1 for _ in e])
    now[0] = ranking.MAX_AGE + 1
    kept.of(database, ["c"], 1000, lambda e: [2 for _ in e])
    kept.of(database, ["d"], 1000, lambda e: [3 for _ in e])  # four: a and b are old, dropped
    assert set(kept._kept[database]) == {"c", "d"}


@pytest.fixture
def writer(node):
    return make_person(node, Role.ANALYST, "ranker", clearance="SECRET")


def essaouira(node, writer, counts):
    return [
        record(
            node,
            writer,
            title=f"Observation {i}",
            body=("Essaouira " * n + "Le port de Tanger était calme ce jour-là.").strip(),
            language="fr",
            entities=[],
            mentions=[],
        ).id
        for i, n in enumerate(counts)
    ]


def test_sqlite_scores_are_fts5s_bm25_and_no_statement_asks_fts5_for_it(node, writer):
    ids = essaouira(node, writer, (1, 3, 2))
    record(
        node, writer, title="Autre", body="Rien à Rabat.", language="fr", entities=[], mentions=[]
    )
    index_now(node)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(node.db.engine, "before_cursor_execute", seen)
    try:
        results = found(node, writer, "essaouira tanger")
    finally:
        event.remove(node.db.engine, "before_cursor_execute", seen)
    assert sorted(h.id for h in results.items) == sorted(ids)
    assert results.items[0].score >= results.items[1].score >= results.items[2].score > 0
    assert not any("bm25(" in s for s in statements)
    if node.db.is_sqlite:
        # BM25: the most occurrences first (PostgreSQL's ts_rank_cd weighs them otherwise).
        assert [h.id for h in results.items] == [ids[1], ids[2], ids[0]]
        # The same values as FTS5's bm25() (what the walk carried before), exactly.
        with node.db.reading() as session:
            query = backends.matches("sqlite", parse("essaouira tanger"), name_keys)
            fts = {doc: score for doc, score in session.execute(query)}
            row = SearchDocumentRow
            documents = {r: d for r, d in session.execute(select(row.record_id, row.id))}
        for hit in results.items:
            assert hit.score == pytest.approx(fts[documents[hit.id]], rel=1e-9)


def test_phrase_counts_are_kept_between_searches(node, writer, monkeypatch):
    essaouira(node, writer, (1, 2))
    index_now(node)
    asked: list[list[str]] = []
    count = backends.fts5_counts

    def counting(session, expressions):
        asked.append(list(expressions))
        return count(session, expressions)

    monkeypatch.setattr(backends, "fts5_counts", counting)
    first = found(node, writer, "essaouira")
    again = found(node, writer, "essaouira", tlp="AMBER")
    assert [h.score for h in again.items] == [h.score for h in first.items]
    # SQLite counts the query's phrases once; PostgreSQL's rank counts nothing here.
    assert len(asked) == (1 if node.db.is_sqlite else 0)


def test_phrase_counts_are_estimated_past_the_window(node, writer, monkeypatch):
    if not node.db.is_sqlite:
        pytest.skip("PostgreSQL's ts_rank_cd counts no phrases")
    essaouira(node, writer, (1, 1, 1, 1))
    index_now(node)
    with node.db.reading() as session:
        exact = backends.fts5_counts(session, ['stems:"essaou"', 'stems:"tang"'])
        assert exact == [4, 4]
        # Only the newest two documents walked: as frequent in all four as in those.
        monkeypatch.setattr(ranking, "COUNT_WINDOW", 2)
        assert backends.fts5_counts(session, ['stems:"essaou"', 'stems:"rabat"']) == [4, 0]
        # The cap reached at the first of them: one in two.
        monkeypatch.setattr(ranking, "COUNT_WINDOW", 4)
        monkeypatch.setattr(ranking, "COUNT_CAP", 1)
        assert backends.fts5_counts(session, ['stems:"essaou"']) == [4]
