"""Administration pages: users, their roles, clearances and compartments (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tabadul.api.deps import NodeDep
from tabadul.errors import TabadulError
from tabadul.model.accounts import Role
from tabadul.services import accounts
from tabadul.web.forms import listed
from tabadul.web.i18n import N_
from tabadul.web.pages import render
from tabadul.web.security import CsrfChecked, PagePrincipal

router = APIRouter(include_in_schema=False)


@router.get("/admin/users")
def users(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """Every user, and a form to add one."""
    return _page(request, node, user)


@router.post("/admin/users")
def add_user(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "analyst",
    clearance: Annotated[str, Form()] = "",
    compartments: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    """Create a user; the one-time password is shown once on the page."""
    try:
        created = accounts.add_user(
            node,
            user,
            username,
            role,
            clearance=clearance or None,
            compartments=listed(compartments),
            display_name=display_name or None,
        )
    except TabadulError as exc:
        return _page(request, node, user, 422, error=exc.message)
    return _page(request, node, user, created=created)


@router.post("/admin/users/{username}")
def change_user(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    username: str,
    action: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    clearance: Annotated[str, Form()] = "",
    compartments: Annotated[str, Form()] = "",
) -> Response:
    """Change a user, disable or enable them, or reset their password or authenticator."""
    notice = None
    try:
        if action == "save":
            accounts.change_user(
                node,
                user,
                username,
                role=role or None,
                clearance=clearance or None,
                compartments=listed(compartments),
            )
            notice = N_("Saved.")
        elif action in {"disable", "enable"}:
            accounts.change_user(node, user, username, disabled=action == "disable")
            notice = N_("Saved.")
        elif action == "reset-totp":
            accounts.reset_totp(node, user, username)
            notice = N_("The authenticator was reset; the user enrols again at next sign-in.")
        elif action == "reset-password":
            password = accounts.reset_password(node, user, username)
            return _page(request, node, user, reset=(username, password))
    except TabadulError as exc:
        return _page(request, node, user, 422, error=exc.message)
    return _page(request, node, user, notice=notice)


def _page(
    request: Request, node: NodeDep, user: PagePrincipal, status_code: int = 200, **context: object
) -> HTMLResponse:
    listed = accounts.list_users(node, user)
    return render(
        request,
        "admin/users.html",
        status_code,
        users=listed,
        roles=[r.value for r in Role],
        levels=node.classification.levels,
        **context,
    )
