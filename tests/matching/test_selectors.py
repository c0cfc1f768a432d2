"""Selectors normalise the way analysts and partners write them."""

import pytest

from tabadul.matching.selectors import Selector, SelectorKind, normalise, selectors_of


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+212 612-345678", None, "+212612345678"),
        ("0612 34 56 78", "ma", "+212612345678"),
        ("00212612345678", None, "+212612345678"),
        ("٠٦١٢٣٤٥٦٧٨", "ma", "+212612345678"),  # Arabic-Indic digits
        ("۰۶۱۲۳۴۵۶۷۸", "ma", "+212612345678"),  # Persian digits
        ("06 12 34 56 78", "fr", "+33612345678"),
        ("12", "ma", None),
        ("not a phone", "ma", None),
    ],
)
def test_phone_numbers_become_e164(text, region, expected):
    assert normalise(SelectorKind.PHONE, text, region) == expected


def test_a_local_number_without_a_region_is_not_a_selector():
    assert normalise(SelectorKind.PHONE, "0612345678") is None


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (SelectorKind.EMAIL, " Tariq.S@Example.ORG ", "tariq.s@example.org"),
        (SelectorKind.EMAIL, "mailto:a@b.ma", "a@b.ma"),
        (SelectorKind.EMAIL, "no-at-sign.example.org", None),
        (SelectorKind.IBAN, "MA64 0115 1900 0001 2050 0053 4921", "MA64011519000001205000534921"),
        (SelectorKind.IBAN, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (SelectorKind.IBAN, "DE89 3704 0044 0532 0130 01", None),  # check digits fail
        (SelectorKind.DOCUMENT, "ab-123 456", "AB123456"),
        (SelectorKind.DOCUMENT, "x1", None),
        (SelectorKind.ACCOUNT, "0011-2233-44", "0011223344"),
        (SelectorKind.VEHICLE, "12345-أ-6", "12345أ6"),  # a Moroccan plate keeps its letter
        (SelectorKind.VEHICLE, "٣٤٥٦ ب ١", "3456ب1"),
        (
            SelectorKind.WALLET,
            "0xAbC0000000000000000000000000000000000001",
            "0xabc0000000000000000000000000000000000001",
        ),
        (
            SelectorKind.WALLET,
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        ),
        (SelectorKind.WALLET, "short", None),
    ],
)
def test_each_kind_has_its_normaliser(kind, text, expected):
    assert normalise(kind, text, "ma") == expected


def test_selectors_parse_from_kind_and_value():
    assert Selector.parse("phone: 0612345678", "ma") == Selector(
        SelectorKind.PHONE, "+212612345678"
    )
    assert str(Selector.parse("email:A@B.ma")) == "email:a@b.ma"
    with pytest.raises(ValueError, match="kind one of"):
        Selector.parse("shoe:42")
    with pytest.raises(ValueError, match="not a valid iban"):
        Selector.parse("iban:DE00")


def test_selectors_are_read_from_followthemoney_properties():
    person = {
        "name": ["Tariq Saidi"],
        "phone": ["+212612345678", "٠٦٦١٢٣٤٥٦٧"],
        "email": ["T@X.ma"],
        "passportNumber": ["ab 123456"],
    }
    assert selectors_of("Person", person, "ma") == {
        Selector(SelectorKind.PHONE, "+212612345678"),
        Selector(SelectorKind.PHONE, "+212661234567"),
        Selector(SelectorKind.EMAIL, "t@x.ma"),
        Selector(SelectorKind.DOCUMENT, "AB123456"),
    }
    assert selectors_of("Passport", {"number": ["Z 998877"]}) == {
        Selector(SelectorKind.DOCUMENT, "Z998877")
    }
    assert selectors_of("Vehicle", {"registrationNumber": ["12345-أ-6"]}) == {
        Selector(SelectorKind.VEHICLE, "12345أ6")
    }
    # A company's registration number is not a plate.
    assert selectors_of("Company", {"registrationNumber": ["RC 12345"]}) == set()
