"""Typed dependencies for routes: the node and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from tabadul.access.policy import Principal
from tabadul.errors import AuthenticationRequired
from tabadul.services import accounts
from tabadul.services.node import Node


def get_node(request: Request) -> Node:
    """The node this application serves."""
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def current_principal(request: Request, node: NodeDep) -> Principal:
    """The principal behind the request's bearer token; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired("send 'Authorization: Bearer <token>'")
    return accounts.authenticate_token(node, token.strip())


CurrentUser = Annotated[Principal, Depends(current_principal)]


def stated_purpose(
    x_tabadul_purpose: Annotated[
        str | None, Header(description="Why you consult this (a case reference or a few words).")
    ] = None,
    purpose: Annotated[str | None, Query(description="The same, as a parameter.")] = None,
) -> str | None:
    """The purpose the caller states for a consultation (header or parameter); logged."""
    return x_tabadul_purpose or purpose


Purpose = Annotated[str | None, Depends(stated_purpose)]
