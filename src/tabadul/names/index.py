"""The in-memory candidate index: screen one name against millions.

Two stages, as in every record-linkage system: *blocking* finds the few
hundred names that share something with the query cheaply, *scoring* runs
:func:`tabadul.names.compare` on those alone.

Blocking keys are the coarse skeletons of a name's elements, plus every
skeleton one letter shorter (a deletion neighbourhood, as in SymSpell), so
that ``Osman`` (``SMN``) still meets ``عثمان`` (``TMN``) through ``MN``.
Arabic elements also post the skeletons of their learnt Latin spellings.
Each candidate is ranked by the rarity (inverse document frequency) of the
keys it shares with the query, one best key per query element; posting
lists longer than ``max_postings`` (a "Mohammed" in a million names) are
read only when the query has nothing rarer.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tabadul.names.comparable import coarse
from tabadul.names.normalise import normalise
from tabadul.names.scoring import NameMatch, compare, prepare
from tabadul.names.variants import known_spellings

__all__ = ["Candidate", "NameIndex"]

_NEAR = 0.6  # a key shared only through a one-letter deletion counts this much


@dataclass(frozen=True, slots=True)
class Candidate:
    """One search result: the record id, the indexed name, and the comparison."""

    id: str
    name: str
    score: float
    match: NameMatch


def _element_keys(name: str) -> list[dict[str, float]]:
    """Blocking keys for each element of a name: key → how much sharing it counts."""
    out = []
    for token in prepare(normalise(name)).tokens:
        if token.kind == "initial" or not token.coarse:
            continue
        forms = {token.coarse}
        if token.arabic:
            forms.update(coarse(s) for s in known_spellings(token.text)[:2])
        keys: dict[str, float] = {}
        for form in forms:
            keys[form] = 1.0
            if len(form) >= 3:
                for k in range(len(form)):
                    near = "~" + form[:k] + form[k + 1 :]
                    keys.setdefault(near, _NEAR)
            keys.setdefault("~" + form, _NEAR)
        out.append(keys)
    return out


class NameIndex:
    """Candidate index over ``(id, name)`` pairs; several names may share one id."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), *, max_postings: int = 20000):
        self._ids: list[str] = []
        self._names: list[str] = []
        self._building: dict[str, array[int]] = {}
        self._postings: dict[str, npt.NDArray[np.int32]] = {}
        self.max_postings = max_postings
        for record_id, name in pairs:
            self.add(record_id, name)

    def __len__(self) -> int:
        return len(self._names)

    def add(self, record_id: str, name: str) -> None:
        """Index one name of a record."""
        position = len(self._names)
        self._ids.append(record_id)
        self._names.append(name)
        seen: set[str] = set()
        for element in _element_keys(name):
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

    def candidates(self, name: str, limit: int = 100) -> list[int]:
        """Positions of the names that share the most (and rarest) keys with ``name``."""
        if self._building:
            self._freeze()
        total = max(len(self._names), 1)
        ids_per_element = []
        scores_per_element = []
        for element in _element_keys(name):
            found = [(key, weight, self._postings.get(key)) for key, weight in element.items()]
            present = [(k, w, p) for k, w, p in found if p is not None]
            if not present:
                continue
            usable = [(k, w, p) for k, w, p in present if len(p) <= self.max_postings]
            if not usable:
                # Only huge lists: read the smallest, truncated, so a query made of
                # common names still gets candidates.
                k, w, p = min(present, key=lambda item: len(item[2]))
                usable = [(k, w, p[: self.max_postings])]
            ids = np.concatenate([p for _, _, p in usable])
            scores = np.concatenate(
                [np.full(len(p), w * math.log(1 + total / len(p))) for _, w, p in usable]
            )
            order = np.argsort(-scores, kind="stable")
            unique, first = np.unique(ids[order], return_index=True)
            ids_per_element.append(unique)
            scores_per_element.append(scores[order][first])
        if not ids_per_element:
            return []
        all_ids = np.concatenate(ids_per_element)
        unique, inverse = np.unique(all_ids, return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate(scores_per_element))
        if len(unique) > limit:
            best = np.argpartition(-sums, limit)[:limit]
            unique, sums = unique[best], sums[best]
        order = np.argsort(-sums, kind="stable")
        return [int(x) for x in unique[order]]

    def search(self, name: str, k: int = 10, *, limit: int = 100) -> list[Candidate]:
        """The ``k`` best-scoring records for ``name``, one result per id, best first."""
        best: dict[str, Candidate] = {}
        for position in self.candidates(name, limit):
            record_id, indexed = self._ids[position], self._names[position]
            result = compare(name, indexed)
            current = best.get(record_id)
            if current is None or result.score > current.score:
                best[record_id] = Candidate(record_id, indexed, result.score, result)
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.id))
        return ranked[:k]
