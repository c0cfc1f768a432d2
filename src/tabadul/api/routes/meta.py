"""Unauthenticated facts about the node: that it is alive, and where the API is described."""

from __future__ import annotations

from fastapi import APIRouter

from tabadul import __version__
from tabadul.api.deps import NodeDep

router = APIRouter(tags=["node"])


@router.get("/healthz")
def health(node: NodeDep) -> dict[str, str]:
    """Liveness: the node answers and its database is reachable."""
    with node.db.reading() as session:
        session.connection()
    return {"status": "ok"}


@router.get("/api")
def root(node: NodeDep) -> dict[str, str]:
    """Where to go from here."""
    return {
        "name": "Tabadul",
        "version": __version__,
        "node": node.identity.name,
        "api": "/api/v1",
        "openapi": "/api/openapi.json",
        "docs": "/api/docs",
    }
