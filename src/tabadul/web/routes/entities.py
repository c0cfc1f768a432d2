"""Entity pages: the profile (names in every script, attributes, reports, links) and its chart."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from followthemoney import model as ftm

from tabadul.api.deps import NodeDep
from tabadul.services import entities, hits
from tabadul.web.pages import render
from tabadul.web.security import PagePrincipal, WorkingContext

router = APIRouter(include_in_schema=False)
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias", "abbreviation")
# The attributes a profile shows with translated labels; anything else a record carries
# (FollowTheMoney has hundreds of properties) is listed under its property name.
PROFILE_PROPERTIES = (
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "gender",
    "phone",
    "email",
    "passportNumber",
    "idNumber",
    "registrationNumber",
    "taxNumber",
    "country",
    "address",
    "iban",
    "accountNumber",
    "bic",
    "bankName",
    "publicKey",
    "cryptoAddress",
    "accountId",
    "currency",
    "number",
    "type",
    "authority",
    "startDate",
    "endDate",
    "model",
    "buildDate",
    "registrationDate",
    "incorporationDate",
    "jurisdiction",
    "full",
    "city",
    "street",
    "postalCode",
    "role",
    "date",
    "relationship",
    "position",
    "profession",
    "education",
    "ethnicity",
    "religion",
    "political",
    "fatherName",
    "motherName",
    "firstName",
    "lastName",
    "middleName",
    "description",
    "summary",
    "notes",
    "status",
)


@router.get("/entities/{entity_id}")
def profile(
    request: Request, node: NodeDep, user: PagePrincipal, purpose: WorkingContext, entity_id: str
) -> HTMLResponse:
    """Everything the node holds on an entity that the user may read."""
    found = entities.profile(node, user, entity_id, purpose)
    entity = found.entity
    matches = hits.list_hits(node, user, entity_id=entity_id, limit=20, purpose=purpose)
    names = [v for p in NAME_PROPERTIES for v in entity.properties.get(p, [])]
    return render(
        request,
        "entities/profile.html",
        found=found,
        entity=entity,
        matches=matches,
        arabic_names=[n for n in names if ARABIC.search(n)],
        latin_names=[n for n in names if not ARABIC.search(n)],
        attributes=_attributes(entity.schema_, entity.properties),
        other=_other(entity.schema_, entity.properties),
    )


@router.get("/entities/{entity_id}/graph.json")
def chart(
    node: NodeDep, user: PagePrincipal, purpose: WorkingContext, entity_id: str
) -> JSONResponse:
    """The entity and its neighbours for the link chart (expanded one neighbour at a time)."""
    return JSONResponse(entities.graph(node, user, entity_id, purpose))


def _attributes(schema_name: str, properties: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The profile's attributes, labelled the FollowTheMoney way."""
    schema = ftm.get(schema_name)
    if schema is None:
        return []
    return [
        (str(schema.properties[name].label), list(properties[name]))
        for name in PROFILE_PROPERTIES
        if name in properties and name in schema.properties
    ]


def _other(schema_name: str, properties: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Anything else the record carries, by property name."""
    schema = ftm.get(schema_name)
    skip = set(NAME_PROPERTIES) | set(PROFILE_PROPERTIES)
    return [
        (name, list(values))
        for name, values in properties.items()
        if name not in skip
        and schema is not None
        and name in schema.properties
        and schema.properties[name].type.name != "entity"
    ]
