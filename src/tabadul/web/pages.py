"""Rendering pages: one autoescaped Jinja2 environment; each page in its reader's language.

Every page gets ``_`` (the reader's gettext), ``lang`` (direction, date and
number formatting), the CSRF token, the signed-in user and their working
context. User content is always rendered with ``dir="auto"`` by the
templates, so Arabic and Latin text display correctly in any interface
language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from followthemoney import model as ftm
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tabadul.web.i18n import NAMES, Language, best_match, language

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_COOKIE = "tabadul_lang"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def reader_language(request: Request) -> Language:
    """The signed-in user's language, else the language cookie, else the browser's."""
    chosen = getattr(request.state, "language", None) or request.cookies.get(LANGUAGE_COOKIE)
    return language(chosen or best_match(request.headers.get("accept-language")))


def schema_label(name: str) -> str:
    """FollowTheMoney's English label of a schema (translated by its own catalogue)."""
    schema = ftm.get(name)
    return str(schema.label) if schema is not None else name


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` in the reader's language."""
    lang = reader_language(request)
    page = _env.get_template(template).render(
        request=request,
        _=lang.gettext,
        lang=lang,
        languages=NAMES,
        csrf_token=getattr(request.state, "csrf_token", ""),
        user=getattr(request.state, "principal", None),
        purpose=getattr(request.state, "purpose", None),
        schema_label=schema_label,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
