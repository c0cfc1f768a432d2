"""Scoring two names, with the reasons for the score.

A name becomes a list of *comparable elements* (:func:`prepare`); the two
lists are aligned element by element (best pairs first), and the score is a
weighted average of the aligned pairs' similarities in which unaligned
elements count against the match at half weight, because a missing middle
name or a dropped grandfather's name is the commonest difference between two
records of one person. Common given names weigh less than rare ones, so that
two people called Mohammed do not match on that alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel, Levenshtein

from tabadul.names.comparable import coarse, skeleton, vocalised
from tabadul.names.normalise import is_arabic
from tabadul.names.structure import parse
from tabadul.names.variants import is_common, known_spellings, usual_arabic

__all__ = ["THRESHOLD", "NameMatch", "Token", "compare", "prepare", "token_similarity"]

#: The engine's default decision threshold: at or above it, ``NameMatch.match``.
THRESHOLD = 0.75
#: Below this a pair of elements is not aligned at all.
MIN_TOKEN = 0.55
#: How much an unaligned element counts against the match (1 = as much as a mismatch).
MISSING_WEIGHT = 0.5
COMMON_WEIGHT = 0.45
INITIAL_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable element of a name."""

    text: str  # normalised, article removed, compounds glued
    source: str  # the words it came from
    kind: str  # name, compound, kunya, initial
    arabic: bool
    skeleton: str
    coarse: str
    vocalised: str
    weight: float


@dataclass(frozen=True, slots=True)
class Prepared:
    """A name ready to compare: its tokens and the notes from parsing it."""

    name: str
    tokens: tuple[Token, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The comparison of two names: a score in [0, 1], the decision, and why."""

    score: float
    match: bool
    reasons: tuple[str, ...]
    alignment: tuple[tuple[str, str, float], ...] = ()


def _weight(kind: str, text: str, coarse_form: str) -> float:
    if kind == "initial":
        return INITIAL_WEIGHT
    weight = COMMON_WEIGHT if is_common(text) else 1.0
    if len(coarse_form) <= 1:
        weight *= 0.7  # a one-consonant skeleton (Ali → L) says little
    return weight


@lru_cache(maxsize=131072)
def prepare(name: str) -> Prepared:
    """Parse and annotate a name once; comparisons reuse it."""
    parsed = parse(name)
    tokens = []
    for element in parsed.elements:
        text = element.text
        fine = skeleton(text)
        rough = coarse(text)
        tokens.append(
            Token(
                text=text,
                source=element.source,
                kind=element.kind,
                arabic=is_arabic(text),
                skeleton=fine,
                coarse=rough,
                vocalised=vocalised(text),
                weight=_weight(element.kind, text, rough),
            )
        )
    return Prepared(name, tuple(tokens), parsed.notes)


def _dashed(form: str) -> str:
    return "-".join(form) if form else "(none)"


@lru_cache(maxsize=262144)
def token_similarity(a: Token, b: Token) -> tuple[float, str]:
    """Similarity of two elements in [0, 1], with the reason in a few words."""
    if a.text == b.text:
        return 1.0, "identical"
    if a.kind == "initial" or b.kind == "initial":
        initial, full = (a, b) if a.kind == "initial" else (b, a)
        if full.kind != "initial" and (
            full.skeleton[:1] == initial.skeleton[:1] or full.vocalised[:1] == initial.text
        ):
            return 0.8, "initial agrees"
        return 0.0, "initial differs"
    if a.arabic != b.arabic:
        ar, la = (a, b) if a.arabic else (b, a)
        if la.text in known_spellings(ar.text):
            return 0.98, f"known spelling, skeleton {_dashed(ar.skeleton)}"
    fine = Levenshtein.normalized_similarity(a.skeleton, b.skeleton)
    rough = Levenshtein.normalized_similarity(a.coarse, b.coarse)
    vowels = Indel.normalized_similarity(a.vocalised, b.vocalised)
    if a.arabic == b.arabic:
        # Same script: the written vowels are evidence too (محمد is not محمود).
        score = 0.35 * fine + 0.15 * rough + 0.5 * vowels
    else:
        score = 0.4 * fine + 0.35 * rough + 0.25 * vowels
    if a.skeleton == b.skeleton and a.skeleton:
        reason = f"same consonant skeleton {_dashed(a.skeleton)}"
        score = max(score, 0.9 + 0.1 * vowels) if a.arabic != b.arabic else score
    elif a.coarse == b.coarse and a.coarse:
        reason = (
            f"skeletons {_dashed(a.skeleton)} / {_dashed(b.skeleton)} differ only in "
            f"letters transliterations confuse"
        )
        score = max(score, 0.82 + 0.1 * vowels) if a.arabic != b.arabic else score
    else:
        edits = Levenshtein.distance(a.skeleton, b.skeleton)
        reason = f"skeletons {_dashed(a.skeleton)} / {_dashed(b.skeleton)}, {edits} edit(s) apart"
    if a.arabic != b.arabic:
        ar, la = (a, b) if a.arabic else (b, a)
        usual = usual_arabic(la.text)
        if usual is not None and usual != ar.text and known_spellings(ar.text):
            score *= 0.85
            reason += f"; {la.text!r} usually renders {usual}"
    return score, reason


def _align(left: tuple[Token, ...], right: tuple[Token, ...]) -> list[tuple[int, int, float, str]]:
    """Greedy best-first alignment: exact enough for names of a handful of elements."""
    scored = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            sim, why = token_similarity(a, b)
            if sim >= MIN_TOKEN:
                scored.append((sim, i, j, why))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for sim, i, j, why in scored:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j, sim, why))
    pairs.sort()
    return pairs


def compare(a: str, b: str, threshold: float = THRESHOLD) -> NameMatch:
    """Compare two names in any mix of Arabic and Latin script; never a bare float."""
    left, right = prepare(a), prepare(b)
    reasons = [f"left: {note}" for note in left.notes]
    reasons += [f"right: {note}" for note in right.notes]
    if not left.tokens or not right.tokens:
        reasons.append("nothing left to compare")
        return NameMatch(0.0, False, tuple(reasons))
    pairs = _align(left.tokens, right.tokens)
    matched = total = 0.0
    alignment = []
    for i, j, sim, why in pairs:
        x, y = left.tokens[i], right.tokens[j]
        weight = (x.weight + y.weight) / 2
        matched += weight * sim
        total += weight
        rarity = " (common name, counts less)" if max(x.weight, y.weight) < 1 else ""
        reasons.append(f"{x.source} ~ {y.source}: {why} [{sim:.2f}]{rarity}")
        alignment.append((x.source, y.source, round(sim, 4)))
    used_left = {i for i, _, _, _ in pairs}
    used_right = {j for _, j, _, _ in pairs}
    missing = 0.0
    sides = ((left.tokens, used_left, "right"), (right.tokens, used_right, "left"))
    for tokens, used, other in sides:
        for k, token in enumerate(tokens):
            if k not in used:
                missing += token.weight
                reasons.append(f"{token.source!r} has no counterpart on the {other}")
    score = matched / (total + MISSING_WEIGHT * missing) if total else 0.0
    order = [j for _, j, _, _ in pairs]
    if order != sorted(order):
        score *= 0.97
        reasons.append("elements appear in a different order")
    score = round(min(1.0, max(0.0, score)), 4)
    decision = score >= threshold
    reasons.append(f"score {score:.2f} {'≥' if decision else '<'} threshold {threshold:.2f}")
    return NameMatch(score, decision, tuple(reasons), tuple(alignment))
