"""The words organisation names are made of, and their translations.

People's names are transliterated; organisations' are mostly *translated*:
``الجماعة الإسلامية المسلحة`` is the ``Armed Islamic Group`` and the ``Groupe
Islamique Armé``, and no consonant skeleton bridges جماعة and "group". The
table ``data/organisation_words.tsv`` lists, one meaning a line, the Arabic
words of organisation names and the English, French, Spanish and German words
(and usual transliterations) that render them. It is hand-written from
general knowledge, not fitted on any data.

Two elements *translate* each other when they share a meaning. Each meaning
also has a weight: the words nearly every organisation name has (group,
Islamic, company) say little about which organisation it is.

Only organisation comparisons use this module; a person called Nasr is not
"Victory".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from tabadul.names.structure import parse

__all__ = ["meanings", "translation", "word_weight"]


@cache
def _table() -> tuple[dict[str, frozenset[int]], tuple[str, ...], tuple[float, ...]]:
    """Element text → meaning ids; each meaning's gloss and weight."""
    by_text: dict[str, set[int]] = {}
    glosses: list[str] = []
    weights: list[float] = []
    text = resources.files("tabadul.names").joinpath("data/organisation_words.tsv")
    for line in text.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        weight, arabic, latin = line.split("\t")
        meaning = len(glosses)
        latin_forms = latin.split("|")
        glosses.append(latin_forms[0])
        weights.append(float(weight))
        for form in (*arabic.split("|"), *latin_forms):
            # The same parsing as the names compared, so that ``الجماعة`` and
            # ``Armé`` are looked up as the elements they become.
            for element in parse(form).elements:
                by_text.setdefault(element.text, set()).add(meaning)
    return {k: frozenset(v) for k, v in by_text.items()}, tuple(glosses), tuple(weights)


def meanings(text: str) -> frozenset[int]:
    """The meanings of one element (normalised, article removed); empty if not listed.

    An Arabic element may carry the conjunction و fused to it (``والشام``).
    """
    by_text = _table()[0]
    found = by_text.get(text)
    if found is None and text.startswith("و") and len(text) > 2:
        # The rest is parsed as any word is, which removes its article.
        elements = parse(text[1:]).elements
        found = by_text.get(elements[0].text) if len(elements) == 1 else None
    return found or frozenset()


def translation(a: str, b: str) -> str | None:
    """The gloss of a meaning two elements share (``جماعه``, ``groupe`` → "group"), or None."""
    shared = meanings(a) & meanings(b)
    if not shared:
        return None
    return _table()[1][min(shared)]


def word_weight(text: str) -> float:
    """How much an element counts in an organisation name: low for "group", 1 if unlisted."""
    found = meanings(text)
    if not found:
        return 1.0
    weights = _table()[2]
    return max(weights[m] for m in found)
