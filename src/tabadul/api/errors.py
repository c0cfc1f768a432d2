"""The JSON error envelope ``{"error": {code, message, details}}`` and how errors become it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tabadul.errors import AuthenticationRequired, TabadulError, TooManyAttempts, ValidationFailed
from tabadul.schemas.common import details_from

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}

Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def envelope(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    """A JSON error response in the node's one format."""
    body = {"error": {"code": code, "message": message, "details": details or []}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


async def tabadul_error(_request: Request, exc: Exception) -> JSONResponse:
    """Our own errors carry their status and code."""
    assert isinstance(exc, TabadulError)
    response = JSONResponse(exc.to_dict(), status_code=exc.status_code)
    if isinstance(exc, AuthenticationRequired):
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def request_invalid(_request: Request, exc: Exception) -> JSONResponse:
    """Request validation: paths read like the JSON the caller sent (no leading 'body')."""
    assert isinstance(exc, RequestValidationError)
    details = details_from(exc.errors(), strip=1)
    failed = ValidationFailed("; ".join(f"{d.field}: {d.message}" for d in details), details)
    return JSONResponse(failed.to_dict(), status_code=failed.status_code)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method)."""
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return envelope(exc.status_code, code, str(exc.detail))


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: never echoed (it may hold content or secrets); the log has the trace."""
    log_unexpected(exc, request.url.path)
    return envelope(500, "internal_error", "the node could not complete the request")


def log_unexpected(exc: Exception, path: str | None = None) -> None:
    """Log an unexpected failure by type, with its trace, never its message in a response."""
    log.error("request.failed", path=path, error=type(exc).__name__, exc_info=exc)


def handlers() -> list[tuple[type[Exception], Handler]]:
    """Error types and their JSON handlers, most specific first."""
    return [
        (TabadulError, tabadul_error),
        (RequestValidationError, request_invalid),
        (StarletteHTTPException, http_error),
        (Exception, unexpected),
    ]
