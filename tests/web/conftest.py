"""Signed-in browsers (HTTP clients) for page tests."""

import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tabadul.access.passwords import hash_password
from tabadul.app import create_app
from tabadul.services import accounts
from tabadul.storage.tables import UserRow

PASSWORD = "harbour lantern copper seventeen"


def csrf(page_html):
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def set_password(node, username, password=PASSWORD):
    with node.db.transaction() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).one()
        row.password_hash = hash_password(password)


def web_sign_in(client, username, password=PASSWORD):
    """Sign in through the pages, enrolling an authenticator; returns its secret."""
    token = csrf(client.get("/signin").text)
    response = client.post(
        "/signin", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    page = client.get("/signin/enrol")
    secret = re.search(r'<code class="secret" dir="ltr">([A-Z2-7]+)</code>', page.text).group(1)
    done = client.post(
        "/signin/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(page.text)}
    )
    assert done.status_code == 303, done.text
    return secret


@pytest.fixture
def browser(settings, node):
    """A factory of signed-in clients: browser(username, role, clearance=…, context=…)."""
    clients = []

    def make(
        username="ana",
        role="analyst",
        *,
        clearance=None,
        compartments=(),
        context="case TEST-1",
        language=None,
    ):
        accounts.add_user(
            node, None, username, role, clearance=clearance, compartments=compartments
        )
        set_password(node, username)
        client = TestClient(
            create_app(settings), base_url="https://testserver", follow_redirects=False
        )
        client.__enter__()
        clients.append(client)
        web_sign_in(client, username)
        if language:
            client.post(
                "/language",
                data={"code": language, "next": "/", "csrf_token": csrf(client.get("/").text)},
            )
        if context:
            page = client.get("/context")
            client.post(
                "/context", data={"purpose": context, "next": "/", "csrf_token": csrf(page.text)}
            )
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (see tests/web/test_browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
