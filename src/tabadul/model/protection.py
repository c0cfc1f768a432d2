"""Protection of a record: its classification level and the compartments it belongs to.

A compartment is a need-to-know group — an operation, a source-protection
group. A person may read a record when their clearance reaches its
classification and they belong to every compartment it carries. An entity
takes the strictest protection of the reports that mention it, unless it was
recorded on its own with a protection of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tabadul.errors import ValidationFailed
from tabadul.model.handling import Classification

COMPARTMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Protection:
    """A classification level and a set of compartments."""

    classification: str
    compartments: frozenset[str] = frozenset()


def clean_compartments(values: Iterable[str], field: str = "compartments") -> frozenset[str]:
    """Compartment codes: lower-case letters, digits, '.', '_' or '-' (up to 64)."""
    found = set()
    for i, value in enumerate(values):
        code = value.strip().lower()
        if not COMPARTMENT.match(code):
            raise ValidationFailed.field(
                f"{field}.{i}",
                f"{value!r} is not a compartment code (lower-case letters, digits, '.', '_', '-')",
            )
        found.add(code)
    return frozenset(found)


def strictest(scheme: Classification, protections: Iterable[Protection]) -> Protection | None:
    """The highest classification and the union of compartments, or None for no protections."""
    level: str | None = None
    compartments: set[str] = set()
    for p in protections:
        if level is None or scheme.rank(p.classification) > scheme.rank(level):
            level = p.classification
        compartments |= p.compartments
    return None if level is None else Protection(level, frozenset(compartments))
