"""Shapes shared by every part of the API: pages of results and validation errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from tabadul.errors import ErrorDetail, ValidationFailed

T = TypeVar("T")


class Strict(BaseModel):
    """Base for inputs: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next`` is the cursor for the following page, if any."""

    items: list[T]
    next: str | None = None


def field_path(loc: Iterable[Any]) -> str:
    """A pydantic error location as a dotted path: ``entities.0.properties.name``."""
    return ".".join(str(part) for part in loc)


def details_from(errors: Sequence[Any], strip: int = 0) -> list[ErrorDetail]:
    """Pydantic's error list as our error details (dropping ``strip`` leading path parts)."""
    details = []
    for error in errors:
        loc = list(error.get("loc", ()))[strip:]
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "extra_forbidden":
            message = "is not a field of this object"
        details.append(ErrorDetail(field_path(loc), message))
    return details


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """A pydantic ``ValidationError`` as the node's ``ValidationFailed``."""
    details = details_from(exc.errors())
    return ValidationFailed("; ".join(f"{d.field}: {d.message}" for d in details), details)
