"""Keeping the interface catalogues complete: extract every string, update the ``.po`` files.

``python -m tabadul.web.catalogues`` (``make messages``) adds new strings to
``web/locale/{ar,fr}/LC_MESSAGES/messages.po`` with empty translations and
keeps the existing ones; a test fails while any is empty.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from tabadul.web.i18n import LANGUAGES, LOCALES

WEB = Path(__file__).parent


def extracted() -> dict[str, str]:
    """Every interface string (``_()`` in templates, ``N_()`` in Python) and where it is used."""
    found: dict[str, str] = {}
    for path in sorted((WEB / "templates").rglob("*.html")):
        for lineno, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords={"_": None}
        ):
            if isinstance(message, str):
                found.setdefault(message, f"{path.relative_to(WEB)}:{lineno}")
    for path in sorted(WEB.rglob("*.py")):
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"N_": None}
        ):
            if isinstance(message, str):
                found.setdefault(message, f"{path.relative_to(WEB)}:{lineno}")
    return found


def update() -> dict[str, int]:
    """Bring every catalogue in line with the strings in use; returns untranslated counts."""
    strings = extracted()
    missing: dict[str, int] = {}
    for code in LANGUAGES:
        if code == "en":
            continue
        path = LOCALES / code / "LC_MESSAGES" / "messages.po"
        old = {}
        if path.is_file():
            with path.open("rb") as handle:
                old = {m.id: m.string for m in read_po(handle, locale=code) if m.id}
        catalog = Catalog(locale=code, project="Tabadul", charset="utf-8")
        for message, where in sorted(strings.items()):
            file, _, line = where.rpartition(":")
            catalog.add(message, old.get(message, ""), locations=[(file, int(line))])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False)
        missing[code] = sum(1 for m in catalog if m.id and not m.string)
    return missing


if __name__ == "__main__":
    for code, count in update().items():
        print(f"{code}: {count} untranslated")
