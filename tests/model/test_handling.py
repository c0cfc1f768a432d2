import pytest

from tabadul.errors import ValidationFailed
from tabadul.model.handling import Classification, Handling, HandlingCode, Tlp


def test_tlp_labels_are_ordered_clear_to_red():
    assert Tlp.CLEAR < Tlp.GREEN < Tlp.AMBER < Tlp.AMBER_STRICT < Tlp.RED


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("amber+strict", Tlp.AMBER_STRICT),
        ("TLP:RED", Tlp.RED),
        (" green ", Tlp.GREEN),
        ("WHITE", Tlp.CLEAR),
    ],
)
def test_tlp_reads_labels_as_people_write_them(written, label):
    assert Tlp.parse(written) is label


def test_unknown_tlp_label_is_refused_with_the_allowed_ones():
    with pytest.raises(ValidationFailed) as err:
        Tlp.parse("PURPLE")
    assert "PURPLE" in err.value.message
    assert "AMBER+STRICT" in err.value.message


def test_h3_requires_its_restrictions_written_out():
    with pytest.raises(ValidationFailed) as err:
        Handling.build("AMBER", ["H3"])
    assert err.value.details[0].field == "handling.restrictions"
    handling = Handling.build("AMBER", ["H3"], "Not to be shared with customs")
    assert handling.restrictions == "Not to be shared with customs"


def test_restrictions_without_h3_are_refused():
    with pytest.raises(ValidationFailed):
        Handling.build("AMBER", ["H1"], "some text")


def test_unknown_handling_code_names_its_position():
    with pytest.raises(ValidationFailed) as err:
        Handling.build("AMBER", ["H0", "H7"])
    assert err.value.details[0].field == "handling.codes.1"


def test_codes_are_deduplicated_and_sorted():
    assert Handling.build("GREEN", ["h2", "H0", "H2"]).codes == (HandlingCode.H0, HandlingCode.H2)


def test_h2_or_originator_control_means_onward_sharing_needs_consent():
    assert Handling.build("AMBER", ["H2"]).onward_sharing_needs_consent
    assert Handling.build("AMBER", [], originator_control=True).onward_sharing_needs_consent
    assert not Handling.build("AMBER", ["H0", "H1"]).onward_sharing_needs_consent


def test_classification_levels_are_ordered_lowest_first():
    scheme = Classification.of(["RESTRICTED", "CONFIDENTIAL", "SECRET"])
    assert scheme.lowest == "RESTRICTED"
    assert scheme.dominates("SECRET", "CONFIDENTIAL")
    assert not scheme.dominates("RESTRICTED", "CONFIDENTIAL")
    assert scheme.parse("secret") == "SECRET"
    with pytest.raises(ValidationFailed) as err:
        scheme.parse("TOP SECRET")
    assert "RESTRICTED, CONFIDENTIAL, SECRET" in err.value.message
