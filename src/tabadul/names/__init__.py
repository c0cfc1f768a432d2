"""Cross-script name matching (Arabic ↔ Latin): normalisation, comparable forms, scoring, index.

The public surface, kept stable for search and matching:

* :func:`normalise` – script-aware normal form, same script;
* :func:`comparable_tokens` – script-neutral tokens Arabic and Latin spellings share;
* :func:`keys` – a few blocking keys for candidate look-up in a table;
* :func:`compare` → :class:`NameMatch` (``score``, ``match``, ``reasons``) and
  :data:`THRESHOLD`;
* :class:`NameIndex` – the in-memory candidate index (``add``, ``candidates``, ``search``).

``docs/names.md`` explains every rule.
"""

from tabadul.names.blocking import MAX_KEYS, comparable_tokens, keys
from tabadul.names.index import Candidate, NameIndex
from tabadul.names.normalise import normalise
from tabadul.names.scoring import THRESHOLD, NameMatch, compare

__all__ = [
    "MAX_KEYS",
    "THRESHOLD",
    "Candidate",
    "NameIndex",
    "NameMatch",
    "comparable_tokens",
    "compare",
    "keys",
    "normalise",
]
