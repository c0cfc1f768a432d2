"""Rendering pages: one Jinja2 environment, autoescaped, gettext-ready, with the CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
# Interface strings go through gettext; the catalogues come with the web issue.
_env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template``; every page knows its CSRF token and the signed-in user."""
    page = _env.get_template(template).render(
        request=request,
        csrf_token=getattr(request.state, "csrf_token", ""),
        user=getattr(request.state, "principal", None),
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
