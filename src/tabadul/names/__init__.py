"""Cross-script name matching (Arabic ↔ Latin): normalisation, comparable forms, scoring, index.

The public surface, kept stable for search and matching:

* :func:`normalise` – script-aware normal form, same script;
* :func:`comparable_tokens` – script-neutral tokens Arabic and Latin spellings share;
* :func:`keys` – a few blocking keys for candidate look-up in a table;
* :func:`compare` → :class:`NameMatch` (``score``, ``match``, ``reasons``) and
  :data:`THRESHOLD`;
* :class:`NameIndex` – the in-memory candidate index (``add``, ``candidates``, ``search``);
* :class:`Rarity` – how common each element is among the names held, for ``compare``.

``docs/names.md`` explains every rule.
"""

from tabadul.names.blocking import MAX_KEYS, comparable_tokens, element_keys, keys
from tabadul.names.index import Candidate, NameIndex
from tabadul.names.normalise import normalise
from tabadul.names.rarity import Rarity
from tabadul.names.scoring import THRESHOLD, NameMatch, compare

__all__ = [
    "MAX_KEYS",
    "THRESHOLD",
    "Candidate",
    "NameIndex",
    "NameMatch",
    "Rarity",
    "comparable_tokens",
    "compare",
    "element_keys",
    "keys",
    "normalise",
]
