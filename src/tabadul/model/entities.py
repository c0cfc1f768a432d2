"""Entities: people, organisations, documents, things and their relationships (FollowTheMoney).

Tabadul keeps entities in the FollowTheMoney model (the ``followthemoney``
package) so that names, dates, countries, phones and identifiers are
normalised the way the rest of the investigative ecosystem does it. This
module validates what callers send: the schema must be one we record, every
property must exist for it, and every value must survive cleaning — FtM
drops values it cannot clean, and we refuse them instead, so nothing a
caller sent disappears silently.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import phonenumbers
from followthemoney import model as ftm
from followthemoney import registry
from followthemoney.schema import Schema

from tabadul.errors import ErrorDetail, ValidationFailed

# The schemata an analyst records. Things first, then interval schemata that
# relate them (each sourced to the reports that mention it).
THING_SCHEMATA = (
    "Person",
    "Organization",
    "Company",
    "LegalEntity",
    "PublicBody",
    "Identification",
    "Passport",
    "Vehicle",
    "Vessel",
    "Airplane",
    "Address",
    "BankAccount",
    "CryptoWallet",
    "UserAccount",
    "Event",
)
RELATIONSHIP_SCHEMATA = (
    "Membership",
    "Family",
    "Associate",
    "Ownership",
    "Directorship",
    "Employment",
    "Occupancy",
    "Representation",
    "UnknownLink",
)
ALLOWED_SCHEMATA = frozenset(THING_SCHEMATA + RELATIONSHIP_SCHEMATA)

# Identifiers callers may give to entities: what FtM accepts as an entity id.
_ID_PATTERN = re.compile(r"^[\w.:\-]{1,128}$")

_TYPE_HINTS = {
    "date": "use ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD",
    "country": "use an ISO 3166-1 code such as 'ma' or a country name",
    "phone": "use the international form, e.g. +212612345678",
    "email": "use the form name@example.org",
    "url": "use a full URL, e.g. https://example.org/",
    "iban": "use a valid IBAN",
    "gender": "use male, female or other",
    "language": "use an ISO 639 code",
}


class SubjectCategory(enum.Enum):
    """The category of data subject a person belongs to (Directive 2016/680 Art. 6)."""

    SUSPECT = "suspect"
    CONVICTED = "convicted"
    VICTIM = "victim"
    WITNESS = "witness"
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True)
class CleanEntity:
    """An entity whose schema, properties and values have been checked and normalised."""

    schema: str
    properties: dict[str, list[str]]
    category: SubjectCategory | None
    # Entity-typed properties (e.g. Membership.member): values are references to resolve.
    references: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_relationship(self) -> bool:
        """True for interval schemata that link two other entities."""
        return self.schema in RELATIONSHIP_SCHEMATA

    def caption(self) -> str:
        """A human label for lists: the entity's best name, as FtM picks it."""
        return caption_of(self.schema, self.properties)


def schema_of(name: str, field_name: str = "schema") -> Schema:
    """The FtM schema called ``name``, if Tabadul records it."""
    schema = ftm.get(name)
    if schema is None or schema.name not in ALLOWED_SCHEMATA:
        allowed = ", ".join(sorted(ALLOWED_SCHEMATA))
        raise ValidationFailed.field(field_name, f"unknown schema {name!r} (one of {allowed})")
    return schema


def valid_entity_id(value: str, field_name: str = "id") -> str:
    """Check that an id is something FtM and URLs can carry."""
    if not isinstance(value, str) or not _ID_PATTERN.match(value):
        raise ValidationFailed.field(
            field_name, "an entity id is 1-128 letters, digits, '.', ':', '_' or '-'"
        )
    return value


def clean_entity(
    schema_name: str,
    properties: Mapping[str, Sequence[object]],
    category: str | None = None,
    *,
    phone_region: str | None = None,
) -> CleanEntity:
    """Validate and normalise an entity; every problem is reported with its property path.

    ``phone_region`` is the ISO country used to read phone numbers written
    without a country code (the node's own country).
    """
    schema = schema_of(schema_name)
    problems: list[ErrorDetail] = []
    cleaned: dict[str, list[str]] = {}
    references: dict[str, list[str]] = {}
    regions = _region_hints(schema, properties, phone_region)

    for prop_name, values in properties.items():
        prop = schema.get(prop_name)
        path = f"properties.{prop_name}"
        if prop is None:
            problems.append(ErrorDetail(path, f"property does not exist for schema {schema.name}"))
            continue
        if prop.stub:
            problems.append(ErrorDetail(path, "is computed by the node and cannot be set"))
            continue
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            problems.append(ErrorDetail(path, "must be a list of values"))
            continue
        for i, raw in enumerate(values):
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                problems.append(ErrorDetail(f"{path}.{i}", "must be a string"))
                continue
            text = str(raw).strip()
            if not text:
                problems.append(ErrorDetail(f"{path}.{i}", "must not be empty"))
                continue
            if prop.type == registry.entity:
                references.setdefault(prop_name, []).append(text)
                continue
            value = _clean_value(prop.type.name, text, regions)
            if value is None:
                hint = _TYPE_HINTS.get(prop.type.name, f"not a valid {prop.type.label.lower()}")
                problems.append(ErrorDetail(f"{path}.{i}", f"{text!r} is not valid: {hint}"))
                continue
            bucket = cleaned.setdefault(prop_name, [])
            if value not in bucket:
                bucket.append(value)

    subject = _category(schema, category, problems)
    if problems:
        message = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise ValidationFailed(message, problems)
    return CleanEntity(schema.name, cleaned, subject, references)


def check_reference_range(schema_name: str, prop_name: str, target_schema: str) -> str | None:
    """Why ``target_schema`` cannot fill ``schema_name.prop_name``, or None if it can."""
    prop = ftm.get(schema_name).get(prop_name)  # type: ignore[union-attr]
    target = ftm.get(target_schema)
    if prop is None or prop.range is None or target is None:
        return None
    if not target.is_a(prop.range):
        return f"must refer to a {prop.range.name}, not a {target.name}"
    return None


def relationship_ends(
    schema_name: str, properties: Mapping[str, Sequence[str]]
) -> list[tuple[str, str]]:
    """The (source, target) entity ids a relationship links, e.g. (member, organization)."""
    schema = ftm.get(schema_name)
    if (
        schema is None
        or not schema.edge
        or schema.source_prop is None
        or schema.target_prop is None
    ):
        return []
    sources = properties.get(schema.source_prop.name, [])
    targets = properties.get(schema.target_prop.name, [])
    return [(s, t) for s in sources for t in targets if s != t]


def caption_of(schema_name: str, properties: Mapping[str, Iterable[str]]) -> str:
    """FtM's caption of an entity (its best name or number)."""
    proxy = ftm.make_entity(schema_name)
    # Only the properties FtM draws captions from (unwound: called for every entity stored).
    for prop_name in proxy.schema.caption:
        for value in properties.get(prop_name, ()):
            proxy.unsafe_add(proxy.schema.properties[prop_name], value, cleaned=True)
    return str(proxy.caption)


def merge_properties(
    first: Mapping[str, Sequence[str]], second: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Union of two property maps, keeping the order values were first seen."""
    merged = {name: list(values) for name, values in first.items()}
    for name, values in second.items():
        bucket = merged.setdefault(name, [])
        bucket.extend(v for v in values if v not in bucket)
    return merged


def _category(
    schema: Schema, category: str | None, problems: list[ErrorDetail]
) -> SubjectCategory | None:
    if not schema.is_a(ftm.get("Person")):
        if category is not None:
            problems.append(ErrorDetail("category", "only persons carry a data-subject category"))
        return None
    if category is None:
        return SubjectCategory.OTHER
    try:
        return SubjectCategory(category.strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in SubjectCategory)
        problems.append(
            ErrorDetail("category", f"unknown category {category!r} (one of {allowed})")
        )
        return None


def _region_hints(
    schema: Schema, properties: Mapping[str, Sequence[object]], default: str | None
) -> list[str]:
    """Countries to read local phone numbers against: the entity's own, then the node's."""
    regions: list[str] = []
    for prop_name, values in properties.items():
        prop = schema.get(prop_name)
        if prop is None or prop.type != registry.country or isinstance(values, str):
            continue
        for value in values:
            code = registry.country.clean(str(value))
            if code and len(code) == 2 and code.upper() not in regions:
                regions.append(code.upper())
    if default and default.upper() not in regions:
        regions.append(default.upper())
    return regions


def _clean_value(type_name: str, text: str, regions: Sequence[str]) -> str | None:
    if type_name == "phone":
        return clean_phone(text, regions)
    type_ = registry.get(type_name)
    if type_ is None:
        return text
    value = type_.clean(text)
    return None if value is None else str(value)


def clean_phone(text: str, regions: Sequence[str] = ()) -> str | None:
    """A phone number in E.164, read as international or against each region in turn."""
    candidates: list[str | None] = [None, *regions] if text.lstrip().startswith("+") else [*regions]
    for region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
