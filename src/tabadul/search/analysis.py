"""Text analysis for search: normalisation, tokens, light stemming; the same for texts and queries.

Both backends index what this module produces, never the raw text, so that
SQLite and PostgreSQL agree on every match. A text becomes two aligned
token streams (one entry per word, so phrases keep their positions):

- **words** — each word normalised: case folded, Latin accents dropped,
  Arabic diacritics (harakat), tatweel and Quranic marks removed, the alef
  forms (أ إ آ ٱ) read as ا, ى as ي, ة as ه, the hamza carriers ؤ ئ as و ي,
  Arabic-Indic and Persian digits as 0-9. Phrases and prefixes match here.
- **stems** — each word stemmed in its language: Arabic-script words by
  light stemming (Larkey, Ballesteros & Connell's *light10*, the stemmer
  Lucene and Elasticsearch ship: و, then the article forms ال وال بال كال
  فال لل, then the suffixes ها ان ات ون ين يه ية ه ة ي, each only when
  enough of the word remains); Latin-script words by the Snowball stemmer of
  the text's language (French or English; other languages are not stemmed).
  Plain words match here, so "réunions" finds "réunion" and "المدارس"
  finds "مدرسة".

A query word cannot know its language, so it is stemmed every way that
could apply (French *and* English for Latin script) and any of those stems
matches.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Harakat, Quranic annotation marks, superscript alef, tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",  # Persian kaf and ya, as typed on Persian keyboards
        "ی": "ي",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
_TA_MARBUTA = str.maketrans({"ة": "ه"})
_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile("[\u0600-\u06ff]")
# light10's articles (after و) and suffixes, in the order they are tried, already folded.
_ARTICLES = ("وال", "فال", "بال", "كال", "ال", "لل")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Languages whose Latin-script words are stemmed; a query word is stemmed in each.
STEMMED = {"fr": "french", "en": "english"}
MAX_TOKEN = 64  # longer "words" (hashes, base64) are kept whole but not stemmed

_local = threading.local()


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe: one per thread and algorithm.
    cache: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    found = cache.get(algorithm)
    if found is None:
        found = cache[algorithm] = Stemmer.Stemmer(algorithm, 10_000)
    return found


def fold(text: str) -> str:
    """Case, Latin accents and the Arabic letter forms folded; words and spacing kept."""
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    return _strip_accents(text.casefold()).translate(_TA_MARBUTA)


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    # Only Latin combining marks go: Arabic marks were removed already, and
    # NFD leaves Arabic letters whole.
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not ("\u0300" <= ch <= "\u036f"))
    )


def words(text: str) -> list[str]:
    """The normalised words of ``text``, in order."""
    return _WORD.findall(fold(text))


def raw_words(text: str) -> list[str]:
    """The words of ``text`` case-folded but otherwise as written (what stemmers read)."""
    return [w for w in _WORD.findall(text.casefold()) if fold(w)]


def is_arabic(word: str) -> bool:
    """True when the word is written in Arabic script."""
    return _ARABIC.search(word) is not None


@lru_cache(maxsize=200_000)
def stem_arabic(word: str) -> str:
    """The light10 stem of one Arabic word (normalised like :func:`fold`).

    Snowball's Arabic stemmer was tried first: it also strips verb prefixes,
    which turns nouns such as سيارات (cars) into يارا; light stemming keeps
    the word recognisable and is what Arabic retrieval studies recommend.
    """
    stem = fold(word)
    if stem.startswith("و") and len(stem) >= 4:
        stem = stem[1:]
    for article in _ARTICLES:
        if stem.startswith(article) and len(stem) - len(article) >= 2:
            stem = stem[len(article) :]
            break
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
            stem = stem[: -len(suffix)]
    return stem


@lru_cache(maxsize=200_000)
def stem_latin(word: str, language: str) -> str:
    """The stem of one Latin-script word in ``language`` (unstemmed when not in STEMMED)."""
    algorithm = STEMMED.get(language)
    lowered = word.casefold()
    if algorithm is None or len(lowered) > MAX_TOKEN:
        return fold(lowered)
    # Snowball's French stemmer reads the accents, so they are dropped after stemming.
    return fold(_stemmer(algorithm).stemWord(lowered))


@dataclass(frozen=True)
class Analysed:
    """A text as indexed: its normalised words and their stems, position for position."""

    words: list[str]
    stems: list[str]

    def joined(self) -> tuple[str, str]:
        """Both streams as space-separated text, as the index tables hold them."""
        return " ".join(self.words), " ".join(self.stems)


def analyse(text: str, language: str | None) -> Analysed:
    """The words and stems of a text written (mainly) in ``language``."""
    out_words: list[str] = []
    out_stems: list[str] = []
    lang = language or ""
    for word in _WORD.findall(text.casefold()):
        normal, stem = _analysed_word(word, lang)
        if normal:
            out_words.append(normal)
            out_stems.append(stem)
    return Analysed(out_words, out_stems)


@lru_cache(maxsize=500_000)
def _analysed_word(word: str, language: str) -> tuple[str, str]:
    # Cached: words repeat (Zipf), and folding and stemming cost microseconds each.
    normal = fold(word)
    if not normal:
        return "", ""
    return normal, stem_arabic(word) if is_arabic(word) else stem_latin(word, language)


def query_stems(word: str) -> list[str]:
    """Every stem a query word may have in an indexed text (it may be in any language)."""
    if is_arabic(word):
        return [stem_arabic(word)]
    found = dict.fromkeys(stem_latin(word, language) for language in (*STEMMED, ""))
    return [s for s in found if s]
