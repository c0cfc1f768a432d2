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

from tabadul.names.comparable import Reading, coarse, readings, skeleton, strict, vocalised
from tabadul.names.distance import skeleton_distance, skeleton_similarity
from tabadul.names.glossary import translation, word_weight
from tabadul.names.normalise import is_arabic
from tabadul.names.rarity import Rarity
from tabadul.names.structure import parse
from tabadul.names.variants import is_common, is_prefix_name, known_spellings, usual_arabic

__all__ = [
    "THRESHOLD",
    "NameMatch",
    "Prepared",
    "Token",
    "compare",
    "compare_prepared",
    "prepare",
    "token_similarity",
]

#: The engine's default decision threshold: at or above it, ``NameMatch.match``.
THRESHOLD = 0.75
#: Below this a pair of elements is not aligned at all.
MIN_TOKEN = 0.55
#: How much an unaligned element of the name with fewer elements counts against the
#: match (1 = as much as a mismatch) ...
MISSING_WEIGHT = 0.8
#: ... and one of the longer name: records often drop a middle or grandfather's name.
EXTRA_WEIGHT = 0.15
#: When fewer than two elements align (and both names have two), the score is scaled.
LONE_FACTOR = 0.75
COMMON_WEIGHT = 0.45
INITIAL_WEIGHT = 0.5
TITLE_WEIGHT = 0.3
#: Below this coarse-skeleton similarity the weighted distance is not computed.
ROUGH_GATE = 0.25
#: A learnt spelling scores at least this (plus a share for agreeing vowels).
KNOWN_FLOOR = 0.95
#: A Latin spelling that usually renders another Arabic token is scaled by this.
USUAL_FACTOR = 0.9
#: Two elements fused into one word must score this much to align with it.
FUSED_MIN = 0.8
#: A name + allah/al-din compound compared through its first part alone scores this much less.
HEAD_FACTOR = 0.85
#: A connector + name family name (Benali) compared through the name alone: the
#: connector is dropped elsewhere in a nasab, so this costs little.
NASAB_FACTOR = 0.95
#: A Latin element read by another convention (German ch, Spanish y) scores this much less.
READING_FACTOR = 0.95
#: Two words of an organisation name that translate each other (جماعة, group).
TRANSLATED = 0.9


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable element of a name."""

    text: str  # normalised, article removed, compounds glued
    source: str  # the words it came from
    kind: str  # name, compound, kunya, initial
    arabic: bool
    skeleton: str
    strict: str  # the skeleton compared with the other script's (comparable.strict)
    coarse: str
    vocalised: str
    weight: float
    head: Token | None = None  # نصير of نصير الدين, compared when the whole does not align
    readings: tuple[Reading, ...] = ()  # other skeletons a Latin spelling may stand for


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
    if kind == "title":
        return TITLE_WEIGHT
    weight = COMMON_WEIGHT if is_common(text) else 1.0
    if len(coarse_form) <= 1:
        weight *= 0.7  # a one-consonant skeleton (Ali → L) says little
    return weight


@lru_cache(maxsize=262144)
def _token(text: str, source: str, kind: str, head: str = "") -> Token:
    rough = coarse(text)
    return Token(
        text=text,
        source=source,
        kind=kind,
        arabic=is_arabic(text),
        skeleton=skeleton(text),
        strict=strict(text),
        coarse=rough,
        vocalised=vocalised(text),
        weight=_weight(kind, text, rough),
        head=_token(head, source, "name") if head else None,
        readings=readings(text),
    )


@lru_cache(maxsize=131072)
def prepare(name: str) -> Prepared:
    """Parse and annotate a name once; comparisons reuse it."""
    parsed = parse(name)
    tokens = [_token(e.text, e.source, e.kind, e.head) for e in parsed.elements]
    return Prepared(name, tuple(tokens), parsed.notes)


def _dashed(form: str) -> str:
    return "-".join(form) if form else "(none)"


_similarities: dict[tuple[str, str, str, str], tuple[float, str]] = {}


def token_similarity(a: Token, b: Token) -> tuple[float, str]:
    """Similarity of two elements in [0, 1], with the reason in a few words."""
    # Cached by text and kind, not by Token: hashing the dataclass costs more
    # than half the work it would save.
    key = (a.text, a.kind, b.text, b.kind)
    found = _similarities.get(key)
    if found is None:
        if len(_similarities) > 500_000:
            _similarities.clear()
        found = _similarities[key] = _token_similarity(a, b)
    return found


def _token_similarity(a: Token, b: Token) -> tuple[float, str]:
    if a.text == b.text:
        return 1.0, "identical"
    if a.kind == "initial" or b.kind == "initial":
        initial, full = (a, b) if a.kind == "initial" else (b, a)
        if full.text[:1] and full.text[:1] in "aeiouاع":
            # A name that opens with a vowel, alef or ʿayn (Ahmed, عبد) is
            # initialled with a vowel; its skeleton's first letter is not its initial.
            agrees = initial.text in "aeiou"
        else:
            agrees = full.skeleton[:1] == initial.skeleton[:1] or full.vocalised[:1] == initial.text
        if full.kind != "initial" and agrees:
            return 0.8, "initial agrees"
        return 0.0, "initial differs"
    known = False
    if a.arabic != b.arabic:
        ar, la = (a, b) if a.arabic else (b, a)
        known = la.text in known_spellings(ar.text)
    # The weighted distance runs in Python; elements that share almost nothing
    # even on the coarse alphabet (C speed) are not worth it, and could not
    # align anyway.
    rough = Levenshtein.normalized_similarity(a.coarse, b.coarse)
    gated = rough < ROUGH_GATE and not known and min(len(a.coarse), len(b.coarse)) >= 3
    # Across scripts the Arabic letter is known, and allows only its own confusions (ط is
    # never s); within a script, the class's.
    x, y = (a.strict, b.strict) if a.arabic != b.arabic else (a.skeleton, b.skeleton)
    fine = rough if gated else skeleton_similarity(x, y)
    read = ""
    if not gated and fine < READING_FACTOR and (a.readings or b.readings):
        # (No other reading can beat a skeleton that agrees this well.)
        fine, read = _other_readings(a, b, x, y, fine)
    vowels = Indel.normalized_similarity(a.vocalised, b.vocalised)
    if a.arabic and b.arabic:
        # Within Arabic script the long vowels are written, so a letter more or
        # less is a different name (محمد, محمود): each edit of the text counts double.
        edits = Levenshtein.distance(a.text, b.text)
        score = 0.3 * fine + 0.7 * max(0.0, 1 - 2 * edits / max(len(a.text), len(b.text)))
    else:
        # In Latin spellings vowels are mostly the writer's choice.
        score = 0.75 * fine + 0.25 * vowels
    if a.skeleton == b.skeleton and a.skeleton:
        reason = f"same consonant skeleton {_dashed(a.skeleton)}"
        if a.arabic != b.arabic:
            score = max(score, 0.9 + 0.1 * vowels)
        elif a.arabic:
            reason += f", but {a.text} and {b.text} differ in their long vowels"
    elif gated:
        reason = f"skeletons {_dashed(a.skeleton)} / {_dashed(b.skeleton)} share little"
    else:
        distance = skeleton_distance(x, y)
        reason = (
            f"skeletons {_dashed(a.skeleton)} / {_dashed(b.skeleton)}, edit cost {distance:.2f}"
        )
    if read:
        reason = f"{reason}; read with {read}"
    if known:
        score = max(score, KNOWN_FLOOR + (1 - KNOWN_FLOOR) * vowels)
        reason = f"known spelling; {reason}"
    elif a.arabic != b.arabic:
        ar, la = (a, b) if a.arabic else (b, a)
        usual = usual_arabic(la.text)
        if usual is not None and usual != ar.text and known_spellings(ar.text):
            score *= USUAL_FACTOR
            reason += f"; {la.text!r} usually renders {usual}"
    return score, reason


def _other_readings(a: Token, b: Token, x: str, y: str, fine: float) -> tuple[float, str]:
    """The best similarity of ``x`` and ``y`` when a Latin side is read by another convention."""
    why = ""
    for reason, other in a.readings:
        sim = READING_FACTOR * skeleton_similarity(other, y)
        if sim > fine:
            fine, why = sim, f"{reason} ({_dashed(other)})"
    for reason, other in b.readings:
        sim = READING_FACTOR * skeleton_similarity(x, other)
        if sim > fine:
            fine, why = sim, f"{reason} ({_dashed(other)})"
        for reason_a, other_a in a.readings if fine < READING_FACTOR**2 else ():
            # Both read otherwise (Saleh with its final h as ح, Sallaj with a Spanish j).
            sim = READING_FACTOR**2 * skeleton_similarity(other_a, other)
            if sim > fine:
                fine = sim
                why = f"{reason_a} ({_dashed(other_a)}) and {reason} ({_dashed(other)})"
    return fine, why


def _through_head(a: Token, b: Token, sim: float, why: str) -> tuple[float, str]:
    """Compare through the name inside a compound (نصير الدين) or a family name (Benali)."""
    if a.kind == b.kind == "nasab" and a.head is not None and b.head is not None:
        # Two Ben-names: the connector they share is shared by thousands of families, so
        # the names after it decide (Bensilad is not Ben Lihad, though B-N-S-L-D ~ B-N-L-H-D).
        part, part_why = token_similarity(a.head, b.head)
        return part, f"the names after the connector: {part_why}"
    nasab = a.kind == "nasab" or b.kind == "nasab"
    if sim >= MIN_TOKEN and not nasab:
        return sim, why
    part, part_why = token_similarity(a.head or a, b.head or b)
    part *= NASAB_FACTOR if nasab else HEAD_FACTOR
    if part <= sim or (nasab and part < FUSED_MIN):
        # The name inside a Ben-compound must agree well: Benkirane is not Zerhouni.
        return sim, why
    if nasab:
        return part, f"the name after the connector: {part_why}"
    return part, f"first part of the compound: {part_why}"


def _translated(a: Token, b: Token, sim: float, why: str) -> tuple[float, str]:
    """An organisation's words may be translated rather than transliterated (جماعة, group)."""
    if sim >= TRANSLATED:
        return sim, why
    gloss = translation(a.text, b.text)
    if gloss is None:
        return sim, why
    return TRANSLATED, f"translation: both mean {gloss!r}"


def _align(
    left: tuple[Token, ...], right: tuple[Token, ...], organisation: bool = False
) -> list[tuple[int, int, float, str]]:
    """Greedy best-first alignment: exact enough for names of a handful of elements."""
    scored = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            sim, why = token_similarity(a, b)
            if a.head is not None or b.head is not None:
                sim, why = _through_head(a, b, sim, why)
            if organisation:
                sim, why = _translated(a, b, sim, why)
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


Link = tuple[tuple[int, ...], tuple[int, ...], float, str]


def _fused(left: tuple[Token, ...], right: tuple[Token, ...], links: list[Link]) -> list[Link]:
    """Align two adjacent elements with one element written as one word.

    ``نور جان`` is ``Nurjan``, ``طاهر خيل`` is ``Taherkhel``: one side fused
    what the other wrote apart. The pair may be unaligned, or one of them may
    have aligned, loosely, with the fused word itself (``جان`` ~ ``nurjan``);
    the fused reading then replaces that link when it scores higher.
    """
    links = list(links)
    for flip in (False, True):
        tokens, others = (right, left) if flip else (left, right)
        for k in range(len(tokens) - 1):
            a, b = tokens[k], tokens[k + 1]
            if a.kind == "initial" or b.kind == "initial":
                continue
            joined: Token | None = None
            length = len(a.coarse) + len(b.coarse)
            for m in range(len(others)):
                # Cheap bound first (this runs for every candidate of a search, and for
                # every pair correlation compares): skeletons whose lengths differ by a
                # third cannot reach FUSED_MIN.
                if 3 * abs(length - len(others[m].coarse)) > max(length, len(others[m].coarse)):
                    continue
                # Links that the fused reading would replace: those of k, k+1 or m.
                clash = [
                    n
                    for n, (gl, gr, _, _) in enumerate(links)
                    if {k, k + 1} & set(gr if flip else gl) or m in (gl if flip else gr)
                ]
                if any(
                    len(links[n][0]) > 1
                    or len(links[n][1]) > 1
                    or (links[n][0] if flip else links[n][1]) != (m,)
                    or links[n][2] >= FUSED_MIN
                    for n in clash
                ):
                    continue  # aligned with something else, or closely enough already
                if joined is None:
                    joined = _token(a.text + b.text, f"{a.source} {b.source}", "name")
                sim, why = token_similarity(joined, others[m])
                if sim < FUSED_MIN or any(links[n][2] >= sim for n in clash):
                    continue
                for n in sorted(clash, reverse=True):
                    del links[n]
                why = f"written as one word: {why}"
                links.append(((m,), (k, k + 1), sim, why) if flip else ((k, k + 1), (m,), sim, why))
                break
    return links


def _phrases(left: tuple[Token, ...], right: tuple[Token, ...], links: list[Link]) -> list[Link]:
    """Let one word translate into several: ``صرافة`` is "money exchange".

    An unaligned element joins a link when it sits next to that link's
    elements on its own side and translates an element on the other side.
    """
    links = list(links)
    for flip in (False, True):
        tokens, others = (right, left) if flip else (left, right)
        for k, token in enumerate(tokens):
            if any(k in (link[1] if flip else link[0]) for link in links):
                continue
            for n, (group_left, group_right, sim, why) in enumerate(links):
                own, other = (group_right, group_left) if flip else (group_left, group_right)
                if k - 1 not in own and k + 1 not in own:
                    continue
                gloss = next(
                    (g for m in other if (g := translation(token.text, others[m].text))), None
                )
                if gloss is None:
                    continue
                own = tuple(sorted((*own, k)))
                why = f"{why}; {token.source!r} is part of the translation"
                links[n] = (other, own, sim, why) if flip else (own, other, sim, why)
                break
    return links


def compare(
    a: str,
    b: str,
    threshold: float = THRESHOLD,
    rarity: Rarity | None = None,
    *,
    organisation: bool = False,
) -> NameMatch:
    """Compare two names in any mix of Arabic and Latin script; never a bare float.

    ``rarity``: how common each element is among the names held; without it,
    only the engine's list of very common given names weighs less.
    ``organisation``: the names are of organisations, whose words may be
    translated (جماعة ~ group, :mod:`tabadul.names.glossary`), whose generic
    words (Group, Company) count little, and whose first word (Tanzim,
    Jama'at) is dropped as freely as any other; people's are compared by default.
    """
    return compare_prepared(prepare(a), prepare(b), threshold, rarity, organisation=organisation)


def _weigh(token: Token, rarity: Rarity | None, organisation: bool = False) -> float:
    if rarity is None or token.kind in ("initial", "title"):
        weight = token.weight
    else:
        weight = rarity.weight(token.text, token.coarse)
    return weight * word_weight(token.text) if organisation else weight


def _given(first: Token, left: Prepared, right: Prepared) -> bool:
    """Whether the longer name's unaligned first element is a given name the other leaves out.

    Records drop a middle or grandfather's name, not the given name: رشيد إبراهيم بن ريقاب is
    Rashid son of Ibrahim, and ``Ibrahim Riqab`` names his father, so the first element counts
    as missing, not as an extra. Not so for a prefix name (Mohamed Amine is called Amine), nor
    when either name has a kunya (Adnan Abu Walid al-Sahrawi goes by Abu Walid al-Sahrawi).
    """
    if first.kind not in ("name", "compound") or is_prefix_name(first.text):
        return False
    return not any(t.kind == "kunya" for t in (*left.tokens, *right.tokens))


def compare_prepared(
    left: Prepared,
    right: Prepared,
    threshold: float = THRESHOLD,
    rarity: Rarity | None = None,
    *,
    organisation: bool = False,
) -> NameMatch:
    """:func:`compare` for names already prepared (an index keeps its names so)."""
    reasons = [f"left: {note}" for note in left.notes]
    reasons += [f"right: {note}" for note in right.notes]
    if not left.tokens or not right.tokens:
        reasons.append("nothing left to compare")
        return NameMatch(0.0, False, tuple(reasons))
    links: list[Link] = [
        ((i,), (j,), sim, why) for i, j, sim, why in _align(left.tokens, right.tokens, organisation)
    ]
    links = _fused(left.tokens, right.tokens, links)
    if organisation:
        links = _phrases(left.tokens, right.tokens, links)
    links.sort()
    matched = total = 0.0
    alignment = []
    for group_left, group_right, sim, why in links:
        xs = [left.tokens[i] for i in group_left]
        ys = [right.tokens[j] for j in group_right]
        weight = (
            sum(_weigh(x, rarity, organisation) for x in xs) / len(xs)
            + sum(_weigh(y, rarity, organisation) for y in ys) / len(ys)
        ) / 2
        matched += weight * sim
        total += weight
        x_source = " ".join(x.source for x in xs)
        y_source = " ".join(y.source for y in ys)
        if rarity is not None:
            note = f" (common among the names held, weighs {weight:.2f})" if weight < 0.9 else ""
        else:
            kind = "word of organisation names" if organisation else "name"
            note = f" (common {kind}, counts less)" if weight < 1 else ""
        reasons.append(f"{x_source} ~ {y_source}: {why} [{sim:.2f}]{note}")
        alignment.append((x_source, y_source, round(sim, 4)))
    used_left = {i for group, _, _, _ in links for i in group}
    used_right = {j for _, group, _, _ in links for j in group}
    missing = 0.0
    sides = ((left.tokens, used_left, "right"), (right.tokens, used_right, "left"))
    shortest = min(len(left.tokens), len(right.tokens))
    for tokens, used, other in sides:
        weight = MISSING_WEIGHT if len(tokens) == shortest else EXTRA_WEIGHT
        for k, token in enumerate(tokens):
            if k not in used:
                if (
                    k == 0
                    and used
                    and not organisation
                    and len(tokens) > shortest >= 2
                    and _given(token, left, right)
                ):
                    missing += MISSING_WEIGHT * _weigh(token, rarity)
                    reasons.append(f"{token.source!r}, the first given name, has no counterpart")
                    continue
                cost, why = weight, ""
                if organisation and word_weight(token.text) < 1:
                    # Writers add and drop an organisation's generic words (Company,
                    # Office, Islamic) as freely as a person's middle names.
                    cost, why = EXTRA_WEIGHT, " (a generic word, counts little)"
                missing += cost * _weigh(token, rarity, organisation)
                reasons.append(f"{token.source!r} has no counterpart on the {other}{why}")
    score = matched / (total + missing) if total else 0.0
    if len(links) < min(2, shortest) and not any(len(g) > 1 for g, _, _, _ in links):
        score *= LONE_FACTOR
        reasons.append("only one element agrees")
    order = [group[0] for _, group, _, _ in links]
    if order != sorted(order):
        score *= 0.97
        reasons.append("elements appear in a different order")
    score = round(min(1.0, max(0.0, score)), 4)
    decision = score >= threshold
    reasons.append(f"score {score:.2f} {'≥' if decision else '<'} threshold {threshold:.2f}")
    return NameMatch(score, decision, tuple(reasons), tuple(alignment))
