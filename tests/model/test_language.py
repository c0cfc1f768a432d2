from pathlib import Path

import pytest

from tabadul.errors import ValidationFailed
from tabadul.model.language import clean_language, detect_language

ARTICLES = Path(__file__).parents[3] / "shared" / "data" / "articles"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("تم توقيف المشتبه به في مدينة طنجة بعد تحقيق طويل", "ar"),
        ("Le suspect a été interpellé à Tanger après une longue enquête.", "fr"),
        ("The suspect was arrested in Tangier after a long investigation.", "en"),
        ("El sospechoso fue detenido en Tánger tras una larga investigación.", "es"),
    ],
)
def test_detects_the_languages_a_node_meets(text, language):
    assert detect_language(text) == language


def test_too_little_text_is_undetermined():
    assert detect_language("12 / 07") == "und"


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="shared evaluation data not present")
def test_public_arabic_articles_are_detected_as_arabic():
    for path in ARTICLES.glob("*-ar.txt"):
        assert detect_language(path.read_text(encoding="utf-8")) == "ar"


def test_language_code_is_checked():
    assert clean_language("FR") == "fr"
    with pytest.raises(ValidationFailed):
        clean_language("french")
