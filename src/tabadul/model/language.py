"""Language of a text: the code a caller gave, or one detected from the text.

Detection uses py3langid (a bundled naive-Bayes model, no download) restricted
to the languages a Tabadul node meets, which makes it both faster and less
prone to exotic answers on short texts.
"""

from __future__ import annotations

import re
import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tabadul.errors import ValidationFailed

# Languages of partner services a node is likely to receive, plus the languages
# written in Arabic script that are easily confused with Arabic.
CANDIDATES = ("ar", "fr", "en", "es", "de", "it", "nl", "pt", "fa", "ur", "tr", "ru")
UNDETERMINED = "und"

_CODE = re.compile(r"^[a-z]{2,3}$")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_identifier: LanguageIdentifier | None = None
_lock = threading.Lock()


def _model() -> LanguageIdentifier:
    # Loaded on first use, not at import time: the model takes a moment to read.
    global _identifier
    with _lock:
        if _identifier is None:
            identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
            identifier.set_languages(list(CANDIDATES))
            _identifier = identifier
        return _identifier


def clean_language(code: str) -> str:
    """An ISO 639 code as given by a caller, lower-cased and checked."""
    value = code.strip().lower()
    if not _CODE.match(value):
        raise ValidationFailed.field("language", f"{code!r} is not an ISO 639 language code")
    return value


def detect_language(text: str) -> str:
    """The most likely language of ``text``, or ``und`` when there is too little to tell."""
    sample = text[:2000]
    if sum(ch.isalpha() for ch in sample) < 3:
        return UNDETERMINED
    language, _score = _model().classify(sample)
    # The model sometimes calls short Arabic text Persian or Urdu; without the
    # letters only those languages use (پ چ ژ گ ک ی ٹ ڈ ے), it is Arabic.
    if (
        language in {"fa", "ur"}
        and _ARABIC_LETTER.search(sample)
        and not re.search("[\u067e\u0686\u0698\u06af\u06a9\u06cc\u0679\u0688\u06d2]", sample)
    ):
        return "ar"
    return str(language)
