"""Arabic normalisation and light stemming, French and English stemming."""

import pytest

from tabadul.search.analysis import analyse, fold, query_stems, stem_arabic, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("مُحَمَّد", "محمد"),  # harakat
        ("محمـــد", "محمد"),  # tatweel
        ("أحمد", "احمد"),  # hamza on alef
        ("إبراهيم", "ابراهيم"),  # hamza under alef
        ("آمنة", "امنه"),  # madda; ta marbuta
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("٢٠٢٤", "2024"),  # Arabic-Indic digits
        ("Réunion À TANGER", "reunion a tanger"),
    ],
)
def test_fold_normalises_arabic_and_latin(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("المدرسة", "مدرس"),
        ("مدرسة", "مدرس"),
        ("والمدرسة", "مدرس"),
        ("بالسيارة", "سيار"),
        ("سيارات", "سيار"),
        ("الاجتماعات", "اجتماع"),
        ("السعيدي", "سعيد"),
        ("للشرطة", "شرط"),
        ("وصل", "وصل"),  # too short to lose its و
    ],
)
def test_arabic_light_stemming(word, stem):
    assert stem_arabic(word) == stem


def test_french_and_english_words_are_stemmed_in_their_language():
    assert analyse("Réunions des suspects", "fr").stems == ["reunion", "de", "suspect"]
    assert analyse("Meetings observed", "en").stems == ["meet", "observ"]
    assert analyse("Reuniones", "es").stems == ["reuniones"]  # not stemmed: no stemmer chosen


def test_words_and_stems_stay_aligned_for_phrases():
    analysed = analyse("اجتماع في طنجة with Tarik", "ar")
    assert len(analysed.words) == len(analysed.stems) == 5
    assert analysed.words[2] == "طنجه"


def test_query_words_are_stemmed_every_way_a_text_may_have_been():
    assert {"arrest"} <= set(query_stems("arrestations"))
    assert {"meet"} <= set(query_stems("meetings"))
    assert query_stems("المدارس") == ["مدارس"]


def test_words_split_on_punctuation_and_drop_underscores():
    assert words("al-Saeedi, l'arrestation_x") == ["al", "saeedi", "l", "arrestation", "x"]
