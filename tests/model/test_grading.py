import pytest

from tabadul.errors import ValidationFailed
from tabadul.model.grading import Grading


def test_admiralty_grading_accepts_a_to_f_and_1_to_6():
    grading = Grading.build("admiralty", "b", "2")
    assert grading.code == "B2"
    assert grading.description.startswith("Usually reliable")


@pytest.mark.parametrize(
    ("source", "information", "field"),
    [("G", "1", "grading.source"), ("A", "7", "grading.information")],
)
def test_admiralty_grading_refuses_codes_outside_its_scale(source, information, field):
    with pytest.raises(ValidationFailed) as err:
        Grading.build("admiralty", source, information)
    assert err.value.details[0].field == field


def test_europol_4x4_accepts_x_and_refuses_admiralty_only_codes():
    assert Grading.build("4x4", "X", "4").scheme == "europol"
    with pytest.raises(ValidationFailed):
        Grading.build("europol", "E", "1")
    with pytest.raises(ValidationFailed):
        Grading.build("europol", "A", "5")


def test_unknown_scheme_is_refused():
    with pytest.raises(ValidationFailed) as err:
        Grading.build("nato-stanag", "A", "1")
    assert err.value.details[0].field == "grading.scheme"


def test_ungraded_means_cannot_be_judged():
    assert Grading.ungraded().code == "F6"
