"""Organisation names are translated, not transliterated: each test a named example.

The organisations are invented (Tamesna, Furat, Nour); the words they are
made of are the ones real organisation names use.
"""

from importlib import resources

import pytest

from tabadul.names import compare
from tabadul.names.glossary import meanings, translation, word_weight


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("الجماعة المقاتلة في الساحل", "Fighting Group of the Sahel"),  # Arabic ~ English
        ("الجماعة المقاتلة في الساحل", "Groupe Combattant du Sahel"),  # Arabic ~ French
        ("Front Islamique de Tamesna", "Tamesna Islamic Front"),  # French ~ English
        ("Jamaat Ansar al-Tawhid", "Ansar al-Tawhid Group"),  # transliterated ~ translated
        ("جبهة التحرير والانقاذ", "Front for Liberation and Salvation"),  # fused و
        ("The Army of the Sahel", "جيش الساحل"),  # a leading "the"
    ],
)
def test_translations_of_one_organisation_match(left, right):
    result = compare(left, right, organisation=True)
    assert result.match, result.reasons


def test_the_reason_names_the_shared_meaning():
    result = compare("الجماعة المقاتلة في الساحل", "Fighting Group of the Sahel", organisation=True)
    assert any("جماعه ~ group: translation: both mean 'group'" in r for r in result.reasons)


def test_one_word_may_translate_into_several():
    result = compare("مكتب الفرات للصرافة", "Al-Furat Money Exchange Office", organisation=True)
    assert result.match, result.reasons
    assert ("للصرافه", "money exchange", 0.9) in result.alignment


def test_generic_words_may_be_dropped():
    # Writers add and drop "Office", "Company" as freely as a middle name.
    result = compare("مكتب الفرات للصرافة", "Furat Exchange Company", organisation=True)
    assert result.match, result.reasons


def test_branches_of_one_organisation_do_not_match():
    # The places tell the branches apart; the shared words are the movement's.
    result = compare("Kataib al-Nour Tamesna", "Kataib al-Nour Zagora", organisation=True)
    assert not result.match, result.reasons


def test_different_organisations_of_the_same_kind_do_not_match():
    result = compare("الجماعة الاسلامية الليبية", "Groupe Islamique Tunisien", organisation=True)
    assert not result.match, result.reasons


def test_people_are_not_translated():
    # نصر is "victory" in an organisation's name, and a given name in a person's.
    assert not compare("نصر حسن", "Victory Hassan").match
    assert compare("نصر حسن", "Nasr Hassan").match


def test_meanings_are_looked_up_as_the_engine_parses():
    assert translation("جماعه", "groupe") == "group"  # ة folded, as the normaliser does
    assert translation("شام", "levant") == "levant"
    assert translation("جماعه", "front") is None
    assert meanings("والشام") == meanings("شام")  # the conjunction و fused to the word
    assert meanings("tamesna") == frozenset()


def test_generic_words_weigh_less_than_places():
    assert word_weight("group") < word_weight("army") < word_weight("sahel") == 1.0
    assert word_weight("tamesna") == 1.0  # unlisted


def test_every_line_of_the_table_is_well_formed():
    table = resources.files("tabadul.names").joinpath("data/organisation_words.tsv")
    for line in table.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        weight, arabic, latin = line.split("\t")
        assert float(weight) in (0.4, 0.7, 1.0), line
        assert arabic, line
        assert latin, line
        assert "" not in arabic.split("|") + latin.split("|"), line
