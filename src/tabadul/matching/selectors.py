"""Selectors: the hard identifiers that link records exactly once normalised.

A phone number written "0612 34 56 78" in a Moroccan report, "+212 612-345678"
in a French one and "٠٦١٢٣٤٥٦٧٨" in an Arabic one is one selector,
``phone:+212612345678``. Each kind has its normaliser; a value that cannot be
normalised is not a selector (it stays in the record, it just links nothing).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import phonenumbers

# Arabic-Indic (٠-٩) and Extended Arabic-Indic (۰-۹, Persian and Urdu) digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-./_·•|]+")
_ALNUM = re.compile(r"[^0-9A-Z\u0600-\u06FF]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEX_WALLET = re.compile(r"^0x[0-9a-f]{40}$")
_BASE58_WALLET = re.compile(r"^[13][1-9A-HJ-NP-Za-km-z]{25,34}$|^bc1[0-9a-z]{11,71}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[0-9A-Z]{10,30}$")


class SelectorKind(enum.Enum):
    """The kinds of selector Tabadul normalises and links on."""

    PHONE = "phone"
    EMAIL = "email"
    DOCUMENT = "document"  # identity documents: passport, national id, residence permit
    IBAN = "iban"
    ACCOUNT = "account"  # bank account numbers that are not IBANs
    WALLET = "wallet"  # crypto-currency wallet addresses
    VEHICLE = "vehicle"  # registration plates


@dataclass(frozen=True, order=True)
class Selector:
    """A normalised selector: its kind and its value, comparable by equality."""

    kind: SelectorKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @classmethod
    def parse(cls, text: str, region: str | None = None) -> Selector:
        """``kind:value`` as a person writes it, normalised; ValueError if it is not one."""
        kind_name, sep, raw = text.partition(":")
        try:
            kind = SelectorKind(kind_name.strip().lower())
        except ValueError:
            kinds = ", ".join(k.value for k in SelectorKind)
            raise ValueError(f"a selector is kind:value with kind one of {kinds}") from None
        value = normalise(kind, raw, region) if sep else None
        if value is None:
            raise ValueError(f"{raw.strip()!r} is not a valid {kind.value}")
        return cls(kind, value)


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as ASCII digits."""
    return text.translate(_DIGITS)


@functools.lru_cache(maxsize=100_000)
def normalise(kind: SelectorKind, text: str, region: str | None = None) -> str | None:
    """The normalised value of a selector, or None when ``text`` is not a valid one."""
    text = unicodedata.normalize("NFKC", ascii_digits(text)).strip()
    if not text:
        return None
    return _NORMALISERS[kind](text, region)


def _phone(text: str, region: str | None) -> str | None:
    regions: Sequence[str | None] = [None] if text.startswith(("+", "00")) else [region, None]
    if text.startswith("00"):
        text = "+" + text[2:]
    for candidate in regions:
        try:
            number = phonenumbers.parse(text, candidate.upper() if candidate else None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _email(text: str, region: str | None) -> str | None:
    value = text.casefold().removeprefix("mailto:")
    return value if _EMAIL.match(value) else None


def _plain(text: str) -> str:
    """Upper case, separators gone: how document, account and plate numbers compare."""
    return _ALNUM.sub("", _SEPARATORS.sub("", text.upper()))


def _document(text: str, region: str | None) -> str | None:
    value = _plain(text)
    return value if len(value) >= 4 else None


def _iban(text: str, region: str | None) -> str | None:
    value = _plain(text)
    if not _IBAN.match(value):
        return None
    # ISO 13616 check digits: move the first four characters to the end, letters to numbers.
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return value if int(number) % 97 == 1 else None


def _account(text: str, region: str | None) -> str | None:
    value = _plain(text)
    return value if len(value) >= 6 else None


def _wallet(text: str, region: str | None) -> str | None:
    value = text.strip()
    if _HEX_WALLET.match(value.lower()):
        return value.lower()  # Ethereum-style addresses: case is only a checksum
    if _BASE58_WALLET.match(value):
        return value if not value.startswith("bc1") else value.lower()
    value = re.sub(r"\s+", "", value)
    return value if 20 <= len(value) <= 128 and value.isalnum() else None


def _vehicle(text: str, region: str | None) -> str | None:
    value = _plain(text)
    return value if 2 <= len(value) <= 16 else None


_NORMALISERS = {
    SelectorKind.PHONE: _phone,
    SelectorKind.EMAIL: _email,
    SelectorKind.DOCUMENT: _document,
    SelectorKind.IBAN: _iban,
    SelectorKind.ACCOUNT: _account,
    SelectorKind.WALLET: _wallet,
    SelectorKind.VEHICLE: _vehicle,
}

# Where each kind is found in FollowTheMoney properties, whatever the schema.
SELECTOR_PROPERTIES: Mapping[str, SelectorKind] = {
    "phone": SelectorKind.PHONE,
    "email": SelectorKind.EMAIL,
    "passportNumber": SelectorKind.DOCUMENT,
    "idNumber": SelectorKind.DOCUMENT,
    "socialSecurityNumber": SelectorKind.DOCUMENT,
    "iban": SelectorKind.IBAN,
    "accountNumber": SelectorKind.ACCOUNT,
    "registrationNumber": SelectorKind.VEHICLE,
    "publicKey": SelectorKind.WALLET,
}
# Properties that mean a selector only on some schemata.
_SCHEMA_PROPERTIES: Mapping[str, Mapping[str, SelectorKind]] = {
    "Passport": {"number": SelectorKind.DOCUMENT},
    "Identification": {"number": SelectorKind.DOCUMENT},
    "Vehicle": {"registrationNumber": SelectorKind.VEHICLE},
    "CryptoWallet": {"publicKey": SelectorKind.WALLET},
    "BankAccount": {"iban": SelectorKind.IBAN, "accountNumber": SelectorKind.ACCOUNT},
}
_REGISTRATION_IS_PLATE = frozenset({"Vehicle", "Vessel", "Airplane"})


def selectors_of(
    schema: str, properties: Mapping[str, Iterable[str]], region: str | None = None
) -> set[Selector]:
    """Every selector an entity's properties carry, normalised."""
    found: set[Selector] = set()
    own = _SCHEMA_PROPERTIES.get(schema, {})
    for prop, values in properties.items():
        kind = own.get(prop) or SELECTOR_PROPERTIES.get(prop)
        if kind is None:
            continue
        if prop == "registrationNumber" and schema not in _REGISTRATION_IS_PLATE:
            continue  # a company's registration number is not a plate
        for text in values:
            value = normalise(kind, str(text), region)
            if value is not None:
                found.add(Selector(kind, value))
    return found
