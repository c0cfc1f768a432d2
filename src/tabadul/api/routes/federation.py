"""Between nodes: the descriptor at ``/.well-known/tabadul``, introductions and the inbox.

These endpoints take no bearer token: what a partner sends is signed and
encrypted, and is checked by the services (docs/federation.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tabadul.api.deps import NodeDep
from tabadul.exchange.messages import INBOX_PATH, INTRODUCTION_PATH, WELL_KNOWN
from tabadul.schemas.exchange import Envelopes, Introduction
from tabadul.services import delivery, federation

router = APIRouter(tags=["federation"])


@router.get(WELL_KNOWN)
def well_known(node: NodeDep) -> dict[str, Any]:
    """This node's descriptor: id, name, country, URL, public keys (JWK), fingerprint."""
    return federation.descriptor(node).to_dict()


@router.post(INTRODUCTION_PATH)
def introduce(body: Introduction, node: NodeDep, request: Request) -> dict[str, Any]:
    """A node that accepted our invitation introduces itself."""
    address = request.client.host if request.client else None
    partner = federation.introduced(node, body.introduction, address)
    return {"partner_id": partner.partner_id, "node_id": node.identity.id}


@router.post(INBOX_PATH)
def inbox(body: Envelopes, node: NodeDep, request: Request) -> dict[str, Any]:
    """Receive sealed messages; one signed receipt answers them all (errors for strangers)."""
    address = request.client.host if request.client else None
    return delivery.receive(node, body.messages, address)
