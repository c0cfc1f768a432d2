"""Script-aware normalisation (synthetic names)."""

import pytest

from tabadul.names import normalise
from tabadul.names.normalise import is_arabic


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("سَعِيدٌ", "سعيد"),  # tashkeel
        ("ســعيد", "سعيد"),  # tatweel
        ("أحمد", "احمد"),  # alef with hamza above
        ("إبراهيم", "ابراهيم"),  # alef with hamza below
        ("آمنة", "امنه"),  # alef madda; ta marbuta
        ("مصطفى", "مصطفي"),  # alif maqsura
        ("مؤمن", "مومن"),  # hamza on waw
        ("کریمی", "كريمي"),  # Persian kaf and ya
        ("\u200fسعيد\u200e", "سعيد"),  # bidi marks
        ("ﻋﻠﻲ", "علي"),  # presentation forms
    ],
)
def test_arabic_forms_writers_vary_fold_together(written, normal):
    assert normalise(written) == normal


def test_arabic_indic_digits_become_ascii():
    assert normalise("سعيد ٢") == normalise("سعيد 2") == "سعيد 2"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("Saʿīd", "said"),
        ("Sa'id", "said"),
        ("SA’ID", "said"),
        ("Chérif Benaïssa", "cherif benaissa"),
        ("Es-Saidi", "es saidi"),
        ("Straße", "strasse"),
    ],
)
def test_latin_case_accents_and_ayn_marks(written, normal):
    assert normalise(written) == normal


def test_words_are_separated_by_one_space():
    assert normalise("  Tarik,   SAIDI (Tarek) ") == "tarik saidi tarek"


def test_other_scripts_are_kept_lower_case():
    assert normalise("Дмитрий") == "дмитрии"


@pytest.mark.parametrize(
    ("token", "arabic"),
    [
        ("tarik", False),
        ("TARIK", False),
        ("'Ali", False),  # the first letter decides, not the first character
        ("2طارق", True),
        ("طارق", True),
        ("ـطارق", True),  # tatweel first
        ("ﻃﺎﺭﻕ", True),  # presentation forms
        ("Дмитрий", False),
        ("", False),
    ],
)
def test_the_script_of_a_token_is_its_first_letters(token, arabic):
    assert is_arabic(token) is arabic
