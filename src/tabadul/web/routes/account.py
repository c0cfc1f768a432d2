"""The signed-in user's own pages: start page, working context, password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tabadul.api.deps import NodeDep
from tabadul.errors import TabadulError, ValidationFailed
from tabadul.model.accounts import Role
from tabadul.services import accounts, auditing, dashboard, signin
from tabadul.web.i18n import N_
from tabadul.web.pages import render
from tabadul.web.security import SESSION_COOKIE, CsrfChecked, PagePrincipal
from tabadul.web.vocabulary import MESSAGE_TYPES

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, node: NodeDep, user: PagePrincipal) -> HTMLResponse:
    """The start page: what needs the user's attention, as far as their role goes."""
    purpose = request.state.purpose
    board = dashboard.gather(node, user, purpose) if purpose else None
    return render(
        request,
        "home.html",
        board=board,
        message_types=MESSAGE_TYPES,
        is_admin=user.role is Role.ADMINISTRATOR,
        is_auditor=user.role is Role.AUDITOR,
    )


@router.get("/context")
def context_form(request: Request, user: PagePrincipal, next: str = "/") -> HTMLResponse:
    """Ask for the working context: the purpose every consultation is logged with."""
    return render(request, "context.html", next_path=next if next.startswith("/") else "/")


@router.post("/context")
def context_submit(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    purpose: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Set the working context, then go where the user was going."""
    try:
        stated = auditing.purpose_of(purpose)
    except TabadulError:
        message = N_("State the case reference or the purpose of your work.")
        return render(request, "context.html", 422, error=message, next_path=next_path)
    signin.set_purpose(node, request.cookies.get(SESSION_COOKIE, ""), stated)
    target = next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.get("/account/password")
def password_form(request: Request, user: PagePrincipal) -> HTMLResponse:
    """The form to change one's password."""
    return render(request, "password.html")


@router.post("/account/password")
def password_submit(
    request: Request,
    node: NodeDep,
    user: PagePrincipal,
    _csrf: CsrfChecked,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Change the password, or say which rule the new one breaks."""
    try:
        accounts.change_password(node, user, current_password, new_password)
    except ValidationFailed as exc:
        return render(request, "password.html", status_code=422, error=exc.details[0].message)
    return render(request, "password.html", notice=N_("Your password has been changed."))
