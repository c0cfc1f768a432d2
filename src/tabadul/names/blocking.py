"""Comparable tokens and blocking keys: what search indexes and what tables block on.

Both are built from the *coarse skeletons* of a name's elements
(:mod:`tabadul.names.comparable`), written in lower case: ``طارق السعيدي``,
``Tarik Saidi`` and ``Tareq al-Saeedi`` all give ``["trk", "sd"]``.
"""

from __future__ import annotations

from tabadul.names.comparable import coarse
from tabadul.names.normalise import normalise
from tabadul.names.rarity import element_key
from tabadul.names.scoring import prepare
from tabadul.names.variants import known_spellings

__all__ = ["MAX_KEYS", "comparable_tokens", "element_keys", "keys"]

#: The most blocking keys one name gives.
MAX_KEYS = 8


def comparable_tokens(name: str) -> list[str]:
    """Script-neutral tokens of a name, in order: articles, connectors and titles removed.

    Arabic script and every Latin transliteration of a name share these, so
    a full-text index over them finds ``Tarik Saidi`` from ``طارق السعيدي``.
    Initials give no token (they would match half the index).
    """
    out = []
    for token in prepare(normalise(name)).tokens:
        if token.kind != "initial" and token.coarse:
            out.append(token.coarse.lower())
    return out


def keys(name: str) -> set[str]:
    """A small set (≤ ``MAX_KEYS``) of blocking keys; a name and its variants share one.

    One key per element (its coarse skeleton), plus, for Arabic elements, the
    skeletons of their most common learnt Latin spellings where the rules
    disagree with usage (عثمان gives ``tmn`` and ``smn``, for Osman). Rare
    elements come first when the cap bites.
    """
    prepared = prepare(normalise(name))
    ranked = sorted(
        (t for t in prepared.tokens if t.kind != "initial" and t.coarse),
        key=lambda t: -t.weight,
    )
    out: list[str] = []
    for token in ranked:
        forms = [token.coarse]
        if token.arabic:
            forms.extend(coarse(s) for s in known_spellings(token.text)[:3])
        for form in forms:
            key = form.lower()
            if key and key not in out and len(out) < MAX_KEYS:
                out.append(key)
    return set(out)


def element_keys(name: str) -> set[str]:
    """The keys a name's elements are counted by for :class:`~tabadul.names.rarity.Rarity`.

    The same elements :func:`~tabadul.names.scoring.compare` weighs (the name
    as given, not normalised first: ``compare`` prepares it so); initials are
    not counted.
    """
    return {element_key(t.coarse) for t in prepare(name).tokens if t.kind != "initial" and t.coarse}
