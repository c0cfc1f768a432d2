"""Script-aware normalisation: the same name typed two ways becomes one string.

Normalisation stays inside the script it was given. Arabic loses what
writers add or omit at will (short-vowel marks, tatweel, hamza seats, the
dots of ta marbuta and alif maqsura); Latin loses case, accents, ʿayn and
hamza marks and hyphens. Transliteration between scripts is
:mod:`tabadul.names.comparable`'s job, not this module's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["is_arabic", "normalise", "script_of", "tokens"]

# Tashkeel (harakat, tanwin, shadda, sukun), superscript alef, Quranic marks.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff]")
# Bidi controls, zero-width characters and the byte-order mark.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u00ad]")
_ARABIC_LETTERS = {
    # Alef with hamza or madda, and wasla: writers drop the seat freely.
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    # Alif maqsura is written and read as ya in most hands.
    "ى": "ي",
    # Ta marbuta without its dots is ha.
    "ة": "ه",
    # Hamza on waw and ya: the seat letter carries the sound in Latin.
    "ؤ": "و",
    "ئ": "ي",
    # Persian and Urdu letters for the same sounds as the Arabic ones.
    "ک": "ك",
    "ی": "ي",
    "ې": "ي",
    "ۍ": "ي",
    "ے": "ي",
    "ە": "ه",
    "ہ": "ه",
    "ۀ": "ه",
    "ھ": "ه",
    "ټ": "ت",
    "ډ": "د",
    "ړ": "ر",
    "ښ": "ش",
    "ږ": "ژ",
    "ڼ": "ن",
    "ڭ": "گ",
    "ڨ": "ق",  # Algerian and Tunisian gaf
    "ڤ": "ف",  # Maghrebi ve
    "ـ": "",  # tatweel
    "ء": "",  # a lone hamza rarely surfaces in Latin spellings
}
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Apostrophes, ʿayn and hamza marks in Latin transliterations, and modifier letters.
_LATIN_MARKS = re.compile("['‘’`´ʿʾʻʼʽˈˊˋ\u02bf\u02be]")
_LATIN_FOLD = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "ð": "d"}
_ARABIC_TABLE = str.maketrans(_ARABIC_LETTERS)
_LATIN_TABLE = str.maketrans(_LATIN_FOLD)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,;:/\\()\[\]{}\"«»|+&]+")
_NOT_WORD = re.compile(r"[^\w\s]")


def script_of(char: str) -> str:
    """The script of one letter: ``"arabic"``, ``"latin"`` or ``"other"``."""
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF:
        return "arabic"
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "arabic"
    if char.isascii() or 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


def is_arabic(text: str) -> bool:
    """Whether a token is written in Arabic script (its first letter decides)."""
    if text and (text[0].isascii() or "\u0621" <= text[0] <= "\u064a") and text[0].isalpha():
        return not text[0].isascii()  # the common cases, without a loop
    for char in text:
        if char.isalpha():
            return script_of(char) == "arabic"
    return False


def _normalise_arabic(text: str) -> str:
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_TABLE)


def _normalise_latin(text: str) -> str:
    text = _LATIN_MARKS.sub("", text)
    if text.isascii():
        return text.lower()  # nothing to fold or decompose
    text = text.casefold().translate(_LATIN_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Normalise a name within its own script; words come back separated by one space.

    Arabic presentation forms are unfolded (NFKC), marks and tatweel removed,
    alef/hamza/ya/ta-marbuta forms and Persian letters folded, Arabic-Indic
    digits made ASCII. Latin is case-folded and loses accents, apostrophes and
    ʿayn marks. Hyphens and punctuation separate words. Other scripts are
    case-folded and otherwise kept; :func:`comparable_tokens` romanises them.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_ARABIC_DIGITS)
    words = []
    for word in _SEPARATORS.split(text):
        if not word:
            continue
        word = _normalise_arabic(word) if is_arabic(word) else _normalise_latin(word)
        word = _NOT_WORD.sub("", word)
        if word:
            words.append(word)
    return " ".join(words)


def tokens(text: str) -> list[str]:
    """The normalised words of a name."""
    return normalise(text).split()
