"""Scores with reasons: how strongly two records seem to be about the same person or thing.

The score starts from the name engine's agreement between the two records'
best pair of names, then corroborating or contradicting attributes move it:
shared selectors (strong), dates of birth, nationalities, gender. Every step
is a :class:`Reason` a reviewer reads; the score only decides what is worth a
human's look — the human decides whether it is the same person.
"""

from __future__ import annotations

import enum
import functools
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tabadul import names
from tabadul.matching.selectors import Selector, selectors_of

# Names compared per record: aliases beyond these add cost, not recall.
MAX_NAMES = 8
# Below this name agreement, and with no shared selector, attributes cannot make a hit.
NAME_FLOOR = 0.5
# Two records whose nationalities have none in common. OpenSanctions' matcher (nomenklatura
# logic-v2, ``country_mismatch``) takes 0.2 off for it; so do we. A person of two
# nationalities written with both in either record still agrees; written with one in each,
# the names must then agree better (docs/correlation.md, "Scores and reasons").
NATIONALITY_DISJOINT = -0.2
# The same full date of birth; dates that agree only as far as one side knows (the year).
BIRTH_DATE_SAME = 0.1
BIRTH_DATE_PART = 0.04
# Two full dates of birth with day and month swapped: such a common slip that it costs little
# (logic-v2 takes half its day mismatch off, 0.125).
DATE_SWAPPED = -0.1
# Two dates one digit apart: a slip of the pen, or two people. In a large holding the second is
# far likelier (a date has some thirty neighbours one digit away, and namesakes are born on all
# of them), so it counts as logic-v2 counts any other day (``dob_day_disjoint``, -0.25): only
# names that agree all but perfectly stay worth a look (docs/correlation.md).
DATE_ONE_DIGIT = -0.25

# The kinds of reason :func:`_attributes` gives (dates of birth, nationalities, gender).
ATTRIBUTES = frozenset({"birth_date", "nationality", "gender"})
PERSON = frozenset({"Person", "LegalEntity"})
ORGANISATION = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias")


class Effect(enum.Enum):
    """What a reason does to the score."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    NOTE = "note"


@dataclass(frozen=True)
class Reason:
    """One step of an explanation: what was compared, what it showed, by how much."""

    kind: str  # name, selector, birth_date, nationality, gender
    effect: Effect
    detail: str
    weight: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain form, as stored with a hit and served."""
        return {
            "kind": self.kind,
            "effect": self.effect.value,
            "detail": self.detail,
            "weight": round(self.weight, 3),
        }


@dataclass(frozen=True)
class Score:
    """A score in [0, 1] and the reasons that produced it."""

    value: float
    reasons: tuple[Reason, ...] = ()
    shared: frozenset[Selector] = frozenset()

    def explanation(self) -> list[dict[str, Any]]:
        """The reasons in plain form."""
        return [r.to_dict() for r in self.reasons]


@dataclass(frozen=True)
class Profile:
    """What correlation compares of a record: names, selectors and identifying attributes."""

    id: str
    schema: str
    names: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    nationalities: frozenset[str] = frozenset()
    genders: frozenset[str] = frozenset()
    selectors: frozenset[Selector] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        entity_id: str,
        schema: str,
        properties: Mapping[str, Iterable[str]],
        region: str | None = None,
        *,
        selectors: bool = True,
    ) -> Profile:
        """The profile of an entity in FollowTheMoney form.

        ``selectors=False`` leaves its selectors out (empty): correlation reads a
        candidate's from the keys it was found by, already normalised, instead of
        parsing its phone numbers again (the costliest part of a profile).
        """

        def values(*props: str) -> list[str]:
            return [str(v) for p in props for v in properties.get(p, ()) if str(v).strip()]

        found = values(*NAME_PROPERTIES)
        if not found:
            parts = values("firstName", "fatherName", "lastName")
            found = [" ".join(parts)] if parts else []
        return cls(
            id=entity_id,
            schema=schema,
            names=tuple(dict.fromkeys(found))[:MAX_NAMES],
            birth_dates=tuple(sorted(set(values("birthDate", "incorporationDate")))),
            nationalities=frozenset(
                v.lower() for v in values("nationality", "citizenship", "jurisdiction")
            ),
            genders=frozenset(v.lower() for v in values("gender")),
            selectors=frozenset(selectors_of(schema, properties, region) if selectors else ()),
        )

    @property
    def named(self) -> bool:
        """Whether names of this record are worth comparing (people and organisations)."""
        return bool(self.names) and self.schema in PERSON | ORGANISATION


def comparable_schemata(a: str, b: str) -> bool:
    """Whether two schemata can be the same kind of thing for name matching."""
    return (a in PERSON and b in PERSON) or (a in ORGANISATION and b in ORGANISATION)


def score(
    a: Profile,
    b: Profile,
    threshold: float | None = None,
    rarity: names.Rarity | None = None,
    shared: frozenset[Selector] | None = None,
) -> Score:
    """How strongly ``a`` and ``b`` seem to be the same, with every reason.

    ``shared``: the selectors both carry, when the caller knows them already
    (correlation, from the keys a pair was found by); else ``a.selectors &
    b.selectors``.

    ``rarity``: how common each name element is among the names held
    (correlation passes its holdings'); without it the name engine weighs
    only its own list of very common given names less.

    With a ``threshold``, a pair whose attributes alone keep it below the
    threshold whatever the names say (different dates of birth, different
    gender, nothing shared) is answered without comparing names: most
    namesakes in a large holding end there, cheaply.
    """
    if shared is None:
        shared = a.selectors & b.selectors
    attributes = _attributes(a, b)
    adjustment = sum(r.weight for r in attributes)
    if _ruled_out(bool(shared), adjustment, threshold):
        return Score(max(0.0, 1.0 + adjustment), tuple(attributes))
    reasons: list[Reason] = []
    value = 0.0
    if _comparable_names(a, b):
        best = _best_names(a.names, b.names, rarity, _organisations(a, b))
        if best is not None:
            (left, right), match = best
            value = match.score
            reasons.append(
                Reason(
                    "name",
                    Effect.SUPPORTS if match.score >= NAME_FLOOR else Effect.NOTE,
                    f"{_isolated(left)} ~ {_isolated(right)}: " + "; ".join(match.reasons),
                    match.score,
                )
            )
    if shared:
        # One shared hard identifier is worth a look whatever the names say.
        value = max(value, 0.8) + 0.05 * (len(shared) - 1)
        reasons.extend(
            Reason("selector", Effect.SUPPORTS, f"both carry {s}", 0.8 if i == 0 else 0.05)
            for i, s in enumerate(sorted(shared, key=str))  # kinds have no order
        )
    elif value < NAME_FLOOR:
        return Score(value, tuple(reasons))
    reasons.extend(attributes)
    value += adjustment
    return Score(min(1.0, max(0.0, value)), tuple(reasons), frozenset(shared))


def compares_names(
    a: Profile,
    b: Profile,
    threshold: float | None = None,
    shared: frozenset[Selector] | None = None,
) -> bool:
    """Whether :func:`score` with this ``threshold`` (and ``shared``) compares the names.

    (Correlation counts how common the elements of those names are, and only those.)
    """
    if not _comparable_names(a, b):
        return False
    if threshold is None or (a.selectors & b.selectors if shared is None else shared):
        return True
    return not _ruled_out(False, sum(r.weight for r in _attributes(a, b)), threshold)


def only_names_could_support(
    a: Profile, b: Profile, shared: frozenset[Selector] | None = None
) -> bool:
    """Whether nothing but the names could support a match of ``a`` and ``b``, whatever they say.

    No shared selector and no full date of birth in common (see
    :func:`corroborates`): :func:`score` would find support in the names
    alone, or in nothing.
    """
    if a.selectors & b.selectors if shared is None else shared:
        return False
    return not corroborated(_attributes(a, b))


def corroborated(reasons: Iterable[Reason]) -> bool:
    """Whether something besides the names supports a match, on balance.

    A shared selector does. Otherwise a reason that :func:`corroborates` must
    be there and outweigh what contradicts it: the same date of birth with
    another nationality (+0.1, −0.2) leaves the names to carry the match alone.
    """
    reasons = list(reasons)
    if any(r.kind == "selector" and r.effect is Effect.SUPPORTS for r in reasons):
        return True
    balance = sum(r.weight for r in reasons if r.kind in ATTRIBUTES)
    return balance > 0 and any(corroborates(r) for r in reasons)


def corroborates(reason: Reason) -> bool:
    """Whether a reason other than the names singles out one person.

    A shared selector or the same full date of birth does. A shared nationality,
    or a date of birth that agrees only as far as one side knows it (the year),
    supports a match a little but singles nobody out: thousands share them.
    """
    if reason.effect is not Effect.SUPPORTS or reason.kind in ("name", "nationality"):
        return False
    return not (reason.kind == "birth_date" and reason.weight < BIRTH_DATE_SAME)


def _ruled_out(shared: bool, adjustment: float, threshold: float | None) -> bool:
    """Whether the attributes alone keep a pair below the threshold, whatever the names say."""
    return threshold is not None and not shared and 1.0 + adjustment < threshold


def _comparable_names(a: Profile, b: Profile) -> bool:
    return a.named and b.named and comparable_schemata(a.schema, b.schema)


def _attributes(a: Profile, b: Profile) -> list[Reason]:
    return [
        reason
        for reason in (
            _birth_dates(a.birth_dates, b.birth_dates),
            _nationalities(a.nationalities, b.nationalities),
            _genders(a.genders, b.genders),
        )
        if reason is not None
    ]


def _organisations(a: Profile, b: Profile) -> bool:
    """Whether the names are compared as organisations' (a LegalEntity may be either)."""
    return not (a.schema == "Person" or b.schema == "Person")


def _best_names(
    left: tuple[str, ...],
    right: tuple[str, ...],
    rarity: names.Rarity | None,
    organisation: bool = False,
) -> tuple[tuple[str, str], names.NameMatch] | None:
    best: tuple[tuple[str, str], names.NameMatch] | None = None
    for x in left:
        for y in right:
            match = _compare(x, y, rarity, organisation)
            if best is None or match.score > best[1].score:
                best = ((x, y), match)
                if match.score >= 0.99:
                    return best
    return best


# Comparisons remembered: the same spellings meet again and again.
REMEMBERED = 200_000
# Under a holding's counts, remembered with them: when correlation starts counting afresh,
# the comparisons made under the old counts go with them.
_UNDER: weakref.WeakKeyDictionary[names.Rarity, dict[tuple[str, str, bool], names.NameMatch]] = (
    weakref.WeakKeyDictionary()
)


def _compare(
    left: str, right: str, rarity: names.Rarity | None, organisation: bool = False
) -> names.NameMatch:
    """The name engine's comparison, remembered."""
    if rarity is None:
        return _compare_alone(left, right, organisation)
    remembered = _UNDER.setdefault(rarity, {})
    found = remembered.get((left, right, organisation))
    if found is None:
        if len(remembered) >= REMEMBERED:
            remembered.clear()
        found = remembered[(left, right, organisation)] = names.compare(
            left, right, rarity=rarity, organisation=organisation
        )
    return found


@functools.lru_cache(maxsize=REMEMBERED)
def _compare_alone(left: str, right: str, organisation: bool) -> names.NameMatch:
    return names.compare(left, right, organisation=organisation)


def _birth_dates(left: tuple[str, ...], right: tuple[str, ...]) -> Reason | None:
    if not left or not right:
        return None
    pairs = [(x, y) for x in left for y in right]
    for x, y in pairs:
        if x == y and len(x) == 10:
            detail = f"same date of birth {x}"
            return Reason("birth_date", Effect.SUPPORTS, detail, BIRTH_DATE_SAME)
    for x, y in pairs:
        short = min(len(x), len(y))
        if x[:short] == y[:short]:
            detail = f"dates of birth agree as far as known: {x}, {y}"
            return Reason("birth_date", Effect.SUPPORTS, detail, BIRTH_DATE_PART)
    if any(_swapped(x, y) for x, y in pairs):
        detail = f"day and month swapped? {', '.join(left)} / {', '.join(right)}"
        return Reason("birth_date", Effect.CONTRADICTS, detail, DATE_SWAPPED)
    if any(_one_digit_apart(x, y) for x, y in pairs):
        detail = f"dates of birth one digit apart: {', '.join(left)} / {', '.join(right)}"
        return Reason("birth_date", Effect.CONTRADICTS, detail, DATE_ONE_DIGIT)
    return Reason(
        "birth_date",
        Effect.CONTRADICTS,
        f"different dates of birth: {', '.join(left)} / {', '.join(right)}",
        -0.35,
    )


def _swapped(x: str, y: str) -> bool:
    """Full dates with day and month swapped (1985-03-12, 1985-12-03): a common slip."""
    return len(x) == len(y) == 10 and x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]


def _one_digit_apart(x: str, y: str) -> bool:
    """Dates of one precision that differ in one digit (1985-03-12, 1985-03-13)."""
    return len(x) == len(y) and sum(a != b for a, b in zip(x, y, strict=True)) == 1


def _nationalities(left: frozenset[str], right: frozenset[str]) -> Reason | None:
    if not left or not right:
        return None
    common = left & right
    if common:
        return Reason(
            "nationality", Effect.SUPPORTS, f"same nationality {', '.join(sorted(common))}", 0.03
        )
    return Reason(
        "nationality",
        Effect.CONTRADICTS,
        f"different nationalities {', '.join(sorted(left))} / {', '.join(sorted(right))}",
        NATIONALITY_DISJOINT,
    )


def _genders(left: frozenset[str], right: frozenset[str]) -> Reason | None:
    if not left or not right or left & right:
        return None
    return Reason(
        "gender",
        Effect.CONTRADICTS,
        f"different gender {', '.join(sorted(left))} / {', '.join(sorted(right))}",
        -0.4,
    )


def _isolated(name: str) -> str:
    """A name between Unicode isolates: an Arabic name does not reorder the sentence around it."""
    return f"\u2068{name}\u2069"
