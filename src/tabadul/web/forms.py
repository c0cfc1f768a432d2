"""Small helpers for reading the web forms."""

from __future__ import annotations


def listed(value: object) -> list[str]:
    """A comma-separated field (Latin or Arabic commas) as a list of trimmed items."""
    return [t.strip() for t in str(value or "").replace("،", ",").split(",") if t.strip()]
