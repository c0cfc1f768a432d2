"""Typed dependencies for routes: the node and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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
