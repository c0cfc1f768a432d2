"""Sign-in (password, then authenticator or code), sign-out, and the interface language."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tabadul.api.deps import NodeDep
from tabadul.errors import AuthenticationRequired, TooManyAttempts, ValidationFailed
from tabadul.services import signin
from tabadul.services.node import Node
from tabadul.web.i18n import LANGUAGES
from tabadul.web.pages import LANGUAGE_COOKIE, render
from tabadul.web.security import (
    PENDING_COOKIE,
    PRE_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    check_csrf,
    clear_cookie,
    csrf_for,
    pre_session,
    set_cookie,
)

router = APIRouter(include_in_schema=False)


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/signin")
def signin_form(request: Request, node: NodeDep) -> HTMLResponse:
    """The username and password form."""
    token = pre_session(request, node)
    page = render(request, "signin.html")
    set_cookie(page, node, PRE_COOKIE, token, max_age=3600)
    return page


@router.post("/signin")
def signin_submit(
    request: Request,
    node: NodeDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; go on to enrolment or the code."""
    check_csrf(request, node, request.cookies.get(PRE_COOKIE), csrf_token)
    try:
        started = signin.password_step(node, username, password, _address(request))
    except (AuthenticationRequired, TooManyAttempts) as exc:
        return _signin_again(request, node, exc)
    response = _redirect(f"/signin/{started.next_step}")
    set_cookie(
        response, node, PENDING_COOKIE, started.token, max_age=signin.PASSWORD_STAGE_MINUTES * 60
    )
    return response


@router.get("/signin/enrol")
def enrol_form(request: Request, node: NodeDep) -> Response:
    """The authenticator's secret as a QR code drawn by the node, and the first code."""
    token = request.cookies.get(PENDING_COOKIE, "")
    try:
        setup = signin.enrolment(node, token)
    except AuthenticationRequired:
        return _redirect("/signin")
    request.state.csrf_token = csrf_for(node, token)
    return render(request, "enrol.html", secret=setup.secret, qr_svg=setup.qr_svg)


@router.post("/signin/enrol")
def enrol_submit(
    request: Request,
    node: NodeDep,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the first code; the account's authenticator is then set up."""
    return _second_factor(request, node, code, csrf_token, enrolling=True)


@router.get("/signin/code")
def code_form(request: Request, node: NodeDep) -> Response:
    """The code form."""
    token = request.cookies.get(PENDING_COOKIE, "")
    try:
        signin.pending_user(node, token)
    except AuthenticationRequired:
        return _redirect("/signin")
    request.state.csrf_token = csrf_for(node, token)
    return render(request, "code.html")


@router.post("/signin/code")
def code_submit(
    request: Request,
    node: NodeDep,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the code and sign in."""
    return _second_factor(request, node, code, csrf_token, enrolling=False)


@router.post("/signout")
def signout(request: Request, node: NodeDep, _csrf: CsrfChecked) -> Response:
    """End the session on the server and forget the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        signin.sign_out(node, token, _address(request))
    response = _redirect("/signin")
    clear_cookie(response, node, SESSION_COOKIE)
    return response


def _second_factor(
    request: Request, node: Node, code: str, csrf_token: str, *, enrolling: bool
) -> Response:
    token = request.cookies.get(PENDING_COOKIE, "")
    check_csrf(request, node, token, csrf_token)
    step = signin.confirm_enrolment if enrolling else signin.code_step
    try:
        signed_in = step(node, token, code, _address(request))
    except (ValidationFailed, TooManyAttempts) as exc:
        request.state.csrf_token = csrf_for(node, token)
        message = exc.details[0].message if isinstance(exc, ValidationFailed) else exc.message
        if enrolling:
            setup = signin.enrolment(node, token)
            return render(
                request, "enrol.html", 422, error=message, secret=setup.secret, qr_svg=setup.qr_svg
            )
        return render(
            request, "code.html", 422 if isinstance(exc, ValidationFailed) else 429, error=message
        )
    except AuthenticationRequired:
        return _redirect("/signin")
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:  # the language picked on the sign-in page becomes the user's
        signin.set_language(node, signed_in.principal, chosen)
    response = _redirect("/")
    clear_cookie(response, node, PENDING_COOKIE)
    max_age = node.settings.session_absolute_hours * 3600
    set_cookie(response, node, SESSION_COOKIE, signed_in.token, max_age=max_age)
    return response


def _signin_again(
    request: Request, node: Node, exc: AuthenticationRequired | TooManyAttempts
) -> HTMLResponse:
    token = pre_session(request, node)
    status = 429 if isinstance(exc, TooManyAttempts) else 401
    page = render(request, "signin.html", status, error=exc.message)
    set_cookie(page, node, PRE_COOKIE, token, max_age=3600)
    return page


@router.post("/language")
def choose_language(
    request: Request,
    node: NodeDep,
    code: Annotated[str, Form()] = "en",
    next_path: Annotated[str, Form(alias="next")] = "/",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Switch the interface language (remembered for the user, or in a cookie before sign-in)."""
    session_token = request.cookies.get(SESSION_COOKIE)
    binding = session_token or request.cookies.get(PRE_COOKIE)
    check_csrf(request, node, binding, csrf_token)
    chosen = code if code in LANGUAGES else "en"
    if session_token:
        # An expired session is no error here: the cookie below still applies.
        with contextlib.suppress(AuthenticationRequired):
            signin.set_language(node, signin.current(node, session_token).principal, chosen)
    response = _redirect(next_path if _local(next_path) else "/")
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 86400,
        samesite="strict",
        secure=node.settings.cookie_secure,
        httponly=True,
    )
    return response


def _local(path: str) -> bool:
    """Only redirect within the node (no open redirects)."""
    return path.startswith("/") and not path.startswith("//") and "\\" not in path
