"""The in-memory candidate index: screen one name against millions.

Three stages, as in record-linkage systems: *blocking* finds the names that
share a key with the query, a *cheap re-ranking* keeps the most promising
few dozen, and *scoring* runs :func:`tabadul.names.compare` on those alone.
The re-ranking pairs query and candidate elements one to one, as the full
comparison aligns them, in two passes: C-speed fuzzy ratios over coarse
skeletons keep a few hundred, then the comparison's own weighted distance
between skeletons (computed in NumPy for all of them at once) picks the few
dozen.

Blocking keys are the coarse skeletons of a name's elements, plus every
skeleton one letter shorter (a deletion neighbourhood, as in SymSpell), so
that ``Osman`` (``SMN``) still meets ``عثمان`` (``TMN``) through ``MN``.
Skeletons of four letters or more also post every skeleton two letters
shorter, and every skeleton its form on a rough alphabet (d/t, sh/s and
h/kh/j/y/q merged) and its form with the dentals and sibilants merged
(t, d, th, s, z, dh), at lower weights (0.3, 0.7 and 0.7). Arabic elements
also post the skeletons of their learnt Latin spellings, and Latin elements
those of their other readings (German ``ch`` as خ, an inner ``dh`` or ``sh``
as two letters, ``y`` as a Spanish ج: see :func:`_fine_readings`).
Each candidate is ranked by the rarity (inverse document frequency) of the
keys it shares with the query, one best key per query element; posting
lists longer than ``max_postings`` (a "Mohammed" in a million names) are
read only when the query has nothing rarer.
"""

from __future__ import annotations

import gc
import math
import operator
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from tabadul.names.comparable import GERMAN_CH, coarse, readings, skeleton
from tabadul.names.distance import similarity_table
from tabadul.names.normalise import is_arabic
from tabadul.names.rarity import Rarity, element_key
from tabadul.names.scoring import NameMatch, Prepared, Token, compare_prepared, prepare
from tabadul.names.variants import known_spellings

__all__ = ["Candidate", "NameIndex"]

_NEAR = 0.6  # a key shared only through a one-letter deletion counts this much
_NEAR2 = 0.3  # ... and through two deletions
_ROUGH = 0.7  # ... and on the rough alphabet
_DENTAL = 0.7  # ... and on the coarse alphabet with dentals and sibilants merged
_JOINED = 0.9  # re-ranking: a query element against two candidate elements joined
_ROUGH_KEY = str.maketrans("DCYHK", "TSJJJ")
_COARSE_KEY = str.maketrans("GXZW", "JHSF")  # as comparable.coarse
_FINE_TO_ROUGH = str.maketrans("GXZWDCYHK", "JJSFTSJJJ")  # the two above, in one
_DENTAL_COARSE = str.maketrans("DS", "TT")  # on a coarse form: t d th s z dh all one
_OTHER_READINGS = re.compile("/[A-Z]*")
_SPACE, _SLASH, _BAR = b" /|"
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


_CONFLICTS = _conflicts(_SLOTS)
_WIDTH = 2 * _SLOTS - 1


def _rough(query: list[str], tokens: list[str]) -> npt.NDArray[np.float64]:
    """Fuzzy ratios (0–100) of query readings × skeletons on the rough alphabet alone."""
    return process.cdist(
        [q.translate(_FINE_TO_ROUGH) for q in query],
        " ".join(tokens).translate(_FINE_TO_ROUGH).split(" "),  # one translate, not thousands
        scorer=fuzz.ratio,
        dtype=np.uint8,
        workers=1,
    ).astype(np.float64)


def _distinct(forms: list[str]) -> tuple[list[str], list[int]]:
    """The distinct forms, and where each of ``forms`` is among them."""
    place: dict[str, int] = {}
    rows = [place.setdefault(form, len(place)) for form in forms]
    return list(place), rows


def _fuzzy(query: list[str], tokens: list[str]) -> npt.NDArray[np.float64]:
    """Fuzzy ratios (0–100) of query readings × skeletons, on the coarse and rough alphabets."""
    coarse_tokens = " ".join(tokens).translate(_COARSE_KEY)  # one translate, not thousands
    # Readings of one element may agree on either alphabet: each is compared once.
    coarse_query, coarse_rows = _distinct([q.translate(_COARSE_KEY) for q in query])
    rough_query, rough_rows = _distinct([q.translate(_FINE_TO_ROUGH) for q in query])
    ratios = process.cdist(
        coarse_query,
        coarse_tokens.split(" "),
        scorer=fuzz.ratio,
        dtype=np.uint8,
        workers=1,
    )
    rough = process.cdist(
        rough_query,
        coarse_tokens.translate(_ROUGH_KEY).split(" "),
        scorer=fuzz.ratio,
        dtype=np.uint8,
        workers=1,
    )
    # The rougher alphabet forgives what the weighted distance forgives
    # (voicing, sh/s, Spanish j), at a discount.
    return np.maximum(
        ratios.astype(np.float64)[coarse_rows], 0.9 * rough.astype(np.float64)[rough_rows]
    )


@dataclass(frozen=True, slots=True)
class _Slots:
    """Candidates' skeletons laid out for the re-ranking (see ``NameIndex._slots``)."""

    tokens: list[str]  # every reading of every element, then the joined pairs
    single: int  # how many of ``tokens`` are elements' readings
    starts: npt.NDArray[np.intp]  # where each slot's readings start in ``tokens``
    cells: npt.NDArray[np.intp]  # each slot's cell in the candidates × _WIDTH table
    extra: npt.NDArray[np.float64]  # elements beyond the query's, per candidate


def _table(
    similar: npt.NDArray[np.float64],
    rows: list[int],
    slots: _Slots,
    count: int,
    weights: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Candidates × query elements × slots, weighted, from query readings × skeletons.

    A query element scores its best reading, a slot its best reading; joined
    slots count at the ``_JOINED`` discount. Elements past the first
    ``_SLOTS`` go to one spare cell, dropped.
    """
    per_slot = np.maximum.reduceat(similar, slots.starts, axis=1)
    per_slot = np.maximum.reduceat(per_slot, rows, axis=0)
    flat = np.zeros((len(rows), count * _WIDTH + 1), dtype=np.float64)
    flat[:, slots.cells] = per_slot
    table = flat[:, :-1].reshape(len(rows), count, _WIDTH).transpose(1, 0, 2)
    table[:, :, _SLOTS:] *= _JOINED  # a join is a guess: it must agree closely to count
    table *= weights[None, :, None]
    return table


def _assign(table: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
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
        table *= ~_CONFLICTS[slot][:, None, :]
    return total


@dataclass(frozen=True, slots=True)
class Candidate:
    """One search result: the record id, the indexed name, and the comparison."""

    id: str
    name: str
    score: float
    match: NameMatch


def _element_keys(prepared: Prepared) -> list[dict[str, float]]:
    """Blocking keys for each element of a name: key → how much sharing it counts."""
    out = []
    for token in prepared.tokens:
        if token.kind == "initial":
            continue
        keys = _keys_of(token.text)
        if keys:
            out.append(keys)
    return out


@lru_cache(maxsize=262144)
def _fine_readings(text: str) -> tuple[str, ...]:
    """The skeletons an element may stand for: its own, then its other readings.

    A Latin ``ch`` may be German خ, an inner ``dh`` or ``sh`` two letters, a
    ``y`` a Spanish ج (:func:`~tabadul.names.comparable.readings`); blocking
    and re-ranking try them all, as the full comparison does. Readings that
    agree on the coarse alphabet (a Spanish j as ح and as خ) are tried once:
    the cheap re-ranking compares little else.
    """
    return _one_per_form((skeleton(text), *(other for _, other in readings(text))), _COARSE_KEY)


@lru_cache(maxsize=262144)
def _rough_readings(text: str) -> tuple[str, ...]:
    """:func:`_fine_readings` that differ on the rough alphabet, for the re-ranking's first pass.

    That pass compares on the rough alphabet alone, where h, kh, j, y and q
    are one letter: a Spanish j read as ح is the j it was written as.
    """
    return _one_per_form(_fine_readings(text), _FINE_TO_ROUGH)


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


def _one_per_form(forms: Iterable[str], alphabet: dict[int, int]) -> tuple[str, ...]:
    """The first of the forms that are one on an ``alphabet`` (a translate table), in order."""
    out: dict[str, str] = {}
    for form in forms:
        out.setdefault(form.translate(alphabet), form)
    return tuple(out.values())


@lru_cache(maxsize=262144)
def _shape(text: str, rough: bool) -> str:
    """An element's readings as the re-ranking stores them: ``/`` between two."""
    return "/".join(_rough_readings(text) if rough else _fine_readings(text))


@lru_cache(maxsize=262144)
def _keys_of(text: str) -> dict[str, float]:
    # Cached: given names repeat across millions of records. Callers must not
    # change the dict they get.
    # Readings other than German ch post their exact, rough and dental keys,
    # not their neighbourhoods: with its neighbourhoods the two-letter reading
    # of dh, sh… cost the build at a million names ~30 s more for no more
    # finds (docs/benchmarks.md, Names, Speed, session 7).
    others = readings(text)
    read = {why: other.translate(_COARSE_KEY) for why, other in others}
    forms = {coarse(text)} | {form for why, form in read.items() if why == GERMAN_CH}
    forms.discard("")
    if is_arabic(text):
        forms.update(coarse(s) for s in known_spellings(text)[:2])
    keys: dict[str, float] = {}
    for form in forms:
        keys[form] = 1.0
    for form in read.values():
        keys.setdefault(form, 1.0)
    for form in forms:
        if len(form) >= 3:
            for k in range(len(form)):
                keys.setdefault("~" + form[:k] + form[k + 1 :], _NEAR)
        keys.setdefault("~" + form, _NEAR)
    for form in forms | set(read.values()):
        # The rough alphabet merges what spellings confuse most across styles
        # (voicing d/t, sh/s, Spanish j for ح and خ, y/j, g for ق): one more key.
        # Every reading posts it, and the dental key below.
        keys.setdefault("^" + form.translate(_ROUGH_KEY), _ROUGH)
        dental = form.translate(_DENTAL_COARSE)
        if dental != form or "T" in form:
            # Dentals and sibilants: ث is th, s or t, ذ dh, z or d, ض d or z
            # (Hadini for الحذيني, Lurasef for Lorathof). Without a T, D or S
            # the key would list the same names as the exact one: none is made.
            keys.setdefault("=" + dental, _DENTAL)
    for form in forms:
        # Two letters off (Sezatud / Sestudh): every skeleton two letters
        # shorter, at a low weight. Alone such a key is weak; with an agreeing
        # given name it lifts a noisy family name above the namesakes.
        if len(form) >= 4:
            for k in range(len(form)):
                shorter = form[:k] + form[k + 1 :]
                for m in range(k, len(shorter)):
                    keys.setdefault("≈" + shorter[:m] + shorter[m + 1 :], _NEAR2)
    return keys


def _top(scores: npt.NDArray[np.float32], limit: int) -> list[int]:
    """The positions of the ``limit`` highest positive scores, best first (ties: lower first).

    Without sorting or partitioning the whole array: a sample's ``_SAMPLE``-th
    part gives a score that about ``2 * limit`` reach, and only those are
    sorted. Where the sample misleads (fewer than ``limit`` reach it), every
    positive score is.
    """
    sample = scores[::_SAMPLE]
    wanted = 2 * limit // _SAMPLE + 1
    cut = 0.0
    if len(sample) > wanted:
        cut = float(np.partition(sample, len(sample) - wanted)[len(sample) - wanted])
    positions = np.flatnonzero(scores >= cut) if cut > 0 else np.flatnonzero(scores)
    if cut > 0 and len(positions) < limit:
        cut, positions = 0.0, np.flatnonzero(scores)
    found = scores[positions]
    if cut > 0:
        above = found > cut
        if np.count_nonzero(above) >= limit:
            positions, found = positions[above], found[above]
        else:
            # Many tie at the cut (a common score): after every higher score, the
            # first of them by position complete the list.
            higher = positions[above][np.argsort(-found[above], kind="stable")]
            tied = positions[~above][: limit - len(higher)]
            best: list[int] = np.concatenate([higher, tied]).tolist()
            return best
    order = np.argsort(-found, kind="stable")[:limit]
    best = positions[order].tolist()
    return best


class NameIndex:
    """Candidate index over ``(id, name)`` pairs; several names may share one id."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), *, max_postings: int = 40000):
        self._ids: list[str] = []
        # Each name kept prepared (parsed, with its skeletons): scoring a
        # candidate then skips the parsing that a first sight of a name costs
        # (~0.4 ms of a cold comparison's ~0.45). Costs ~0.5 KB a name.
        self._prepared: list[Prepared] = []
        self._shapes: list[str] = []  # skeletons joined, for the cheap re-ranking
        self._rough_shapes: list[str] = []  # ... and for its first pass
        self._building: dict[str, array[int]] = {}
        self._postings: dict[str, npt.NDArray[np.int32]] = {}
        self._best: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._total: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
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
        shape = " ".join([_shape(t.text, False) for t in prepared.tokens])
        rough = " ".join([_shape(t.text, True) for t in prepared.tokens])
        self._shapes.append(shape)
        self._rough_shapes.append(shape if rough == shape else rough)  # most are: one string
        counts = self._counts  # by coarse skeleton; element_key is applied when frozen
        for held in {t.coarse for t in prepared.tokens if t.kind != "initial"}:
            counts[held] = counts.get(held, 0) + 1
        seen: set[str] = set()
        for element in _element_keys(prepared):
            for key in element:
                if key in seen:
                    continue
                seen.add(key)
                postings = self._building.get(key)
                if postings is None:
                    postings = self._building[key] = array("i")
                postings.append(position)

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
            self._best = np.zeros(size, dtype=np.float32)
            self._total = np.zeros(size, dtype=np.float32)
        best, total = self._best, self._total
        elements: list[list[tuple[float, npt.NDArray[np.int32]]]] = []
        for element in _element_keys(prepare(name)):
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
        if sum(len(p) for usable in elements for _, p in usable) * _DENSE < size:
            return self._sparse(elements, limit)
        # Many postings (common elements): whole-array passes beat gathering and
        # scattering each of a few hundred thousand positions several times over.
        for usable in elements:
            for weight, postings in usable:
                best[postings] = weight
            np.add(total, best, out=total)
            best.fill(0.0)
        positions = _top(total, limit)
        total.fill(0.0)
        return positions

    def _sparse(
        self, elements: list[list[tuple[float, npt.NDArray[np.int32]]]], limit: int
    ) -> list[int]:
        """:meth:`candidates` for a query whose postings are few: only they are touched."""
        best, total = self._best, self._total
        touched_all = []
        for usable in elements:
            for weight, postings in usable:
                best[postings] = weight
            touched = np.concatenate([p for _, p in usable])
            total[touched] += best[touched]
            best[touched] = 0.0
            touched_all.append(touched)
        touched = np.concatenate(touched_all)
        scores = total[touched]
        if len(touched) > 4 * limit:
            keep = np.argpartition(-scores, 4 * limit)[: 4 * limit]
            touched, scores = touched[keep], scores[keep]
        unique, first = np.unique(touched, return_index=True)
        scores = scores[first]
        for part in touched_all:
            total[part] = 0.0
        order = np.argsort(-scores, kind="stable")[:limit]
        found: list[int] = unique[order].tolist()
        return found

    def _slots(self, positions: list[int], elements: int, *, rough: bool = False) -> _Slots:
        """The candidates' elements laid out for the re-ranking table.

        Vectorised (this runs on thousands of candidates per search): the
        shapes are joined into one string and split once; NumPy finds where
        each element and each candidate starts from the separators (``|``
        between candidates, a space between elements, ``/`` between two
        readings of one element).
        """
        shapes = self._rough_shapes if rough else self._shapes
        text = "|".join([shapes[p] for p in positions])
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        separators = raw[(raw == _SPACE) | (raw == _SLASH) | (raw == _BAR)]
        # Token k + 1 opens a new element unless the separator before it is a slash.
        opens = np.flatnonzero(np.concatenate(([True], separators != _SLASH)))
        fresh = np.concatenate(([True], separators[opens[1:] - 1] == _BAR))
        candidate = np.cumsum(fresh) - 1
        first = np.flatnonzero(fresh)
        column = np.arange(len(opens)) - first[candidate]
        counts = np.diff(np.append(first, len(opens)))
        tokens = text.replace("/", " ").replace("|", " ").split(" ")
        single = len(tokens)
        cells = np.where(column < _SLOTS, candidate * _WIDTH + column, len(positions) * _WIDTH)
        # Two adjacent elements joined: the query may write them as one word
        # (Nurjan for نور جان), as the full comparison allows. First readings only.
        if "/" in text:
            text = _OTHER_READINGS.sub("", text)
        firsts = text.replace("|", " ").split(" ")
        pair = (candidate[:-1] == candidate[1:]) & (column[:-1] < _SLOTS - 1)
        tokens.extend(compress(map(operator.add, firsts[:-1], firsts[1:]), pair.tolist()))
        which = np.flatnonzero(pair)
        starts = np.concatenate((opens, single + np.arange(len(which))))
        cells = np.concatenate((cells, candidate[which] * _WIDTH + _SLOTS + column[which]))
        extra = np.maximum(0, np.minimum(counts, _SLOTS) - elements).astype(np.float64)
        return _Slots(tokens, single, starts, cells, extra)

    def _rerank(self, name: str, positions: list[int], limit: int) -> list[int]:
        """Keep the ``limit`` candidates whose elements best cover the query's, cheaply.

        Each query element is paired with at most one element of the candidate
        (or two adjacent ones joined), and each candidate element with at most
        one query element, greedily, best pair first, as the full comparison
        aligns them; the pairs' similarities are summed with the query
        elements' weights. Two passes: fuzzy ratios of the coarse skeletons
        (C speed) keep the best ``_PRESELECT``, then the weighted distance of
        the full comparison (:func:`~tabadul.names.distance.similarity_table`,
        in NumPy) ranks those.
        """
        query_tokens = [t for t in prepare(name).tokens if t.coarse]
        if not query_tokens:
            return positions[:limit]
        query, rows = _query_forms(query_tokens, _fine_readings)
        weights = np.array([t.weight for t in query_tokens], dtype=np.float64)
        if len(positions) > _PRESELECT:
            slots = self._slots(positions, len(query_tokens), rough=True)
            rough, rough_rows = _query_forms(query_tokens, _rough_readings)
            similar = _rough(rough, slots.tokens)
            score = _assign(_table(similar, rough_rows, slots, len(positions), weights))
            score -= 15.0 * slots.extra
            keep = np.argsort(-score, kind="stable")[:_PRESELECT]
            positions = [positions[int(i)] for i in keep]
        slots = self._slots(positions, len(query_tokens))
        similar = _fuzzy(query, slots.tokens)
        # Single elements (not the joined pairs, long and only a guess) get the
        # weighted distance instead, once per distinct skeleton.
        singles = slots.tokens[: slots.single]
        distinct = list(dict.fromkeys(singles))
        place = {token: n for n, token in enumerate(distinct)}
        weighted = 100.0 * similarity_table(query, distinct).astype(np.float64)
        similar[:, : slots.single] = weighted[:, [place[t] for t in singles]]
        score = _assign(_table(similar, rows, slots, len(positions), weights))
        # Elements the query lacks cost a little, as in the full comparison.
        score -= 15.0 * slots.extra
        chosen = np.argsort(-score, kind="stable")[:limit]
        return [positions[int(i)] for i in chosen]

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
