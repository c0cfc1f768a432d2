"""How the candidate index reads its postings: the two ways agree, and the best are found."""

import numpy as np
import pytest

from tabadul.names import NameIndex
from tabadul.names import index as index_module
from tabadul.synthetic import Generator


def _reference(scores, limit):
    """The positive scores' positions, best first, ties by position: by brute force."""
    positive = [(-float(s), p) for p, s in enumerate(scores) if s > 0]
    return [p for _, p in sorted(positive)[:limit]]


@pytest.mark.parametrize(
    "scores",
    [
        # Few distinct sums of key weights, as blocking makes: ties everywhere.
        np.random.default_rng(1).choice([0, 0, 0, 1.5, 2.0, 3.25, 6.0], 5000),
        np.random.default_rng(2).random(5000) * (np.random.default_rng(3).random(5000) < 0.1),
        np.zeros(5000),
        # Fewer positive scores than asked for.
        np.where(np.arange(5000) % 997 == 0, 2.0, 0.0),
        # The sample (every 16th score) sees only the best: fewer than asked reach its cut.
        np.where(np.arange(5000) % 16 == 0, 9.0, np.where(np.arange(5000) % 3 == 0, 1.0, 0.0)),
        # The sample sees nothing at all.
        np.where(np.arange(5000) % 16 == 1, 4.0, 0.0),
        # One score shared by thousands, a few above it.
        np.where(np.arange(5000) < 40, 7.0, 3.0),
    ],
)
@pytest.mark.parametrize("limit", [1, 10, 100, 400])
def test_the_best_scores_are_found_without_sorting_them_all(scores, limit):
    scores = scores.astype(np.float32)
    assert index_module._top(scores, limit) == _reference(scores, limit)


@pytest.fixture(scope="module")
def crowd():
    people = Generator(seed=7).people(1500)
    pairs = [(f"p{i}", name) for i, p in enumerate(people) for name in (p.arabic, *p.latin)]
    return NameIndex(pairs), people


def test_common_and_rare_queries_read_either_way_give_the_same_candidates(crowd, monkeypatch):
    index, people = crowd
    queries = [p.latin[-1] for p in people[:30]] + [p.arabic for p in people[30:60]]
    queries += ["Mohamed Ahmed", "محمد علي", "Abdelkader Ben Ali"]  # common elements only
    everything = len(index)
    monkeypatch.setattr(index_module, "_DENSE", 10**9)  # every query read in whole-array passes
    dense = [index.candidates(q, limit=everything) for q in queries]
    dense_few = [index.candidates(q, limit=20) for q in queries]
    monkeypatch.setattr(index_module, "_DENSE", 0)  # every query read position by position
    sparse = [index.candidates(q, limit=everything) for q in queries]
    assert dense == sparse
    assert dense_few == [found[:20] for found in dense]
    assert all(dense)


def test_searches_rank_the_same_either_way(crowd, monkeypatch):
    index, people = crowd
    queries = [p.latin[-1] for p in people[:40]]
    ranked = []
    for dense in (10**9, 0):
        monkeypatch.setattr(index_module, "_DENSE", dense)
        ranked.append([[(c.id, c.score) for c in index.search(q, k=10)] for q in queries])
    assert ranked[0] == ranked[1]
    # Each spelling is indexed, so its own record is among the best (namesakes may tie).
    assert all(f"p{i}" in {rid for rid, _ in found} for i, found in enumerate(ranked[0]))
