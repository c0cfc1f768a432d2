"""Rarity: how common an element is among the names held decides what its agreement weighs."""

import pytest

from tabadul.names import Rarity, compare
from tabadul.names.rarity import MIN_WEIGHT, PRIOR_NAMES

# A large holding where "Karim" and "Hicham" are in one name in fifteen and the
# family names Zasabi (Z-S-B) and Salabi (S-L-B) in fifty names each.
HOLDING = Rarity({"krm": 66_000, "hcm": 66_000, "ssb": 50, "slb": 50}, 1_000_000)


def test_two_common_given_names_do_not_make_two_family_names_one():
    left, right = "Karim Hicham Zasabi", "كريم هشام الصالبي"
    alone = compare(left, right)
    held = compare(left, right, rarity=HOLDING)
    # Every element weighed alike, two agreeing given names make the names agree at 0.86;
    # weighed by the holding, the differing family name counts for more than both.
    assert alone.score > 0.85, alone.reasons
    assert held.score < 0.8, held.reasons
    assert "karim ~ كريم" in held.reasons[1]
    assert held.reasons[1].endswith("(common among the names held, weighs 0.39)")


def test_one_persons_spellings_still_match_in_a_large_holding():
    result = compare("كريم هشام الزصابي", "Karim Zasabi", rarity=HOLDING)
    assert result.match, result.reasons
    assert result.score >= 0.9


def test_a_rare_element_weighs_one_and_a_very_common_one_its_least():
    assert HOLDING.weight("zasabi", "ssb") == 1.0
    assert HOLDING.weight("karim", "krm") == pytest.approx(0.40, abs=0.01)
    crowded = Rarity({"mhmd": 300_000}, 1_000_000)
    assert crowded.weight("mohamed", "mhmd") == pytest.approx(MIN_WEIGHT)


def test_a_small_holding_weighs_as_the_engine_alone():
    """Counts of a few hundred names say little: the engine's common-names list decides."""
    small = Rarity({"mhmd": 40, "krm": 40, "ssb": 3}, 400)
    assert small.weight("محمد", "mhmd") == pytest.approx(0.45, abs=0.03)  # a listed common name
    # Not listed; in a tenth of these 400 names, which only begins to tell.
    assert small.weight("karim", "krm") == pytest.approx(0.8, abs=0.01)
    assert small.weight("zasabi", "ssb") == 1.0
    for left, right in [("محمد الزرهوني", "Mohamed Zerhouni"), ("Tarik Saidi", "Tarik Benali")]:
        assert compare(left, right, rarity=small).score == pytest.approx(
            compare(left, right).score, abs=0.03
        )


def test_the_prior_fades_as_the_holding_grows():
    """The same share of the names weighs more alike as the holding passes the prior's size."""
    share = 0.06
    weights = [
        Rarity({"krm": int(share * total)}, total).weight("karim", "krm")
        for total in (PRIOR_NAMES // 10, PRIOR_NAMES, 100 * PRIOR_NAMES)
    ]
    assert weights[0] > weights[1] > weights[2]
    assert weights[2] == pytest.approx(0.41, abs=0.01)
