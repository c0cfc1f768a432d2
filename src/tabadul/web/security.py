"""Cookies, CSRF tokens and the signed-in principal for web pages.

- The session cookie holds a random token (only its SHA-256 is stored); it
  is ``Secure`` (unless switched off for plain-HTTP development),
  ``HttpOnly`` and ``SameSite=Strict``.
- Every form carries a CSRF token: an HMAC of the session token under a key
  derived for that purpose, so it is bound to the session and nothing is
  stored. Before sign-in, a short-lived pre-session cookie plays the same
  role. A state-changing request whose token does not match is refused, and
  so is one whose Origin header names another site.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from tabadul.access.policy import Principal
from tabadul.api.deps import NodeDep
from tabadul.errors import AuthenticationRequired, PermissionDenied
from tabadul.services import signin
from tabadul.services.node import Node

SESSION_COOKIE = "tabadul_session"
PENDING_COOKIE = "tabadul_pending"  # a password-stage session, until the code is given
PRE_COOKIE = "tabadul_pre"  # binds the sign-in form's CSRF token before any session exists
CSRF_PURPOSE = "csrf"


def set_cookie(response: Response, node: Node, name: str, value: str, max_age: int) -> None:
    """Set one of our cookies with the flags every one of them needs."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=node.settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def clear_cookie(response: Response, node: Node, name: str) -> None:
    """Remove one of our cookies."""
    response.delete_cookie(
        name, path="/", httponly=True, secure=node.settings.cookie_secure, samesite="strict"
    )


def csrf_for(node: Node, binding: str) -> str:
    """The CSRF token that goes with a session (or pre-session) token."""
    return node.keyring.mac(CSRF_PURPOSE, binding)


def pre_session(request: Request, node: Node) -> str:
    """The visitor's pre-session token (new if needed); sets the form's CSRF token.

    The caller sets it as the ``PRE_COOKIE`` cookie on its response.
    """
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_token = csrf_for(node, token)
    return token


def check_csrf(request: Request, node: Node, binding: str | None, token: str) -> None:
    """Refuse a state-changing request without the right token or from another origin."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise PermissionDenied("request from another site refused")
    if not binding or not hmac.compare_digest(token, csrf_for(node, binding)):
        raise PermissionDenied("the form has expired or did not come from this node; reload it")


def page_principal(request: Request, node: NodeDep) -> Principal:
    """The signed-in principal for a page; sends the browser to sign in otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInNeeded()
    try:
        signed_in = signin.current(node, token)
    except AuthenticationRequired:
        raise SignInNeeded() from None
    request.state.principal = signed_in.principal
    request.state.csrf_token = csrf_for(node, token)
    request.state.language = signed_in.language
    request.state.purpose = signed_in.purpose
    return signed_in.principal


def working_context(request: Request, user: Annotated[Principal, Depends(page_principal)]) -> str:
    """The purpose the session works under; pages that read intelligence ask for it first."""
    purpose: str | None = request.state.purpose
    if not purpose:
        raise ContextNeeded(request.url.path)
    return purpose


def require_csrf(request: Request, node: NodeDep, csrf_token: Annotated[str, Form()] = "") -> None:
    """Dependency for signed-in forms: the form's token must match the session."""
    check_csrf(request, node, request.cookies.get(SESSION_COOKIE), csrf_token)


PagePrincipal = Annotated[Principal, Depends(page_principal)]
CsrfChecked = Annotated[None, Depends(require_csrf)]
WorkingContext = Annotated[str, Depends(working_context)]


class SignInNeeded(Exception):
    """Raised by pages when nobody is signed in; answered with a redirect to /signin."""


class ContextNeeded(Exception):
    """Raised by intelligence pages before a working context is set; redirects to /context."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path
