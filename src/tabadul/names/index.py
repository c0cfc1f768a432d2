"""The in-memory candidate index: screen one name against millions.

Three stages, as in record-linkage systems: *blocking* finds the names that
share a key with the query, a *cheap re-ranking* keeps the most promising
few dozen, and *scoring* runs :func:`tabadul.names.compare` on those alone.
The re-ranking pairs query and candidate elements one to one, as the full
comparison aligns them, in two passes: C-speed fuzzy ratios over coarse
skeletons keep a few hundred, then the comparison's own weighted distance
between skeletons (computed in NumPy for all of them at once) picks the few
dozen.

Blocking keys (:mod:`tabadul.names.posting`) are the coarse skeletons of a
name's elements and their near forms. Each candidate is ranked by the rarity
(inverse document frequency) of the keys it shares with the query, one best
key per query element; posting lists longer than ``max_postings`` (a
"Mohammed" in a million names) are read only when the query has nothing
rarer.
"""

from __future__ import annotations

import gc
import math
import operator
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from tabadul.names.distance import similarity_table
from tabadul.names.packed import PackedForms
from tabadul.names.posting import (
    COARSE_KEY,
    FINE_TO_ROUGH,
    ROUGH_KEY,
    element_readings,
    fine_readings,
    held,
    keys_by_element,
    name_keys,
    rough_readings,
)
from tabadul.names.rarity import Rarity, element_key
from tabadul.names.scoring import NameMatch, Prepared, Token, compare_prepared, prepare

__all__ = ["Candidate", "NameIndex"]

_JOINED = 0.9  # re-ranking: a query element against two candidate elements joined
# Blocking reads its postings position by position unless they number more than an
# index's size over this; then in whole-array passes (NameIndex.candidates).
_DENSE = 8
_SAMPLE = 16  # ... and finds its best among every so-many scores (_top)
_PRESELECT = 300  # the re-ranking's first pass keeps this many for the weighted distance
_SLOTS = 8  # the re-ranking looks at a candidate's first eight elements


def _conflicts(slots: int) -> npt.NDArray[np.bool_]:
    """Which slots of the re-ranking table use an element that slot ``i`` uses.

    Slots ``0 .. slots-1`` are the elements; slot ``slots + k`` is elements
    ``k`` and ``k + 1`` joined.
    """
    width = 2 * slots - 1
    uses = np.zeros((width, slots), dtype=np.bool_)
    for k in range(slots):
        uses[k, k] = True
    for k in range(slots - 1):
        uses[slots + k, k] = uses[slots + k, k + 1] = True
    return (uses.astype(np.int8) @ uses.T.astype(np.int8)) > 0


# Which slots exclude which, for a table of the first 1 .. _SLOTS elements.
_CONFLICTS = {slots: _conflicts(slots) for slots in range(1, _SLOTS + 1)}


def _distinct(forms: list[str]) -> tuple[list[str], list[int]]:
    """The distinct forms, and where each of ``forms`` is among them."""
    place: dict[str, int] = {}
    rows = [place.setdefault(form, len(place)) for form in forms]
    return list(place), rows


def _ratios(query: list[str], tokens: list[str]) -> npt.NDArray[np.float64]:
    """Fuzzy ratios (0–100, whole numbers) of query forms × tokens, at C speed on one core."""
    ratios = process.cdist(query, tokens, scorer=fuzz.ratio, dtype=np.uint8, workers=1)
    return ratios.astype(np.float64)


def _fuzzy(query: list[str], tokens: list[str]) -> npt.NDArray[np.float64]:
    """Fuzzy ratios (0–100) of query readings × skeletons, on the coarse and rough alphabets."""
    coarse_tokens = " ".join(tokens).translate(COARSE_KEY)  # one translate, not thousands
    # Readings of one element may agree on either alphabet: each is compared once.
    coarse_query, coarse_rows = _distinct([q.translate(COARSE_KEY) for q in query])
    rough_query, rough_rows = _distinct([q.translate(FINE_TO_ROUGH) for q in query])
    ratios = _ratios(coarse_query, coarse_tokens.split(" "))
    rough = _ratios(rough_query, coarse_tokens.translate(ROUGH_KEY).split(" "))
    # The rougher alphabet forgives what the weighted distance forgives
    # (voicing, sh/s, Spanish j), at a discount.
    return np.maximum(ratios[coarse_rows], 0.9 * rough[rough_rows])


def _assign(
    table: npt.NDArray[np.float64], conflicts: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Greedy one-to-one pairing, best pair first, of every candidate at once.

    ``table`` is candidates × query elements × slots (weighted similarities;
    it may be overwritten); returns each candidate's sum over the pairs chosen.
    """
    table = np.ascontiguousarray(table)  # ``flat`` must be a view of it
    count, rows, width = table.shape
    total = np.zeros(count, dtype=np.float64)
    every = np.arange(count)
    flat = table.reshape(count, rows * width)
    for _ in range(rows):
        pick = flat.argmax(axis=1)
        value = flat[every, pick]
        if not value.any():
            break
        total += value
        row, slot = np.divmod(pick, width)
        table[every, row, :] = 0.0
        table *= ~conflicts[slot][:, None, :]
    return total


@dataclass(frozen=True, slots=True)
class Candidate:
    """One search result: the record id, the indexed name, and the comparison."""

    id: str
    name: str
    score: float
    match: NameMatch


def _query_forms(
    tokens: list[Token], forms_of: Callable[[str], tuple[str, ...]]
) -> tuple[list[str], list[int]]:
    """Every query element's forms in one list, and where each element's start."""
    forms: list[str] = []
    rows: list[int] = []
    for token in tokens:
        rows.append(len(forms))
        forms.extend(forms_of(token.text))
    return forms, rows


def _top(scores: npt.NDArray[np.uint16], limit: int) -> list[int]:
    """The positions of the ``limit`` highest positive scores, best first (ties: lower first).

    Without sorting the whole array: the counts of each score among every
    ``_SAMPLE``-th name give a score that about ``2 * limit`` reach, and only
    those are sorted (a radix sort, the scores being small integers). Where
    the sample misleads (fewer than ``limit`` reach it), every positive score
    is.
    """
    cut = 1
    sample = scores[::_SAMPLE]
    wanted = 2 * limit // _SAMPLE + 1
    if len(sample) > wanted:
        reaching = np.cumsum(np.bincount(sample)[::-1])  # how many score the most, or one less…
        cut = max(1, len(reaching) - 1 - int(np.searchsorted(reaching, wanted)))
    positions = np.flatnonzero(scores >= cut)
    if len(positions) < limit and cut > 1:
        positions = np.flatnonzero(scores)
    order = np.argsort(~scores[positions], kind="stable")[:limit]  # ~: highest first
    best: list[int] = positions[order].tolist()
    return best


class NameIndex:
    """Candidate index over ``(id, name)`` pairs; several names may share one id."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), *, max_postings: int = 40000):
        self._ids: list[str] = []
        # Each name kept prepared (parsed, with its skeletons): scoring a
        # candidate then skips the parsing that a first sight of a name costs
        # (~0.4 ms of a cold comparison's ~0.45). Costs ~0.5 KB a name.
        self._prepared: list[Prepared] = []
        # The re-ranking's view of each name: the ids of its first _SLOTS elements
        # (0 past its last), an id standing for an element's readings (one for
        # every spelling that reads the same), and each id's readings.
        self._elements = array("i")
        self._element_ids: dict[str, int] = {}  # element text → id
        self._shape_ids: dict[str, int] = {}  # an element's readings → id
        self._fine = PackedForms()  # each id's readings, its skeleton first
        self._rough = PackedForms()  # ... those that differ on the rough alphabet, on it
        self._fine.append([""])  # id 0: no element
        self._rough.append([""])
        self._seen = np.zeros(0, dtype=np.int32)  # scratch for _distinct_ids, one per id
        self._building: dict[str, array[int]] = {}
        self._postings: dict[str, npt.NDArray[np.int32]] = {}
        # Blocking's scratch scores, in 1/256ths of a key's weight or coarser (candidates).
        self._best: npt.NDArray[np.uint16] = np.zeros(0, dtype=np.uint16)
        self._total: npt.NDArray[np.uint16] = np.zeros(0, dtype=np.uint16)
        # How many names hold each element: a "Karim" in every tenth name weighs
        # less than a family name held by a few (tabadul.names.rarity).
        self._counts: dict[str, int] = {}
        self.rarity = Rarity({}, 0)
        self.max_postings = max_postings
        self.extend(pairs)

    def __len__(self) -> int:
        return len(self._ids)

    def extend(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Index many ``(id, name)`` pairs: :meth:`add` each, the cyclic collector paused.

        An index is millions of small, long-lived objects (the prepared names)
        that hold no cycles. Left running, the collector scans all of them
        again every few thousand names: a third of the time of a build
        (``bench/names_speed.py --one-by-one``; docs/benchmarks.md, Names,
        Speed, session 10). It runs
        again as soon as the names are in, for whatever else the process made.
        """
        paused = gc.isenabled()
        gc.disable()
        try:
            for record_id, name in pairs:
                self.add(record_id, name)
        finally:
            if paused:
                gc.enable()

    def add(self, record_id: str, name: str) -> None:
        """Index one name of a record (:meth:`extend` for many)."""
        position = len(self._ids)
        prepared = prepare(name)
        self._ids.append(record_id)
        self._prepared.append(prepared)
        ids = [self._element_id(t.text) for t in prepared.tokens[:_SLOTS]]
        self._elements.extend(ids + [0] * (_SLOTS - len(ids)))
        counts = self._counts  # by coarse skeleton; element_key is applied when frozen
        for form in held(prepared):
            counts[form] = counts.get(form, 0) + 1
        building = self._building
        for key in name_keys(prepared):
            postings = building.get(key)
            if postings is None:
                postings = building[key] = array("i")
            postings.append(position)

    def _element_id(self, text: str) -> int:
        """The re-ranking's id for an element: one for all spellings with the same readings."""
        found = self._element_ids.get(text)
        if found is None:
            fine, rough = element_readings(text)
            shape = " ".join(fine)
            found = self._shape_ids.get(shape)
            if found is None:
                found = self._shape_ids[shape] = len(self._fine)
                self._fine.append(fine)
                self._rough.append(rough)
            self._element_ids[text] = found
        return found

    def _freeze(self) -> None:
        for key, postings in self._building.items():
            old = self._postings.get(key)
            new = np.frombuffer(postings, dtype=np.int32)
            self._postings[key] = new.copy() if old is None else np.concatenate([old, new])
        self._building = {}
        held = {element_key(coarse): count for coarse, count in self._counts.items()}
        self.rarity = Rarity(held, len(self._ids))

    def candidates(self, name: str, limit: int = 100) -> list[int]:
        """Positions of the names that share the most (and rarest) keys with ``name``.

        Each query element adds, to every name that shares a key with it, the
        weight of the best key they share (its IDF; a near key at 0.6). Dense
        scratch arrays stand in for per-query dictionaries and sorts: writes in
        ascending weight order leave the maximum, and NumPy's buffered ``+=``
        adds once per name however many keys it shares. So an index is not
        safe to search from two threads at once.

        A query of common elements touches a large part of the index (at a
        million names, a quarter to half a million postings): those are added
        in whole-array passes, one per element, and the best found by
        :func:`_top`; a query of rare elements reads its postings one by one
        (:meth:`_sparse`). Both rank by the same scores; the second may keep
        other names among those tied at the last place.
        """
        if self._building:
            self._freeze()
        size = len(self._ids)
        if len(self._best) != size:
            self._best = np.zeros(size, dtype=np.uint16)
            self._total = np.zeros(size, dtype=np.uint16)
        best, total = self._best, self._total
        elements: list[list[tuple[float, npt.NDArray[np.int32]]]] = []
        for element in keys_by_element(prepare(name)):
            present = [
                (w, p) for key, w in element.items() if (p := self._postings.get(key)) is not None
            ]
            if not present:
                continue
            usable = [(w, p) for w, p in present if len(p) <= self.max_postings]
            if not usable:
                # Only huge lists: read the smallest, truncated, so a query made of
                # common names still gets candidates.
                w, p = min(present, key=lambda item: len(item[1]))
                usable = [(w, p[: self.max_postings])]
            elements.append(
                sorted(
                    ((w * math.log(1 + size / len(p)), p) for w, p in usable),
                    key=operator.itemgetter(0),
                )
            )
        if not elements:
            return []
        # Scores in small integers: 16-bit scratch arrays are half the memory
        # traffic of 32-bit floats (docs/benchmarks.md, Names, Speed, session 11).
        # In 1/256ths of a weight, or coarser where the query's elements together
        # could pass 65,535.
        scale = min(256.0, 65000.0 / sum(usable[-1][0] for usable in elements))
        weighed = [[(max(1, int(w * scale)), p) for w, p in keys] for keys in elements]
        if sum(len(p) for keys in weighed for _, p in keys) * _DENSE < size:
            return self._sparse(weighed, limit)
        # Many postings (common elements): whole-array passes beat gathering and
        # scattering each of a few hundred thousand positions several times over.
        for keys in weighed:
            for weight, postings in keys:
                best[postings] = weight
            np.add(total, best, out=total)
            best.fill(0)
        positions = _top(total, limit)
        total.fill(0)
        return positions

    def _sparse(
        self, elements: list[list[tuple[int, npt.NDArray[np.int32]]]], limit: int
    ) -> list[int]:
        """:meth:`candidates` for a query whose postings are few: only they are touched."""
        best, total = self._best, self._total
        touched_all = []
        for usable in elements:
            for weight, postings in usable:
                best[postings] = weight
            touched = np.concatenate([p for _, p in usable])
            total[touched] += best[touched]
            best[touched] = 0
            touched_all.append(touched)
        touched = np.concatenate(touched_all)
        scores = total[touched]
        if len(touched) > 4 * limit:
            keep = np.argpartition(~scores, 4 * limit)[: 4 * limit]  # ~: highest first
            touched, scores = touched[keep], scores[keep]
        unique, first = np.unique(touched, return_index=True)
        scores = scores[first]
        for part in touched_all:
            total[part] = 0
        order = np.argsort(~scores, kind="stable")[:limit]
        found: list[int] = unique[order].tolist()
        return found

    def _rerank(self, name: str, positions: list[int], limit: int) -> list[int]:
        """Keep the ``limit`` candidates whose elements best cover the query's, cheaply.

        Each query element is paired with at most one element of the candidate
        (or two adjacent ones joined), and each candidate element with at most
        one query element, greedily, best pair first, as the full comparison
        aligns them; the pairs' similarities are summed with the query
        elements' weights. Two passes: fuzzy ratios on the rough alphabet (C
        speed) keep the best ``_PRESELECT``, then the weighted distance of the
        full comparison (:func:`~tabadul.names.distance.similarity_table`, in
        NumPy) ranks those.
        """
        query_tokens = [t for t in prepare(name).tokens if t.coarse]
        if not query_tokens or not positions:
            return positions[:limit]
        weights = np.array([t.weight for t in query_tokens], dtype=np.float64)
        chosen = np.array(positions, dtype=np.intp)
        if len(chosen) > _PRESELECT:
            rough, rows = _query_forms(query_tokens, rough_readings)
            rough = [form.translate(FINE_TO_ROUGH) for form in rough]
            score = self._cover(chosen, rough, rows, weights, rough=True)
            chosen = chosen[np.argsort(-score, kind="stable")[:_PRESELECT]]
        query, rows = _query_forms(query_tokens, fine_readings)
        score = self._cover(chosen, query, rows, weights, rough=False)
        best: list[int] = chosen[np.argsort(-score, kind="stable")[:limit]].tolist()
        return best

    def _cover(
        self,
        positions: npt.NDArray[np.intp],
        query: list[str],
        rows: list[int],
        weights: npt.NDArray[np.float64],
        *,
        rough: bool,
    ) -> npt.NDArray[np.float64]:
        """The re-ranking's score of each candidate: how well its elements cover the query's.

        ``query`` holds every query element's readings, element ``i``'s from
        ``rows[i]``. Each distinct element among the candidates, and each
        distinct pair of adjacent elements joined, is compared once; NumPy
        lays the results out as candidates × query elements × slots (a
        candidate's first ``_SLOTS`` elements, then its adjacent pairs) for the
        greedy pairing.
        """
        held = np.frombuffer(self._elements, dtype=np.int32).reshape(-1, _SLOTS)[positions]
        counts = np.count_nonzero(held, axis=1)
        # Slots past every candidate's last element would only hold zeros: the
        # table is as wide as the longest candidate (the same pairing, less work).
        slots = max(1, int(counts.max()))
        held = np.ascontiguousarray(held[:, :slots])
        ids, where = self._distinct_ids(held.ravel())
        single = self._element_similarity(query, rows, ids, rough=rough)
        single[:, ids == 0] = 0.0  # slots past a name's last element
        cells = single[:, where].reshape(len(rows), len(positions), slots)
        joined = self._joined_similarity(held, query, rows, rough=rough)
        joined *= _JOINED  # a join is a guess: it must agree closely to count
        table = np.concatenate((cells, joined), axis=2)
        table *= weights[:, None, None]
        score = _assign(table.transpose(1, 0, 2), _CONFLICTS[slots])
        # Elements the query lacks cost a little, as in the full comparison.
        extra = np.maximum(0, counts - len(rows))
        covered: npt.NDArray[np.float64] = score - 15.0 * extra
        return covered

    def _distinct_ids(
        self, ids: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """The distinct element ids among ``ids``, and where each of ``ids`` is among them.

        What ``np.unique`` gives, in another order, without sorting: a scratch
        array, one place per element id, records where each id was seen.
        """
        if len(self._seen) != len(self._fine):
            self._seen = np.zeros(len(self._fine), dtype=np.int32)
        seen = self._seen
        order = np.arange(len(ids), dtype=np.int32)
        seen[ids] = order  # of an id seen twice, one place is kept
        distinct = ids[seen[ids] == order]
        seen[distinct] = np.arange(len(distinct), dtype=np.int32)
        return distinct, seen[ids]

    def _element_similarity(
        self, query: list[str], rows: list[int], ids: npt.NDArray[np.int32], *, rough: bool
    ) -> npt.NDArray[np.float64]:
        """Query elements × elements ``ids``: the best of their readings' similarities (0–100).

        On the rough alphabet, fuzzy ratios; otherwise the weighted distance of
        the full comparison, once per distinct skeleton.
        """
        forms, many = (self._rough if rough else self._fine).forms(ids)
        starts = np.cumsum(many) - many
        if rough:
            similar = _ratios(query, forms)
        else:
            distinct, where = _distinct(forms)
            similar = 100.0 * similarity_table(query, distinct).astype(np.float64)[:, where]
        return np.maximum.reduceat(np.maximum.reduceat(similar, starts, axis=1), rows, axis=0)

    def _joined_similarity(
        self, held: npt.NDArray[np.int32], query: list[str], rows: list[int], *, rough: bool
    ) -> npt.NDArray[np.float64]:
        """Query elements × candidates × adjacent pairs: each pair's skeletons joined, compared.

        The query may write two elements as one word (Nurjan for نور جان), as
        the full comparison allows. Fuzzy ratios (0–100); 0 where a candidate
        has no such pair.
        """
        left, right = held[:, :-1], held[:, 1:]
        both = (left > 0) & (right > 0)
        size = len(self._fine)
        pairs, where = np.unique(
            left[both].astype(np.int64) * size + right[both], return_inverse=True
        )
        similar = np.zeros((len(rows), len(pairs) + 1), dtype=np.float64)
        if len(pairs):
            # Each element's first form is its skeleton (on the rough alphabet, in _rough).
            joined = (self._rough if rough else self._fine).joined(*np.divmod(pairs, size))
            ratios = _ratios(query, joined) if rough else _fuzzy(query, joined)
            similar[:, :-1] = np.maximum.reduceat(ratios, rows, axis=0)
        cells = np.full(both.shape, len(pairs), dtype=np.intp)
        cells[both] = where
        return similar[:, cells]

    def search(
        self, name: str, k: int = 10, *, limit: int = 50, blocked: int = 2000
    ) -> list[Candidate]:
        """The ``k`` best-scoring records for ``name``, one result per id, best first.

        The ``blocked`` names that share the rarest keys are re-ranked cheaply
        by their skeletons (fuzzy ratios, then the weighted distance); the
        best ``limit`` of those are compared in full, each element weighed by
        how common it is among the names indexed (:attr:`rarity`).
        """
        positions = self.candidates(name, blocked)
        if len(positions) > limit:
            positions = self._rerank(name, positions, limit)
        query = prepare(name)
        best: dict[str, Candidate] = {}
        for position in positions:
            record_id, indexed = self._ids[position], self._prepared[position]
            result = compare_prepared(query, indexed, rarity=self.rarity)
            current = best.get(record_id)
            if current is None or result.score > current.score:
                best[record_id] = Candidate(record_id, indexed.name, result.score, result)
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.id))
        return ranked[:k]
