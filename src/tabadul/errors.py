"""The one tree of errors Tabadul raises on purpose.

Each class carries the HTTP status it maps to and a stable machine-readable
``code``; one handler in the API turns any of them into the JSON envelope
``{"error": {"code": ..., "message": ..., "details": [...]}}`` and the CLI
prints them as one line. Messages never contain secrets or record content
the caller may not read.

    TabadulError
    ├── ValidationFailed          422  input that breaks a rule; details say which field and why
    ├── AuthenticationRequired    401  no credentials, or credentials that do not check out
    ├── PermissionDenied          403  known caller, action not allowed
    ├── NotFound                  404  no such record, or one the caller may not know exists
    ├── Conflict                  409  the request contradicts the stored state
    ├── ImportFailed              422  a line of an import file is bad (carries its line number)
    ├── PurposeRequired           400  a consultation without a stated purpose
    ├── TooManyAttempts           429  sign-in refused for now after repeated failures
    └── ConfigurationError        500  the node is set up wrongly (bad settings, missing data dir)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    """One reason a request was refused: the field it concerns and why."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The detail as it appears in the JSON envelope."""
        return {"field": self.field, "message": self.message}


class TabadulError(Exception):
    """Base of every error Tabadul raises deliberately."""

    status_code: int = 500
    code: str = "error"

    def __init__(self, message: str, details: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)

    def to_dict(self) -> dict[str, object]:
        """The JSON error envelope."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": [d.to_dict() for d in self.details],
            }
        }


class ValidationFailed(TabadulError):
    """Input that breaks a rule of the model; ``details`` name the fields."""

    status_code = 422
    code = "validation_failed"

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        """A failure about a single field."""
        return cls(f"{field}: {message}", [ErrorDetail(field, message)])

    def prefixed(self, prefix: str) -> ValidationFailed:
        """The same failure with every field path placed under ``prefix``."""
        details = [
            ErrorDetail(f"{prefix}.{d.field}" if d.field else prefix, d.message)
            for d in self.details
        ]
        message = "; ".join(f"{d.field}: {d.message}" for d in details) or self.message
        return ValidationFailed(message, details)


class AuthenticationRequired(TabadulError):
    """No credentials were given, or they are not valid."""

    status_code = 401
    code = "authentication_required"


class PermissionDenied(TabadulError):
    """The caller is known but may not do this."""

    status_code = 403
    code = "permission_denied"


class NotFound(TabadulError):
    """No such record — or one the caller may not know exists."""

    status_code = 404
    code = "not_found"


class Conflict(TabadulError):
    """The request contradicts what is stored (e.g. a new version of a withdrawn report)."""

    status_code = 409
    code = "conflict"


class ImportFailed(TabadulError):
    """A line of an import file is bad; nothing of the import was written."""

    status_code = 422
    code = "import_failed"

    def __init__(self, line: int, reason: str, details: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(f"line {line}: {reason}", details)
        self.line = line
        self.reason = reason


class PurposeRequired(TabadulError):
    """Reading intelligence, searching and exporting need a stated purpose, which is logged."""

    status_code = 400
    code = "purpose_required"

    def __init__(self) -> None:
        super().__init__(
            "state the purpose of this consultation (a case reference or a few words) in the "
            "X-Tabadul-Purpose header or the purpose field; it is kept in the audit log"
        )


class TooManyAttempts(TabadulError):
    """Too many failed sign-ins: wait (``retry_after`` seconds) before trying again."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        wait = f"{retry_after} seconds" if retry_after < 120 else f"{minutes} minutes"
        super().__init__(f"too many failed sign-ins; try again in {wait}")
        self.retry_after = retry_after


class ConfigurationError(TabadulError):
    """The node is set up wrongly: bad settings or a missing data directory."""

    status_code = 500
    code = "configuration_error"
