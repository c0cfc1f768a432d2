"""Web sign-in: password then TOTP, enrolment by QR code, sessions, CSRF, lockouts, sign-out."""

import datetime as dt
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tabadul.app import create_app
from tabadul.model.accounts import Role
from tabadul.services import accounts
from tabadul.storage.tables import SigninFailureRow, UserRow, WebSessionRow
from tabadul.storage.types import utcnow

PASSWORD = "harbour lantern copper seventeen"


@pytest.fixture
def web(settings, node):
    """A browser-like client on https (our cookies are Secure) and a user with a chosen password."""
    accounts.add_user(node, None, "ana", Role.ANALYST.value, clearance="SECRET")
    with node.db.transaction() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == "ana")).one()
        from tabadul.access.passwords import hash_password

        row.password_hash = hash_password(PASSWORD)
    with TestClient(
        create_app(settings), base_url="https://testserver", follow_redirects=False
    ) as c:
        yield c


def csrf(page_html):
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def post_form(client, path, data, page="/signin"):
    token = csrf(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token})


def enrol(client, password=PASSWORD, username="ana"):
    """Sign in for the first time: password, then scan (read) the secret and confirm a code."""
    response = post_form(client, "/signin", {"username": username, "password": password})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin/enrol"
    page = client.get("/signin/enrol")
    assert "<svg" in page.text  # the QR code, drawn by the node
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', page.text).group(1)
    code = pyotp.TOTP(secret).now()
    done = client.post("/signin/enrol", data={"code": code, "csrf_token": csrf(page.text)})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"
    return secret


def sign_in(client, secret, password=PASSWORD, code=None, at=None):
    response = post_form(client, "/signin", {"username": "ana", "password": password})
    assert response.headers["location"] == "/signin/code"
    page = client.get("/signin/code")
    code = code or pyotp.TOTP(secret).at(at or dt.datetime.now(dt.UTC))
    return client.post("/signin/code", data={"code": code, "csrf_token": csrf(page.text)})


def test_pages_need_a_signed_in_user(web):
    response = web.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


def test_first_sign_in_enrols_an_authenticator_then_needs_its_codes(web, node):
    secret = enrol(web)
    home = web.get("/")
    assert home.status_code == 200
    assert "ana" in home.text
    assert "SECRET" in home.text
    with node.db.reading() as session:
        user = session.scalars(select(UserRow).where(UserRow.username == "ana")).one()
    assert user.totp_enabled_at is not None
    assert secret not in (user.totp_secret or "")  # stored sealed, not in clear

    web.cookies.clear()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)  # the next code, not the one used
    assert sign_in(web, secret, at=later).status_code == 303
    assert web.get("/").status_code == 200


def test_session_cookie_is_secure_httponly_and_strict(web):
    enrol(web)
    set_cookies = [h for h in web.cookies.jar]
    session_cookie = next(c for c in set_cookies if c.name == "tabadul_session")
    assert session_cookie.secure
    assert session_cookie.has_nonstandard_attr("HttpOnly")
    assert session_cookie.get_nonstandard_attr("SameSite").lower() == "strict"


def test_wrong_code_is_refused_and_a_code_works_only_once(web):
    secret = enrol(web)
    web.cookies.clear()
    wrong = sign_in(web, secret, code="000000")
    assert wrong.status_code == 422
    assert web.get("/").status_code == 303
    # The code used to enrol cannot be used again.
    web.cookies.clear()
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    code = pyotp.TOTP(secret).at(at)
    assert sign_in(web, secret, code=code).status_code == 303
    web.cookies.clear()
    assert sign_in(web, secret, code=code).status_code == 422


def test_password_stage_alone_opens_no_page(web):
    post_form(web, "/signin", {"username": "ana", "password": PASSWORD})
    assert web.get("/").status_code == 303


def test_unknown_user_and_wrong_password_get_the_same_answer(web, node):
    unknown = post_form(web, "/signin", {"username": "nobody", "password": PASSWORD})
    wrong = post_form(web, "/signin", {"username": "ana", "password": "not the password at all"})
    assert unknown.status_code == wrong.status_code == 401
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731
    assert strip(unknown.text) == strip(wrong.text)


def test_repeated_failures_slow_down_then_lock_the_account_until_it_expires(web, node):
    limit = node.settings.signin_lockout_after
    statuses = []
    for _ in range(limit + 2):
        response = post_form(web, "/signin", {"username": "ana", "password": "wrong password!!"})
        statuses.append(response.status_code)
        with node.db.transaction() as session:  # skip the progressive delay, not the counting
            session.execute(
                update(SigninFailureRow)
                .where(SigninFailureRow.locked_until.is_(None))
                .values(last_failure_at=utcnow() - dt.timedelta(minutes=2))
            )
    assert 401 in statuses
    assert statuses[-1] == 429
    locked = post_form(web, "/signin", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429  # even the right password waits
    assert "try again in" in locked.text
    with node.db.transaction() as session:
        session.execute(
            update(SigninFailureRow).values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
    assert post_form(web, "/signin", {"username": "ana", "password": PASSWORD}).status_code == 303


def test_progressive_delay_after_a_few_failures(web, node):
    for _ in range(node.settings.signin_delay_after):
        response = post_form(web, "/signin", {"username": "ana", "password": "wrong password!!"})
        assert response.status_code == 401
    too_soon = post_form(web, "/signin", {"username": "ana", "password": PASSWORD})
    assert too_soon.status_code == 429


def test_forms_without_the_right_csrf_token_are_refused(web):
    web.get("/signin")
    missing = web.post("/signin", data={"username": "ana", "password": PASSWORD})
    forged = web.post(
        "/signin", data={"username": "ana", "password": PASSWORD, "csrf_token": "x" * 64}
    )
    assert missing.status_code == forged.status_code == 403
    enrol(web)
    assert web.post("/signout", data={"csrf_token": "forged"}).status_code == 403
    other_site = web.post(
        "/signout",
        data={"csrf_token": csrf(web.get("/").text)},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert web.get("/").status_code == 200  # still signed in: nothing happened


def test_sign_out_ends_the_session_on_the_server(web):
    enrol(web)
    stolen = web.cookies.get("tabadul_session")
    response = web.post("/signout", data={"csrf_token": csrf(web.get("/").text)})
    assert response.status_code == 303
    web.cookies.clear()
    web.cookies.set("tabadul_session", stolen)  # someone kept a copy of the cookie
    assert web.get("/").status_code == 303


@pytest.mark.parametrize("field", ["last_seen_at", "created_at"])
def test_idle_and_absolute_timeouts_end_sessions(web, node, field):
    enrol(web)
    assert web.get("/").status_code == 200
    age = dt.timedelta(minutes=node.settings.session_idle_minutes + 1)
    if field == "created_at":
        age = dt.timedelta(hours=node.settings.session_absolute_hours, minutes=1)
    with node.db.transaction() as session:
        session.execute(update(WebSessionRow).values(**{field: utcnow() - age}))
    assert web.get("/").status_code == 303


def test_disabling_a_user_ends_their_session(web, node):
    enrol(web)
    accounts.change_user(node, None, "ana", disabled=True)
    assert web.get("/").status_code == 303


def test_password_change_follows_the_rules(web, node):
    enrol(web)
    page = web.get("/account/password")
    token = csrf(page.text)

    def change(current, new):
        return web.post(
            "/account/password",
            data={"current_password": current, "new_password": new, "csrf_token": token},
        )

    assert "at least 12" in change(PASSWORD, "short").text
    assert "commonly used" in change(PASSWORD, "1qaz2wsx3edc").text
    assert "harder password" in change(PASSWORD, "aaaaaaaaaaaaaaaa").text
    assert "not your current password" in change("wrong", "granite meadow violin tuesday").text
    assert change(PASSWORD, "granite meadow violin tuesday").status_code == 200
    web.cookies.clear()
    response = post_form(
        web, "/signin", {"username": "ana", "password": "granite meadow violin tuesday"}
    )
    assert response.status_code == 303


def test_pages_carry_security_headers(web):
    page = web.get("/signin")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


def test_passwords_codes_and_tokens_never_reach_the_log(web, node, capsys):
    secret = enrol(web)
    post_form(web, "/signin", {"username": "ana", "password": "a wrong but long password"})
    person = accounts.create_token(node, None, "ana", scopes=["read"])
    web.get("/api/v1/me", headers={"Authorization": f"Bearer {person.token}"})
    web.get("/api/v1/me", headers={"Authorization": "Bearer tbd_guessed-token"})
    out = capsys.readouterr()
    logged = out.out + out.err
    for secret_text in (
        PASSWORD,
        "a wrong but long password",
        person.token,
        secret,
        "tbd_guessed-token",
    ):
        assert secret_text not in logged
