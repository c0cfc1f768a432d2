"""``/api/v1/entities``: read and list entities (FollowTheMoney JSON plus Tabadul's fields)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tabadul.api.deps import CurrentUser, NodeDep, Purpose
from tabadul.schemas.common import Page
from tabadul.schemas.entities import EntityOut
from tabadul.services import entities

router = APIRouter(prefix="/api/v1/entities", tags=["entities"])


@router.get("", response_model_by_alias=True)
def list_entities(
    node: NodeDep,
    user: CurrentUser,
    purpose: Purpose,
    schema: str | None = None,
    limit: Annotated[int, Query(ge=1, le=entities.MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page[EntityOut]:
    """Entities in id order, optionally of one schema (``?schema=Person``)."""
    return entities.list_entities(node, user, limit, cursor, schema, purpose)


@router.get("/{entity_id}", response_model_by_alias=True)
def get_entity(entity_id: str, node: NodeDep, user: CurrentUser, purpose: Purpose) -> EntityOut:
    """One entity with the reports that mention it."""
    return entities.get(node, user, entity_id, purpose)
