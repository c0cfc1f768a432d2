"""Interface languages: Arabic (right to left), French and English, from gettext catalogues.

The catalogues are the ``.po`` files under ``web/locale`` — read directly
with Babel when the node starts, so there is no compile step to forget.
Interface strings are marked ``_("…")`` in templates and ``N_("…")`` in
Python (where they are translated later, in the template). Dates and numbers
are formatted with the CLDR data Babel carries for each language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import followthemoney
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locale"
FTM_LOCALES = Path(followthemoney.__file__).parent / "translations"
LANGUAGES = ("ar", "fr", "en")
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where shown."""
    return message


@dataclass(frozen=True)
class Language:
    """One interface language: its catalogue and its conventions."""

    code: str
    messages: dict[str, str]
    # FollowTheMoney's own catalogue: schema and property labels ("Birth date", "Person").
    labels: dict[str, str]

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``, for the ``dir`` attribute of the page."""
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"

    @property
    def locale(self) -> Locale:
        """Babel's locale (Moroccan Arabic conventions for Arabic: Latin digits, dd/MM/y)."""
        return Locale.parse("ar_MA" if self.code == "ar" else self.code)

    def gettext(self, message: str) -> str:
        """The translation of ``message`` (or the message itself when there is none)."""
        return self.messages.get(message) or self.labels.get(message) or message

    def has(self, message: str) -> bool:
        """True when ``message`` is translated (English needs no translation)."""
        return self.code == DEFAULT or bool(self.messages.get(message) or self.labels.get(message))

    def date(self, value: dt.date | None) -> str:
        """A date in this language's medium format."""
        return "" if value is None else format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        """A timestamp in this language's medium format, in UTC."""
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=dt.UTC, locale=self.locale)

    def number(self, value: int | float) -> str:
        """A number with this language's separators."""
        return format_decimal(value, locale=self.locale)


@functools.cache
def language(code: str | None) -> Language:
    """The interface language ``code`` (the default for unknown codes)."""
    chosen = code if code in LANGUAGES else DEFAULT
    if chosen == DEFAULT:
        return Language(chosen, {}, {})
    ours = _read(LOCALES / chosen / "LC_MESSAGES" / "messages.po", chosen)
    theirs = _read(FTM_LOCALES / chosen / "LC_MESSAGES" / "followthemoney.po", chosen)
    return Language(chosen, ours, theirs)


def _read(path: Path, code: str) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def best_match(accept_language: str | None) -> str:
    """The interface language for a browser's Accept-Language header."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT


Translator = Callable[[str], str]
