"""Cross-script comparable forms: what Arabic script and its Latin spellings share.

Arabic script writes consonants and long vowels and leaves short vowels out;
Latin spellings write every vowel, and choose one of several conventions
for each consonant (English ``sh``, French ``ch``, German ``sch`` for ش).
What survives all of them is the *consonant skeleton*: each consonant mapped
to one class letter, vowels dropped, ʿayn and hamza dropped, doubled letters
collapsed. طارق, Tarik, Tareq and Tariq all become ``TRK``.

Two forms are made for every token:

* ``skeleton`` – the fine skeleton (classes below), compared by edit distance;
* ``coarse``   – the skeleton with classes that transliterations confuse most
  merged (``G``/``J``, ``X``/``H``, ``Z``/``S``, ``W``/``F``); it is the blocking
  key and the comparable token that search indexes;
* ``strict``   – for Arabic script, the skeleton with the letters that keep to
  their own class in Latin marked in small letters (``ط`` is ``t``, never the
  ``s`` or ``z`` that ``ث`` and ``ذ`` of the same classes may be written as),
  so that a comparison with a Latin spelling allows only the confusions the
  letter itself justifies (:mod:`tabadul.names.distance`).

A third form, ``vocalised``, keeps vowels folded to three classes (a, i, u)
so that tokens with the same skeleton (Ali, Ola) can still be told apart.

Classes: B (ب پ b p), T (ت ط ث t th), J (ج ژ j dj dsch zh), H (ح ه h),
X (خ kh), D (د ض d), Z (ذ ز ظ z dh), R, S (س ص s), C (ش چ sh ch sch tch),
F (ف f ph v), K (ق ك k q c ck; but c before e, i, y is s), G (غ گ g gh), L, M, N, W (initial و w),
Y (initial ي y).
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from tabadul.names.normalise import is_arabic, script_of

__all__ = [
    "GERMAN_CH",
    "Reading",
    "coarse",
    "readings",
    "romanise",
    "skeleton",
    "strict",
    "vocalised",
]

_ARABIC_CLASS = {
    "ب": "B",
    "پ": "B",
    "ت": "T",
    "ط": "T",
    "ث": "T",
    "ج": "J",
    "چ": "C",
    "ح": "H",
    "ه": "H",
    "خ": "X",
    "د": "D",
    "ض": "D",
    "ذ": "Z",
    "ز": "Z",
    "ظ": "Z",
    "ژ": "J",
    "ر": "R",
    "س": "S",
    "ص": "S",
    "ش": "C",
    "ف": "F",
    "ق": "K",
    "ك": "K",
    "غ": "G",
    "گ": "G",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "و": "W",
    "ي": "Y",
}
# Romanisation used for the vocalised form and for display; one common choice each.
_ARABIC_ROMAN = {
    "ا": "a",
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ط": "t",
    "ث": "th",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "ه": "h",
    "خ": "kh",
    "د": "d",
    "ض": "d",
    "ذ": "dh",
    "ز": "z",
    "ظ": "z",
    "ژ": "zh",
    "ر": "r",
    "س": "s",
    "ص": "s",
    "ش": "sh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "غ": "gh",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "w",
    "ي": "y",
    "ع": "",
}

# Arabic letters whose Latin spellings keep to their own class: a Latin spelling
# of ط writes t, never the s of ث or the z of ذ, though all three are class T.
_OWN_CLASS = {
    "ت": "t",
    "ط": "t",
    "ز": "z",
    "س": "s",
    "ص": "s",
    "ش": "c",
    "ج": "j",
    "غ": "g",
    "ق": "k",
    "ك": "k",
}

# Latin graphemes, longest first. Each maps to a class letter ("" = silent).
_LATIN_GRAPHEMES = [
    ("dsch", "J"),
    ("tsch", "C"),
    ("sch", "C"),
    ("tch", "C"),
    ("sh", "C"),
    ("ch", "C"),
    ("kh", "X"),
    ("gh", "G"),
    ("th", "T"),
    ("dh", "Z"),
    ("dj", "J"),
    ("dz", "J"),
    ("zh", "J"),
    ("ph", "F"),
    ("ck", "K"),
    ("ks", "KS"),
    ("b", "B"),
    ("p", "B"),
    ("t", "T"),
    ("d", "D"),
    ("j", "J"),
    ("g", "G"),
    ("h", "H"),
    ("x", "KS"),
    ("k", "K"),
    ("q", "K"),
    ("c", "K"),
    ("f", "F"),
    ("v", "F"),
    ("s", "S"),
    ("z", "Z"),
    ("r", "R"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
]
# Graphemes of two letters or more by a regular expression (longest first, as listed),
# then single letters by a table: the same as one pass over the whole list (a letter
# is read alone only where no longer grapheme starts), with a Python call per digraph
# instead of per letter.
_DIGRAPHS = re.compile("|".join(g for g, _ in _LATIN_GRAPHEMES if len(g) > 1))
_DIGRAPH_CLASS = {g: c for g, c in _LATIN_GRAPHEMES if len(g) > 1}
_LETTER_CLASS = str.maketrans({g: c for g, c in _LATIN_GRAPHEMES if len(g) == 1})
_VOWELS = frozenset("aeiouy")
_COARSE = str.maketrans("GXZW", "JHSF")
_DOUBLES = re.compile(r"(.)\1+")
_ARABIC_LAMS = re.compile("LL+")
_NOT_A_CLASS = re.compile("[^A-Z]+")  # classes are capitals; vowels and gaps are not
# French and Spanish c before e, i, y is s: Youcef (يوسف), Hocine (حسين), Lacene.
# "ch" is untouched: the lookahead wants a vowel.
_SOFT_C = re.compile(r"c(?=[eiy])")


def romanise(token: str) -> str:
    """A Latin rendering of one normalised token (Arabic by table, others by anyascii)."""
    if is_arabic(token):
        return "".join(_ARABIC_ROMAN.get(c, c) for c in token)
    if not token.isascii() and any(script_of(c) == "other" for c in token):
        return anyascii(token).lower()
    return token


def _arabic_skeleton(token: str, own: bool = False) -> str:
    out = []
    last = len(token) - 1
    for i, char in enumerate(token):
        cls = _ARABIC_CLASS.get(char, ".")  # "." keeps apart what a vowel separates
        if own:
            cls = _OWN_CLASS.get(char, cls)
        if cls in ("W", "Y") and i > 0:
            cls = "."  # medial and final waw/ya are (almost always) long vowels
        elif cls == "H" and char == "ه" and i == last and i > 0:
            cls = "."  # final ha is ta marbuta (-a, -ah) or silent
        out.append(cls)
    return "".join(out)


def _latin_skeleton(token: str) -> str:
    token = _SOFT_C.sub("s", _DOUBLES.sub(_one, token))
    if token.endswith("h") and len(token) > 2 and token[-2] in _VOWELS:
        token = token[:-1]  # -ah, -eh: the ta marbuta or a silent ha
    out = []
    if token[:1] in ("y", "w"):
        out.append(token[0].upper())
        token = token[1:]
    elif token[:2] == "ou" and token[2:3] in _VOWELS:
        out.append("W")  # French "Oualid", "Ouahab": ou before a vowel is waw
        token = token[2:]
    out.append(_classes(token))
    return "".join(out)  # classes in capitals; the vowels left in small letters


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """The fine consonant skeleton of one normalised token, in any script."""
    if is_arabic(token):
        # Arabic writes a doubled consonant once (with a shadda), so two equal
        # letters side by side are two consonants (ممدوح, Mamdouh: M-M-D-H);
        # only the two lams of الله are one.
        raw = _ARABIC_LAMS.sub("L", _arabic_skeleton(token))
    else:
        # Collapse only letters that were adjacent (tt, ssh), not two consonants
        # a vowel kept apart (Dawood: D-D).
        raw = _DOUBLES.sub(_one, _latin_skeleton(romanise(token)))
    return _NOT_A_CLASS.sub("", raw)


@lru_cache(maxsize=262144)
def strict(token: str) -> str:
    """:func:`skeleton`, the Arabic letters that keep to their own Latin class in small letters.

    ``strict(token).upper() == skeleton(token)``; a Latin token's is its skeleton.
    """
    if not is_arabic(token):
        return skeleton(token)
    return _ARABIC_LAMS.sub("L", _arabic_skeleton(token, own=True)).replace(".", "")


@lru_cache(maxsize=262144)
def coarse(token: str) -> str:
    """The coarse skeleton: confusable classes merged; the cross-script comparable token."""
    return skeleton(token).translate(_COARSE)


# Vowels folded to a/i/u; anything that is neither a class nor a vowel dropped.
_VOWEL_FOLD = {
    **{ord(c): None for c in "bcdfghjklmnpqrstvwxz-'0123456789_"},
    ord("e"): "i",
    ord("o"): "u",
    ord("y"): "i",
}


@lru_cache(maxsize=262144)
def vocalised(token: str) -> str:
    """Skeleton-and-vowels form: consonant classes plus vowels folded to a/i/u."""
    if is_arabic(token):
        out = []
        for i, char in enumerate(token):
            if char == "ا":
                out.append("a")
            elif char == "و" and i > 0:
                out.append("u")
            elif char == "ي" and i > 0:
                out.append("i")
            elif char == "ه" and i == len(token) - 1 and i > 0:
                out.append("a")
            else:
                out.append(_ARABIC_CLASS.get(char, ""))
        return _DOUBLES.sub(_one, "".join(out))
    plain = _SOFT_C.sub("s", _DOUBLES.sub(_one, romanise(token)))
    mixed = _classes(plain)
    return _DOUBLES.sub(_one, mixed.translate(_VOWEL_FOLD))


def _one(match: re.Match[str]) -> str:
    # What r"\1" gives, without Python 3.11 expanding a template for every match.
    return match.group(1)


def _classes(text: str) -> str:
    """Latin graphemes as their class letters; vowels and anything else left as they are."""
    return _DIGRAPHS.sub(_digraph_class, text).translate(_LETTER_CLASS)


def _digraph_class(match: re.Match[str]) -> str:
    return _DIGRAPH_CLASS[match.group(0)]


#: Why a Latin element may be read another way, and the skeleton it is then read as.
Reading = tuple[str, str]

GERMAN_CH = "German ch for خ"
# Each rule: why, the pattern, and what it is rewritten as before the skeleton is taken.
_READINGS = (
    # French and English ch is ش (the skeleton's reading); German ch is خ (Sebachi, صباخي).
    (GERMAN_CH, re.compile(r"(?<![st])ch"), "kh"),
    # dh, zh, sh, th, kh inside a word may be two letters, the second a ه or ح
    # (Adham أدهم, Ishaq إسحاق, Lzhani لزحاني). At the start of a word only zh:
    # Maghrebi spellings drop the first short vowel (Zhor, Zhira for زهور, زهيرة),
    # where an initial sh, th, kh is most often one letter.
    ("h as a letter of its own", re.compile(r"(?<=.[dzstk])h|(?<=^z)h"), "'h"),
    # Spanish y is ج (Yamal, Mayid), and an English or French y between vowels is a
    # consonant the skeleton would otherwise drop as a vowel (Mayada, Bayan, Rayyan).
    ("y as a consonant (Spanish y for ج)", re.compile(r"^y|(?<=[aeiou])y+(?=[aeiou])"), "j"),
    # Spanish j is ح or خ (Sallaj, Jalid), where English and French j is ج.
    ("Spanish j for ح", re.compile(r"(?<!d)j"), "h'"),
    ("Spanish j for خ", re.compile(r"(?<!d)j"), "kh"),
    # A final -ah, -eh is most often the ta marbuta the skeleton drops, but may be ح
    # (Saleh, صالح; Misbah, مصباح).
    ("a final h as ح", re.compile(r"(?<=[aeiouy])h+$"), "h'"),
    # German dsch is ج, but after a vowel it may be d + sch (Redschad, رضشاد).
    ("dsch as d + sch", re.compile(r"(?<=[aeiou])dsch"), "d'sch"),
)


@lru_cache(maxsize=262144)
def readings(token: str) -> tuple[Reading, ...]:
    """Other fine skeletons a Latin token may stand for, each with its reason.

    A spelling convention the skeleton does not follow may be the writer's:
    ``Chalid`` is خالد to a German, ``Mayud`` ماجد to a Spaniard. Arabic
    script has none (its letters are known); nor has a token no rule rewrites.
    """
    if is_arabic(token):
        return ()
    first = skeleton(token)
    out: dict[str, str] = {}
    for why, pattern, rewrite in _READINGS:
        rewritten = pattern.sub(rewrite, token)
        if rewritten != token:
            other = skeleton(rewritten)
            if other != first and other not in out:
                out[other] = why
    return tuple((why, other) for other, why in out.items())
