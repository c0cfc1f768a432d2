"""Weighted edit distance between consonant skeletons.

Transliterations confuse some consonant classes far more often than others:
ض is ``d`` in Cairo and ``z`` in Kabul, ث is ``th``, ``s`` or ``t``, ك is
``g`` in Iraq, a ``h`` is easily dropped. A plain Levenshtein distance
charges all of these a full edit; here they cost a fraction, so
``Ramazan``/``رمضان`` and ``Ugla``/``عكلة`` stay close while ``Karim``/``Rahim``
do not. The costs are set by hand from the letter correspondences of the
common transliteration systems (English, French, German, Spanish, ALA-LC,
BGN/PCGN) and are written down here so they can be argued with.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["similarity_table", "skeleton_distance", "skeleton_similarity"]

_PAIRS = {
    ("D", "Z"): 0.35,  # ض, ذ, ظ: d / z / dh
    ("T", "S"): 0.4,  # ث: th / s
    ("T", "D"): 0.45,  # Mehmet / Mohamed; voicing
    ("S", "Z"): 0.35,  # ز / s, ظ
    ("S", "C"): 0.5,  # ش / s
    ("T", "Z"): 0.5,  # ذ th / z
    ("K", "G"): 0.35,  # گ, Iraqi and Gulf ق / ك as g
    ("J", "G"): 0.3,  # Egyptian ج as g
    ("J", "Y"): 0.45,  # German j for ي; Gulf ج as y
    ("J", "Z"): 0.45,  # zh, French j
    ("J", "C"): 0.5,  # چ / ج
    ("X", "H"): 0.3,  # خ kh / h
    ("H", "J"): 0.5,  # Spanish j for ح
    ("X", "K"): 0.35,  # خ kh / k
    ("X", "C"): 0.45,  # German ch for خ
    ("X", "J"): 0.5,  # Spanish j for خ
    ("X", "G"): 0.5,  # غ / خ
    ("K", "C"): 0.6,
    ("F", "W"): 0.35,  # Persian و as v
    ("F", "B"): 0.5,  # p / f / b
    ("W", "B"): 0.5,
    ("W", "Y"): 0.6,
}
_SUB = {**_PAIRS, **{(b, a): c for (a, b), c in _PAIRS.items()}}
# The Arabic letters of a strict skeleton (:func:`~tabadul.names.comparable.strict`, small
# letters, compared with Latin skeletons) keep to their own class: they cost what their class
# costs, except these confusions, which only another letter of the class justifies (ث for T/S
# and T/Z, ض ذ ظ for D/Z, ح and خ for a Spanish or German j, h, ch) or none does (ش as k,
# غ as j or k, ق and ك as ch). A Latin s for ط, or d for ز, is another name. Confusions a
# Latin digraph explains stay: zh (J) for ز+ه, sh (C) for ص+ح (Azhar, Shalah); and د, whose
# d+h reads as dh (Z, Chaudhry), keeps its class's.
_NOT_THEIRS = {"t": "SZ", "z": "DT", "s": "T", "c": "KJX", "j": "ZHX", "g": "JK", "k": "C"}


def _own_class_costs() -> dict[tuple[str, str], float]:
    costs = {}
    for own, barred in _NOT_THEIRS.items():
        cls = own.upper()
        costs[(own, cls)] = costs[(cls, own)] = 0.0
        for (a, b), cost in _SUB.items():
            if a == cls and b not in barred:
                costs[(own, b)] = costs[(b, own)] = cost
    return costs


_SUB.update(_own_class_costs())
# Letters that spellings drop or add freely.
_INDEL = {"H": 0.5, "W": 0.5, "Y": 0.5}


@lru_cache(maxsize=262144)
def skeleton_distance(a: str, b: str) -> float:
    """Weighted edit distance between two skeletons (class letters)."""
    # Unwound and local-variable heavy because it runs for every element pair.
    if a == b:
        return 0.0
    indel = _INDEL
    sub = _SUB
    cost_b = [indel.get(c, 1.0) for c in b]
    previous = [0.0]
    for cost in cost_b:
        previous.append(previous[-1] + cost)
    for ca in a:
        cost_a = indel.get(ca, 1.0)
        left = previous[0] + cost_a
        current = [left]
        for j, cb in enumerate(b):
            diagonal = previous[j] + (0.0 if ca == cb else sub.get((ca, cb), 1.0))
            up = previous[j + 1] + cost_a
            left = left + cost_b[j]
            if up < left:
                left = up
            if diagonal < left:
                left = diagonal
            current.append(left)
        previous = current
    return previous[-1]


def skeleton_similarity(a: str, b: str) -> float:
    """1 − weighted distance / the longer skeleton's length, in [0, 1]."""
    longest = max(len(a), len(b))
    if not longest:
        return 1.0
    return max(0.0, 1.0 - skeleton_distance(a, b) / longest)


def _cost_tables() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    # Indexed by byte value: the class letters are ASCII capitals.
    sub = np.ones((128, 128), dtype=np.float32)
    np.fill_diagonal(sub, 0.0)
    for (a, b), cost in _SUB.items():
        sub[ord(a), ord(b)] = cost
    indel = np.ones(128, dtype=np.float32)
    for c, cost in _INDEL.items():
        indel[ord(c)] = cost
    return sub, indel


_SUB_TABLE, _INDEL_TABLE = _cost_tables()


def similarity_table(queries: list[str], skeletons: list[str]) -> npt.NDArray[np.float32]:
    """:func:`skeleton_similarity` of every query against every skeleton, in NumPy.

    The same weighted distance, computed for all skeletons at once: the
    dynamic programme runs over the query's letters, each step a few array
    operations over every skeleton and column, and the left-to-right
    dependency within a row becomes a running minimum (a cell is the best
    of the cells to its left plus the insertions between). The index's
    re-ranking uses it on a few thousand skeletons per search, where the
    Python loop of :func:`skeleton_distance` would take tens of milliseconds.
    """
    out = np.zeros((len(queries), len(skeletons)), dtype=np.float32)
    if not skeletons or not queries:
        return out
    width = max(len(s) for s in skeletons)
    lengths = np.fromiter((len(s) for s in skeletons), dtype=np.intp, count=len(skeletons))
    if width == 0:
        for q, query in enumerate(queries):
            out[q] = np.where(lengths == 0, 1.0, 0.0) if query else 1.0
        return out
    letters = np.frombuffer(
        "".join(s.ljust(width) for s in skeletons).encode("ascii"), dtype=np.uint8
    ).reshape(len(skeletons), width)
    inserts = _INDEL_TABLE[letters]  # cost of each skeleton letter
    # Cumulative insertion cost along each skeleton, with a leading zero column.
    running = np.zeros((len(skeletons), width + 1), dtype=np.float32)
    np.cumsum(inserts, axis=1, out=running[:, 1:])
    rows = np.arange(len(skeletons))
    for q, query in enumerate(queries):
        previous = running
        for char in query.encode("ascii"):
            delete = _INDEL_TABLE[char]
            current = np.empty_like(previous)
            current[:, 0] = previous[:, 0] + delete
            np.minimum(
                previous[:, :-1] + _SUB_TABLE[char][letters],  # substitute (or keep)
                previous[:, 1:] + delete,  # delete the query's letter
                out=current[:, 1:],
            )
            # Insertions along the row: cell j = min over k ≤ j of cell k plus
            # the insertions from k to j, a running minimum after subtracting
            # the cumulative insertion cost.
            np.minimum.accumulate(current - running, axis=1, out=current)
            current += running
            previous = current
        distance = previous[rows, lengths]
        longest = np.maximum(lengths, len(query))
        similarity = 1.0 - distance / np.maximum(longest, 1)
        out[q] = np.clip(similarity, 0.0, 1.0)
    return out
