"""How common a name element is among the names held: the weight of its agreement.

On its own the engine knows one thing about frequency: a short list of very
common given names (Mohammed, Ahmed, Ali…) that weigh 0.45 instead of 1.
A holding knows better. In one service's files "Karim" may be as common as
"Mohammed", and a family name held by fifty people in a million says far
more than either. Two records agreeing on two common given names and
differing in the family name are two people, however close the score of
the whole name would be with every element weighed alike.

:class:`Rarity` turns counts of elements among the names held into weights.
An element's *share* is the part of the names held that contain it (counted
by its element key, the coarse skeleton that every spelling of it shares),
smoothed towards the engine's own prior so that a small holding behaves as
the engine alone does::

    share  = (count + PRIOR_NAMES × prior) / (total + PRIOR_NAMES)
    weight = log(share) / log(RARE_SHARE), between MIN_WEIGHT and 1

``prior`` is ``COMMON_SHARE`` for the engine's common names and
``UNCOMMON_SHARE`` for any other element. An element in one name in a
thousand or fewer weighs 1; one in 5 % of the names (a very common given
name) about 0.43 — what the engine's list gives it — and one in 10 % or more
a third. The weight is the information the agreement carries, in units of a
rare element's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from tabadul.names.variants import is_common

__all__ = [
    "COMMON_SHARE",
    "MIN_WEIGHT",
    "MOST_SHARE",
    "PRIOR_NAMES",
    "RARE_SHARE",
    "Rarity",
    "counted_up_to",
    "element_key",
]

#: Names' worth of the engine's own prior mixed into the counts: below a holding of
#: this size the common-names list mostly decides.
PRIOR_NAMES = 10_000
#: The prior share of one of the engine's very common given names ...
COMMON_SHARE = 0.05
#: ... and of any other element.
UNCOMMON_SHARE = 0.0001
#: An element in this share of the names or fewer weighs 1.
RARE_SHARE = 0.001
#: An element in this share of the names or more weighs its least, ``MIN_WEIGHT`` (a third).
MOST_SHARE = 0.1
MIN_WEIGHT = math.log(MOST_SHARE) / math.log(RARE_SHARE)
#: A one-consonant skeleton (Ali → L) says little whatever its count.
SHORT_FACTOR = 0.7


def counted_up_to(total: int) -> int:
    """Past this count an element weighs its least in a holding of ``total`` names.

    Counting further says nothing more (a caller may stop counting there).
    """
    return int(MOST_SHARE * (max(total, 0) + PRIOR_NAMES)) + 1


def element_key(coarse: str) -> str:
    """The key an element is counted by: its coarse skeleton (as blocking keys write it)."""
    return coarse.lower()


@dataclass(frozen=True, eq=False)
class Rarity:
    """Counts of name elements among ``total`` names held, as element weights.

    ``counts`` maps element keys (:func:`element_key`) to how many of the
    names held contain the element; an element not in it counts as held by
    none. Its owner may add elements not counted before, never change a
    count: an element's weight is worked out once. Compared by identity:
    comparisons cached under one holding's counts are not reused for
    another's.
    """

    counts: Mapping[str, int]
    total: int
    _weights: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    def share(self, text: str, coarse: str) -> float:
        """The smoothed share of the names held that contain this element."""
        prior = COMMON_SHARE if is_common(text) else UNCOMMON_SHARE
        count = self.counts.get(element_key(coarse), 0)
        return (count + PRIOR_NAMES * prior) / (max(self.total, 0) + PRIOR_NAMES)

    def weight(self, text: str, coarse: str) -> float:
        """The weight of an element's agreement, in (0, 1]."""
        key = (text, coarse)
        found = self._weights.get(key)
        if found is None:
            value = math.log(self.share(text, coarse)) / math.log(RARE_SHARE)
            found = min(1.0, max(MIN_WEIGHT, value))
            if len(coarse) <= 1:
                found *= SHORT_FACTOR
            self._weights[key] = found
        return found
