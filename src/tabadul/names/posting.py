"""What the index posts for each name: its elements' blocking keys and readings.

Blocking keys are the coarse skeletons of a name's elements, plus every
skeleton one letter shorter (a deletion neighbourhood, as in SymSpell), so
that ``Osman`` (``SMN``) still meets ``عثمان`` (``TMN``) through ``MN``.
Skeletons of four letters or more also post every skeleton two letters
shorter, and every skeleton its form on a rough alphabet (d/t, sh/s and
h/kh/j/y/q merged) and its form with the dentals and sibilants merged
(t, d, th, s, z, dh), at lower weights (0.3, 0.7 and 0.7). Arabic elements
also post the skeletons of their learnt Latin spellings and of their
spoken readings (ذ said d, ث said s), and Latin elements those of their
other readings (German ``ch`` as خ, an inner ``dh`` or ``sh`` as two
letters, ``y`` as a Spanish ج: see :func:`fine_readings`).

Everything here is a function of a name or of one element alone, cached
by element: given names repeat across millions of records.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from tabadul.names.comparable import GERMAN_CH, coarse, readings, skeleton
from tabadul.names.normalise import is_arabic
from tabadul.names.scoring import Prepared
from tabadul.names.variants import known_spellings

__all__ = [
    "COARSE_KEY",
    "FINE_TO_ROUGH",
    "ROUGH_KEY",
    "element_readings",
    "fine_readings",
    "held",
    "keys_by_element",
    "keys_of",
    "name_keys",
    "rough_readings",
]

_NEAR = 0.6  # a key shared only through a one-letter deletion counts this much
_NEAR2 = 0.3  # ... and through two deletions
_ROUGH = 0.7  # ... and on the rough alphabet
_DENTAL = 0.7  # ... and on the coarse alphabet with dentals and sibilants merged
ROUGH_KEY = str.maketrans("DCYHK", "TSJJJ")
COARSE_KEY = str.maketrans("GXZW", "JHSF")  # as comparable.coarse
FINE_TO_ROUGH = str.maketrans("GXZWDCYHK", "JJSFTSJJJ")  # the two above, in one
_DENTAL_COARSE = str.maketrans("DS", "TT")  # on a coarse form: t d th s z dh all one
# Arabic letters that speech, and so many spellings, make others: ذ said d in
# Egypt and the Maghreb (Hadini for الحذيني), ث said s (Sabet for ثابت). An
# Arabic element also posts the keys of its skeleton read so (keys_of).
_SPOKEN = str.maketrans("ذث", "دس")


def keys_by_element(prepared: Prepared) -> list[dict[str, float]]:
    """Blocking keys for each element of a name: key → how much sharing it counts."""
    out = []
    for token in prepared.tokens:
        if token.kind == "initial":
            continue
        keys = keys_of(token.text)
        if keys:
            out.append(keys)
    return out


@lru_cache(maxsize=262144)
def fine_readings(text: str) -> tuple[str, ...]:
    """The skeletons an element may stand for: its own, then its other readings.

    A Latin ``ch`` may be German خ, an inner ``dh`` or ``sh`` two letters, a
    ``y`` a Spanish ج (:func:`~tabadul.names.comparable.readings`); blocking
    and re-ranking try them all, as the full comparison does. Readings that
    agree on the coarse alphabet (a Spanish j as ح and as خ) are tried once:
    the cheap re-ranking compares little else.
    """
    return _one_per_form((skeleton(text), *(other for _, other in readings(text))), COARSE_KEY)


@lru_cache(maxsize=262144)
def rough_readings(text: str) -> tuple[str, ...]:
    """:func:`fine_readings` that differ on the rough alphabet, for the re-ranking's first pass.

    That pass compares on the rough alphabet alone, where h, kh, j, y and q
    are one letter: a Spanish j read as ح is the j it was written as.
    """
    return _one_per_form(fine_readings(text), FINE_TO_ROUGH)


def _one_per_form(forms: Iterable[str], alphabet: dict[int, int]) -> tuple[str, ...]:
    """The first of the forms that are one on an ``alphabet`` (a translate table), in order."""
    out: dict[str, str] = {}
    for form in forms:
        out.setdefault(form.translate(alphabet), form)
    return tuple(out.values())


@lru_cache(maxsize=262144)
def keys_of(text: str) -> dict[str, float]:
    # Cached: given names repeat across millions of records. Callers must not
    # change the dict they get.
    # Readings other than German ch post their exact, rough and dental keys,
    # not their neighbourhoods: with its neighbourhoods the two-letter reading
    # of dh, sh… cost the build at a million names ~30 s more for no more
    # finds (docs/benchmarks.md, Names, Speed, session 7).
    others = readings(text)
    read = {why: other.translate(COARSE_KEY) for why, other in others}
    forms = {coarse(text)} | {form for why, form in read.items() if why == GERMAN_CH}
    forms.discard("")
    if is_arabic(text):
        forms.update(coarse(s) for s in known_spellings(text)[:2])
        spoken = text.translate(_SPOKEN)
        if spoken != text:
            read["spoken"] = coarse(spoken)
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
        keys.setdefault("^" + form.translate(ROUGH_KEY), _ROUGH)
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


def name_keys(prepared: Prepared) -> set[str]:
    """Every key a name is posted under: its elements' keys, each once."""
    return {key for element in keys_by_element(prepared) for key in element}


def held(prepared: Prepared) -> set[str]:
    """The coarse skeletons a name is counted under for rarity (initials are not)."""
    return {t.coarse for t in prepared.tokens if t.kind != "initial"}


def element_readings(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An element's readings for the re-ranking: :func:`fine_readings`, and
    :func:`rough_readings` written on the rough alphabet."""
    return fine_readings(text), tuple(f.translate(FINE_TO_ROUGH) for f in rough_readings(text))
