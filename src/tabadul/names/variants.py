"""Learnt spellings: which Latin spellings an Arabic token is known to take.

The table ``data/variants.tsv`` is fitted by ``bench/names_fit.py`` from the
*training* slices of the public transliteration corpora only (Wikidata
``wd_arabic_80``, Google ``ar2en-train``, ANETAC ``translit_train``); no test
slice and no UN sanctions data goes into it (``docs/benchmarks.md`` says
what was fitted on what). Rules in :mod:`tabadul.names.comparable` decide
everything the table does not know; the table only confirms a spelling
(``طارق`` ~ ``tareq``: a known spelling) or warns that a Latin spelling
usually belongs to another Arabic token (``mohammed`` is usually ``محمد``,
not ``محمود``).

Also here: the common-name list that makes a rare family name count for
more than a "Mohammed" agreeing.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from tabadul.names.normalise import normalise

__all__ = ["is_common", "is_prefix_name", "known_spellings", "usual_arabic"]


# A Latin spelling "usually renders" an Arabic token only when seen this often.
_USUAL_MIN = 20


@cache
def _table() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    spellings: dict[str, tuple[str, ...]] = {}
    best: dict[str, tuple[int, str]] = {}
    text = resources.files("tabadul.names").joinpath("data/variants.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        arabic, rest = line.split("\t", 1)
        forms = []
        for item in rest.split("|"):
            latin, _, count = item.rpartition(":")
            forms.append(latin)
            n = int(count)
            if n >= _USUAL_MIN and n > best.get(latin, (0, ""))[0]:
                best[latin] = (n, arabic)
        spellings[arabic] = tuple(forms)
    return spellings, {latin: arabic for latin, (_, arabic) in best.items()}


def known_spellings(arabic: str) -> tuple[str, ...]:
    """The Latin spellings (normalised) learnt for one normalised Arabic token, commonest first."""
    return _table()[0].get(arabic, ())


def usual_arabic(latin: str) -> str | None:
    """The Arabic token a Latin spelling most often renders, if learnt."""
    return _table()[1].get(latin)


# Given names so frequent that agreeing on one says little. Written in Arabic
# and compared by coarse skeleton, so every spelling of them counts as common.
_COMMON = """
محمد احمد علي حسن حسين عبدالله عمر خالد ابراهيم يوسف مصطفى عثمان سعيد صالح حامد محمود
عبدالرحمن عبدالعزيز عبدالكريم عبدالقادر عبدالرحيم عبدالرزاق عبداللطيف عبدالسلام عبدالحميد
خان شاه جان گل الله دين رحمان رحيم فاطمه عايشه زينب مريم امنه خديجه
"""


@cache
def _common() -> frozenset[str]:
    from tabadul.names.structure import parse

    forms = set()
    for word in _COMMON.split():
        for element in parse(normalise(word)).elements:
            forms.add(element.text)
            forms.update(known_spellings(element.text))
    return frozenset(forms)


def is_common(text: str) -> bool:
    """Whether an element (normalised text) is one of the very common given names.

    Matched on exact forms: the Arabic element and its learnt Latin
    spellings. Matching by skeleton instead would make ``Anwari`` (N-R) as
    common as ``Nour``.
    """
    return text in _common()


# Given names that open a compound given name and are dropped in use: Mohamed Amine is called
# Amine, Ahmad Zia is Zia. Leaving one of them out is not leaving out a given name.
_PREFIX_NAMES = """
محمد احمد mohamed mohammed muhammad mohammad muhammed mohamad muhamad mouhamed mohd mehmet
ahmed ahmad ahmet akhmed
"""


@cache
def _prefix_names() -> frozenset[str]:
    forms = set()
    for word in _PREFIX_NAMES.split():
        forms.add(normalise(word))
        forms.update(known_spellings(normalise(word)))
    return frozenset(forms)


def is_prefix_name(text: str) -> bool:
    """Whether an element (normalised text) is a given name often dropped from the front of
    a compound given name (Mohamed Amine → Amine)."""
    return text in _prefix_names()
