"""One place where errors become the JSON envelope ``{"error": {code, message, details}}``."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tabadul.errors import AuthenticationRequired, TabadulError, ValidationFailed
from tabadul.schemas.common import details_from

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def envelope(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    """A JSON error response in the node's one format."""
    body = {"error": {"code": code, "message": message, "details": details or []}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the envelope."""

    @app.exception_handler(TabadulError)
    async def tabadul_error(_request: Request, exc: TabadulError) -> JSONResponse:
        response = JSONResponse(exc.to_dict(), status_code=exc.status_code)
        if isinstance(exc, AuthenticationRequired):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Drop the leading "body"/"query" so paths read like the JSON the caller sent.
        details = details_from(exc.errors(), strip=1)
        failed = ValidationFailed("; ".join(f"{d.field}: {d.message}" for d in details), details)
        return JSONResponse(failed.to_dict(), status_code=failed.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return envelope(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never echo the exception: it may hold content or secrets. The log has the trace.
        log.exception("request.failed", path=request.url.path, error=type(exc).__name__)
        return envelope(500, "internal_error", "the node could not complete the request")
