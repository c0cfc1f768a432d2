"""How the candidate index reads its postings: the two ways agree, and the best are found."""

import gc
import random
from itertools import product

import numpy as np
import pytest

from tabadul.names import NameIndex, compare, posting
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
        # The top of the 16-bit range.
        np.where(
            np.arange(5000) % 7 == 0, 655.35, np.where(np.arange(5000) % 5 == 0, 655.34, 0.01)
        ),
    ],
)
@pytest.mark.parametrize("limit", [1, 10, 100, 400])
def test_the_best_scores_are_found_without_sorting_them_all(scores, limit):
    scores = np.round(scores * 100).astype(np.uint16)  # blocking's scores: small integers
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
    # Every name blocked: at a cut the two ways may keep different names among those tied
    # at the last place (NameIndex.candidates), and the re-ranking then sees others.
    everything = len(index)
    for dense in (10**9, 0):
        monkeypatch.setattr(index_module, "_DENSE", dense)
        ranked.append(
            [[(c.id, c.score) for c in index.search(q, k=10, blocked=everything)] for q in queries]
        )
    assert ranked[0] == ranked[1]
    # Each spelling is indexed, so its own record is among the best (namesakes may tie).
    assert all(f"p{i}" in {rid for rid, _ in found} for i, found in enumerate(ranked[0]))


def test_an_index_weighs_elements_by_how_common_they_are_among_its_names():
    # Twelve thousand synthetic names, every one "Karim Hicham" and a family name of
    # its own: there, two agreeing given names say little and the family name decides.
    consonants = "bdfklmnrt"  # no s or z: no family name here is near Zasabi
    families = ["".join(p) for p in product(consonants, "aiu", consonants, "aiu", consonants)]
    index = NameIndex((f"n{i}", f"Karim Hicham {f.title()}i") for i, f in enumerate(families))
    index.add("decoy", "كريم هشام الصالبي")
    alone = compare("Karim Hicham Zasabi", "كريم هشام الصالبي")
    (found,) = [c for c in index.search("Karim Hicham Zasabi", k=50) if c.id == "decoy"]
    assert alone.score > 0.85, alone.reasons
    assert found.score < alone.score - 0.1, found.match.reasons
    assert any("common among the names held, weighs 0.33" in r for r in found.match.reasons)
    # A handful of names says nothing about rarity: the engine's own weights decide.
    small = NameIndex([("decoy", "كريم هشام الصالبي"), ("other", "Karim Hicham Nadiri")])
    assert small.search("Karim Hicham Zasabi", k=1)[0].score == pytest.approx(alone.score, abs=0.02)


def test_a_bulk_build_indexes_the_same_and_leaves_the_collector_as_it_was():
    people = Generator(seed=11).people(50)
    pairs = [(f"p{i}", name) for i, p in enumerate(people) for name in (p.arabic, *p.latin)]
    one_by_one = NameIndex()
    for record_id, name in pairs:
        one_by_one.add(record_id, name)
    bulk = NameIndex(pairs)
    query = people[3].latin[0]
    assert [(c.id, c.score) for c in bulk.search(query)] == [
        (c.id, c.score) for c in one_by_one.search(query)
    ]
    assert gc.isenabled()

    def failing():
        yield pairs[0]
        raise ValueError("a bad row")

    with pytest.raises(ValueError, match="a bad row"):
        NameIndex(failing())
    assert gc.isenabled()
    gc.disable()
    try:
        NameIndex(pairs[:3])
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()


def test_a_query_of_many_rare_elements_does_not_overflow_the_scores():
    # Blocking adds 16-bit integer weights: a hundred elements held by one name
    # each would pass 65,535 at the usual 1/256 scale, so the scale is coarser.
    rng = random.Random(5)
    words = [
        "".join(rng.choice("bdfgklmnrstz") + rng.choice("aiu") for _ in range(4))
        for _ in range(100)
    ]
    people = [p.latin[0] for p in Generator(seed=11).people(400)]
    index = NameIndex(
        [(f"p{i}", name) for i, name in enumerate(people)] + [("long", " ".join(words))]
    )
    half = " ".join(words[:50])
    index.add("half", half)
    assert index.candidates(" ".join(words), limit=2) == [len(people), len(people) + 1]


def test_an_arabic_letter_said_otherwise_is_a_blocking_key():
    # ذ is said d in Egypt and the Maghreb, ث s: الحذيني is written Hadini, ثابت Sabet.
    # Their skeletons then agree exactly, not only on the dental key shared by
    # every t, d, th, s, z and dh (a key held by tens of thousands at a million names).
    assert posting.keys_of("حذيني").get("HDN") == 1.0
    assert posting.keys_of("hadini").get("HDN") == 1.0
    assert posting.keys_of("ثابت").get("SBT") == 1.0
    assert posting.keys_of("sabet").get("SBT") == 1.0


def test_the_reranking_takes_names_of_one_element_and_of_many():
    # The re-ranking's table is as wide as its longest candidate: one element
    # (a token list) and eight or more (a long nasab chain) both work.
    tokens = [p.latin[0].split()[-1] for p in Generator(seed=3).people(600)]
    index = NameIndex([(str(i), token) for i, token in enumerate(tokens)])
    best = index._rerank("Benjelloun", list(range(len(tokens))), 1)  # Benjellun is as close
    assert tokens[best[0]] in {"Benjelloun", "Benjellun"}
    chain = "Ali ben Hassan ben Omar ben Youssef ben Khaled ben Ahmed ben Karim ben Tarik Saidi"
    index.add("chain", chain)
    everyone = list(range(len(index)))
    assert index._rerank(chain, everyone, 1) == [len(index) - 1]
