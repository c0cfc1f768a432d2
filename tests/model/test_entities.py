import pytest

from tabadul.errors import ValidationFailed
from tabadul.model.entities import (
    SubjectCategory,
    check_reference_range,
    clean_entity,
    clean_phone,
)


def test_person_with_names_in_two_scripts_keeps_both():
    entity = clean_entity("Person", {"name": ["طارق السعيدي", "Tarik Saidi"]}, "suspect")
    assert entity.properties["name"] == ["طارق السعيدي", "Tarik Saidi"]
    assert entity.category is SubjectCategory.SUSPECT


def test_person_without_category_is_other():
    assert clean_entity("Person", {"name": ["Karim Benali"]}).category is SubjectCategory.OTHER


def test_unknown_schema_is_refused():
    with pytest.raises(ValidationFailed) as err:
        clean_entity("Spaceship", {})
    assert err.value.details[0].field == "schema"


def test_property_that_does_not_exist_for_the_schema_is_refused():
    with pytest.raises(ValidationFailed) as err:
        clean_entity("Person", {"name": ["Karim"], "registrationNumber": ["X1"], "flag": ["ma"]})
    fields = [d.field for d in err.value.details]
    assert "properties.flag" in fields
    assert "properties.registrationNumber" not in fields  # LegalEntity has it, so Person does


def test_malformed_date_is_refused_not_dropped():
    with pytest.raises(ValidationFailed) as err:
        clean_entity("Person", {"name": ["Karim"], "birthDate": ["1990-03-01", "31/02/1990"]})
    assert err.value.details[0].field == "properties.birthDate.1"


def test_partial_dates_are_kept():
    entity = clean_entity("Person", {"name": ["Karim"], "birthDate": ["1990", "1990-03"]})
    assert entity.properties["birthDate"] == ["1990", "1990-03"]


def test_country_names_become_codes():
    entity = clean_entity("Person", {"name": ["Karim"], "nationality": ["Morocco"]})
    assert entity.properties["nationality"] == ["ma"]


def test_local_phone_number_is_read_against_the_node_country():
    entity = clean_entity(
        "Person", {"name": ["Karim"], "phone": ["06 12 34 56 78"]}, phone_region="MA"
    )
    assert entity.properties["phone"] == ["+212612345678"]


def test_phone_in_arabic_indic_digits_is_understood():
    assert clean_phone("+٢١٢٦١٢٣٤٥٦٧٨") == "+212612345678"


def test_local_phone_without_any_region_is_refused():
    with pytest.raises(ValidationFailed) as err:
        clean_entity("Person", {"name": ["Karim"], "phone": ["0612345678"]})
    assert "international form" in err.value.message


def test_only_persons_carry_a_data_subject_category():
    with pytest.raises(ValidationFailed) as err:
        clean_entity("Organization", {"name": ["Cell"]}, "suspect")
    assert err.value.details[0].field == "category"


def test_unknown_category_is_refused():
    with pytest.raises(ValidationFailed):
        clean_entity("Person", {"name": ["Karim"]}, "villain")


def test_relationship_references_are_kept_for_resolution():
    entity = clean_entity(
        "Membership", {"member": ["p1"], "organization": ["o1"], "role": ["courier"]}
    )
    assert entity.references == {"member": ["p1"], "organization": ["o1"]}
    assert entity.properties == {"role": ["courier"]}
    assert entity.is_relationship


def test_reference_range_is_checked():
    assert check_reference_range("Membership", "organization", "Organization") is None
    assert check_reference_range("Membership", "member", "Person") is None
    assert "Organization" in (check_reference_range("Membership", "organization", "Vehicle") or "")
