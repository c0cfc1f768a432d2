"""Name structure: articles, connectors, compounds, kunyas and honorifics.

Arabic names are built from parts that Latin spellings cut and glue in
different places: ``عبد الرحمن`` is ``Abdul Rahman``, ``Abd al-Rahman``,
``Abderrahmane``; ``نصر الله`` is ``Nasrullah``; ``أبو بكر`` is ``Abu Bakr`` or
``Aboubakr``. This module parses a normalised name into *elements* so that
each of those comes out as one element with the same surface on both sides:

* the article (al-, el- and its sun-letter forms as-, ash-, ad-, es-, ed-,
  er-, ez-, an-, at-, ul-, ud-…; ``ال``) is removed from the element it
  belongs to, because writers keep, drop, hyphenate or fuse it at will;
* connectors of a nasab chain (ben, bin, ibn, bint, ould, wuld; ``بن``,
  ``ابن``, ``بنت``, ``ولد``) are dropped: they say how two elements relate,
  not who the person is;
* a connector fused to its name (``Benali``) or standing first, as in
  passport order (``BEN ALI Youcef``), makes one family-name element that
  may also be compared through the name alone (``علي`` of ``يوسف بن علي``);
* ``abd`` + a divine name, ``abu``/``umm`` + a name (the kunya), and a name +
  ``allah``/``al-din`` are glued into one element;
* honorifics and titles (sheikh, haji, mullah, sayyid, dr…) are dropped so
  that they never drive a match.

Every such decision is recorded as a note that :func:`tabadul.names.compare`
repeats in its reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tabadul.names.normalise import is_arabic, tokens

__all__ = ["Element", "ParsedName", "parse"]

HONORIFICS = frozenset(
    {
        # Latin
        "sheikh", "shaikh", "shaykh", "sheik", "shaik", "cheikh", "cheik", "scheich",
        "haji", "hajji", "hadji", "hadj", "hajj", "alhaj", "alhajj", "elhadj", "elhadji",
        "mullah", "mulla", "molla", "mollah", "mullo",
        "mawlawi", "maulawi", "maulvi", "molvi", "mawlavi", "moulvi", "maulana", "mawlana",
        "maulavi", "moulavi", "mowlawi", "molavi", "mowlavi", "sahib", "saheb", "sahab",
        "sayyid", "sayyed", "syed", "sayid", "seyed", "seyyed",
        "qari", "qazi", "hafiz", "hafez", "ustad", "ustadh", "ustaz",
        "dr", "doctor", "docteur", "prof", "professor", "eng", "engineer", "ingenieur",
        "imam", "emir", "mr", "mrs", "ms", "mme", "mister", "monsieur",
        "general", "gen", "colonel", "col", "major", "maj", "captain", "capt", "brigadier",
        # Arabic script (normalised)
        "شيخ", "الشيخ", "حاجي", "الحاج", "حاج", "ملا", "مولوي", "مولانا", "السيد", "سيد",
        "الدكتور", "دكتور", "د", "قاري", "حافظ", "استاذ", "الاستاذ", "المهندس", "مهندس",
        "الامام", "امام", "اللواء", "العقيد", "العميد", "الرائد", "النقيب",
    }
)  # fmt: skip
# Titles that are also given names: dropped only when two other elements remain.
_AMBIGUOUS_HONORIFICS = frozenset({"sayyid", "sayyed", "syed", "sayid", "seyed", "سيد", "السيد",
                                   "amir", "emir", "imam", "hafiz", "hafez", "حافظ", "امام",
                                   "qazi", "general", "major"})  # fmt: skip
CONNECTORS = frozenset(
    {"ben", "bin", "ibn", "bint", "ould", "wuld", "walad", "ibnu", "ben-",
     "بن", "ابن", "بنت", "ولد"}
)  # fmt: skip
ARTICLES = frozenset(
    {"al", "el", "ul", "il", "as", "es", "us", "ash", "ech", "esh", "ad", "ed", "ud",
     "ar", "er", "ur", "at", "et", "ut", "az", "ez", "uz", "an", "en", "un", "ath", "adh", "u",
     "ال"}
)  # fmt: skip
# Function words of organisation names (and the Persian ezafe): dropped like articles.
FUNCTION_WORDS = frozenset(
    {"في", "و", "of", "the", "and", "in", "for", "e", "wa", "wal", "fi", "et", "des", "du",
     "la", "le", "les", "der", "die", "und", "y", "del", "de"}
)  # fmt: skip
_ABD = frozenset({"abd", "abdul", "abdel", "abdal", "abdoul", "abdu", "abdol", "abdool", "abdil",
                  "abdur", "abder", "abdar", "abdus", "abdes", "abdas", "abdun", "abden",
                  "abdou", "abdalla", "عبد"})  # fmt: skip
_KUNYA = frozenset(
    {"abu", "abou", "abo", "abi", "aboo", "bou", "abul", "abel",
     "ابو", "ابي", "umm", "um", "oum", "om", "ام"}
)  # fmt: skip
_ALLAH = frozenset({"allah", "ullah", "ollah", "ellah", "illah", "alla", "ulla", "olla", "الله"})
_DIN = frozenset({"din", "deen", "dine", "dinn", "ddin", "ddine", "uddin", "eddine", "eddin",
                  "addin", "uddeen", "الدين", "دين"})  # fmt: skip
_BARE_DIN = frozenset({"din", "deen", "dine", "dinn", "دين"})  # without an article of their own
_SUN = "tdrzslnc"
_FUSED_ABD = re.compile(r"^abd(?:[aeiou]{1,2}l?)?(?=.{2})(.+)$")
_FUSED_AL = re.compile(r"^(?:al|el)(?=[bcdfghjklmnpqrstvwxz])(.{4,})$")
_FUSED_SUN = re.compile(rf"^[ae]([{_SUN}])\1(.{{2,}})$")
# A nasab connector fused to the name it introduces: Benali, Benmohamed, Binladen.
_FUSED_BEN = re.compile(r"^(?:ben|bin|ibn)([a-z]{3,})$")
_ARABIC_AL = re.compile(r"^(?:ال|لل)(..+)$")
_ARABIC_ABD = re.compile(r"^عبد(?:ال)?(..+)$")


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a parsed name: its normalised surface and what kind it is."""

    text: str
    source: str  # the words it came from, for explanations
    kind: str  # "name", "compound" (abd-, -allah, -din), "kunya", "nasab", "initial", "title"
    # Of a name + allah/al-din compound, the name alone (نصير of نصير الدين); of
    # a family name made of a connector and a name (Benali, "BEN ALI"), the name.
    head: str = ""


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name as elements, with the notes on what was dropped or glued."""

    elements: tuple[Element, ...]
    notes: tuple[str, ...]


def _glue(first: str, second: str) -> str:
    """Join the parts of a compound; in Latin with a hyphen, so ``abd`` + ``hamid``
    does not read as the digraph ``dh``."""
    return first + second if is_arabic(first) else f"{first}-{second}"


def _articled(word: str) -> bool:
    """Whether a word is an article, or a ``din`` that carries its own (``Eddine``).

    Two articles never follow each other: in ``Az ad-Din`` and ``Ez Eddine``
    the first word is the name عز, not an article.
    """
    return word in ARTICLES or (word in _DIN and word not in _BARE_DIN)


def _strip_article(word: str) -> str:
    if word[:1] not in ("a", "e", "ا", "ل"):
        return word  # the common case, without a regular expression
    if is_arabic(word):
        m = _ARABIC_AL.match(word)
        return m.group(1) if m and word != "الله" else word
    m = _FUSED_AL.match(word)
    if m:
        return m.group(1)
    m = _FUSED_SUN.match(word)
    if m:
        return m.group(1) + m.group(2)
    return word


def _fused_abd(word: str) -> str | None:
    """The divine name of a fused ``abd`` compound (``abderrahmane`` → ``rrahmane``)."""
    if not word.startswith(("abd", "عبد")):
        return None
    if is_arabic(word):
        m = _ARABIC_ABD.match(word)
        return m.group(1) if m else None
    m = _FUSED_ABD.match(word)
    return m.group(1) if m else None


@lru_cache(maxsize=65536)
def parse(name: str) -> ParsedName:
    """Parse a name into elements; see the module docstring for the rules."""
    words = tokens(name)
    notes: list[str] = []
    # Honorifics first, so that "Sheikh Abu X" still finds its kunya. Titles
    # that are also given names stay, as elements of kind "title".
    kept = [w for w in words if w not in HONORIFICS or w in _AMBIGUOUS_HONORIFICS]
    if len(kept) < len(words) and kept:
        notes.extend(f"title {w!r} ignored" for w in words if w not in kept)
    else:
        kept = list(words)
    elements: list[Element] = []
    i = 0
    while i < len(kept):
        word = kept[i]
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if word in CONNECTORS and i > 0 and nxt is not None:
            notes.append(f"connector {word!r} ignored")
            i += 1
            continue
        if word in CONNECTORS and nxt is not None and nxt not in CONNECTORS:
            # Passport order puts the family name first: "BEN ALI Youcef" is the
            # family name Benali, which is "bin Ali" in the nasab of يوسف بن علي.
            rest = _strip_article(nxt)
            elements.append(Element(word + rest, f"{word} {nxt}", "nasab", head=rest))
            notes.append(f"{word + ' ' + nxt!r} read as one family name")
            i += 2
            continue
        if word in ARTICLES and nxt is not None and not _articled(nxt):
            notes.append(f"article {word!r} ignored")
            i += 1
            continue
        if word in FUNCTION_WORDS and (i > 0 or word == "the") and len(kept) > 2:
            notes.append(f"word {word!r} ignored")
            i += 1
            continue
        if (word in _ABD or word in _KUNYA) and nxt is not None:
            j = i + 1
            if kept[j] in ARTICLES and j + 1 < len(kept):
                j += 1
            head = "عبد" if word == "عبد" else ("abd" if word in _ABD else word)
            if word in _KUNYA and not is_arabic(word):
                head = "umm" if word in {"umm", "um", "oum", "om"} else "abu"
            if word in _KUNYA and is_arabic(word):
                head = "ابو" if word in {"ابو", "ابي"} else "ام"
            rest = _strip_article(kept[j])
            kind = "compound" if word in _ABD else "kunya"
            elements.append(Element(_glue(head, rest), " ".join(kept[i : j + 1]), kind))
            notes.append(f"{' '.join(kept[i : j + 1])!r} read as one {kind}")
            i = j + 1
            continue
        if elements and (word in _ALLAH or word in _DIN) and elements[-1].kind != "kunya":
            prev = elements.pop()
            tail = word if word in _ALLAH else _strip_article(word)
            if tail == "الله":
                tail = "لله"
            elements.append(
                Element(_glue(prev.text, tail), f"{prev.source} {word}", "compound", head=prev.text)
            )
            notes.append(f"{prev.source + ' ' + word!r} read as one compound")
            i += 1
            continue
        stripped = _strip_article(word)
        if stripped != word:
            notes.append(f"article in {word!r} ignored")
        divine = _fused_abd(stripped)
        fused_ben = _FUSED_BEN.match(stripped) if stripped[:1] in ("b", "i") else None
        if fused_ben is not None and divine is None:
            # Benali may be compared as "Ali" when the other side wrote بن علي.
            elements.append(Element(stripped, word, "nasab", head=fused_ben.group(1)))
        elif divine is not None:
            head = "عبد" if is_arabic(stripped) else "abd"
            elements.append(Element(_glue(head, _strip_article(divine)), word, "compound"))
        elif len(stripped) == 1 and not is_arabic(stripped):
            elements.append(Element(stripped, word, "initial"))
        elif word in _AMBIGUOUS_HONORIFICS:
            # Sayyid, Amir, Hafiz: a title or a given name; kept, but weighs little.
            elements.append(Element(stripped, word, "title"))
        else:
            elements.append(Element(stripped, word, "name"))
        i += 1
    return ParsedName(tuple(elements), tuple(notes))
