"""The web interface in a real browser: Chromium, driven by Playwright, against a real node process.

Screenshots of the main screens, in English and in Arabic, are written to
docs/screenshots/ for the README.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.slow]
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI needs Debian's Chromium for the browser tests: apt-get install chromium"
        )
    pytestmark.append(pytest.mark.skip(reason="no Chromium here (apt-get install chromium)"))


def tabadul(*args, env=None):
    out = subprocess.run(
        [sys.executable, "-m", "tabadul", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def node_url(tmp_path_factory):
    """A real node: `tabadul init`, users added with the CLI, `tabadul serve` on a free port."""
    data = tmp_path_factory.mktemp("browser") / "node"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TABADUL_")}
    tabadul(
        "init",
        "--data-dir",
        data,
        "--name",
        "Rabat test node",
        "--country",
        "MA",
        "--json",
        env=env,
    )
    people = {}
    for username, role, clearance in [("ana", "analyst", "SECRET"), ("ahmed", "analyst", "SECRET")]:
        out = json.loads(
            tabadul(
                "user",
                "add",
                "--data-dir",
                data,
                "--username",
                username,
                "--role",
                role,
                "--clearance",
                clearance,
                "--json",
                env=env,
            )
        )
        people[username] = out["password"]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tabadul", "serve", "--data-dir", str(data), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the node did not start"
        time.sleep(0.2)
    yield base, people
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def sign_in(page, base, username, password, language=None):
    """Sign in through the pages, enrolling the authenticator from the key the page shows."""
    page.goto(f"{base}/signin")
    if language:
        page.select_option("select[name=code]", language)
        page.wait_for_load_state()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/signin/enrol")
    assert page.locator(".qr svg").count() == 1  # the QR code, drawn by the node
    secret = page.inner_text("code.secret").strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")
    return secret


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_sign_in_record_an_arabic_report_with_a_tagged_person_and_see_it(node_url, chromium):
    base, people = node_url
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/signin")
    shot(page, "en-signin")
    sign_in(page, base, "ana", people["ana"])
    page.goto(f"{base}/context?next=/reports/new")
    page.fill("input[name=purpose]", "case 2026/17 — northern cell")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/reports/new")

    body = "شوهد طارق السعيدي في طنجة برفقة شريكه يوم 12 مارس، واتصل بالرقم 0612345678."
    page.fill("input[name=title]", "لقاء مشبوه في طنجة")
    page.fill("#body", body)
    start = body.index("طارق السعيدي")
    page.evaluate(f"document.getElementById('body').setSelectionRange({start}, {start + 12})")
    page.click(".tag-button[data-kind=person]")
    phone = body.index("0612345678")
    page.evaluate(f"document.getElementById('body').setSelectionRange({phone}, {phone + 10})")
    page.click(".tag-button[data-kind=phone]")
    assert page.locator("#tag-list li").count() == 2
    page.select_option("#tag-list li.kind-person select", "suspect")
    page.fill("input[name=topics]", "terrorism")
    page.check("input[name=code_H2]")
    shot(page, "en-report-form")
    page.click("button[name=status][value=released]")
    page.wait_for_url("**/reports/01*")
    mention = page.locator("a.mention", has_text="طارق السعيدي")
    assert mention.count() == 1
    assert page.locator(".banner.tlp-amber").count() == 1
    shot(page, "en-report")
    mention.click()
    page.wait_for_url("**/entities/*")
    assert "+212612345678" in page.content()
    assert page.locator("li[lang=ar]", has_text="طارق السعيدي").count() == 1
    shot(page, "en-entity")
    page.goto(f"{base}/")
    shot(page, "en-dashboard")
    assert errors == []
    context.close()


def test_the_arabic_interface_is_laid_out_right_to_left(node_url, chromium):
    base, people = node_url
    context = chromium.new_context(locale="ar-MA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, "ahmed", people["ahmed"], language="ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand = page.locator(".bar .brand").bounding_box()
    tools = page.locator(".bar .tools").bounding_box()
    assert brand["x"] > tools["x"]  # the brand sits on the right, the tools on the left
    assert "التقارير" in page.inner_text("nav.main")
    page.goto(f"{base}/context?next=/reports")
    page.fill("input[name=purpose]", "الملف 2026/17")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/reports")
    shot(page, "ar-reports")
    page.click("table.list a")
    page.wait_for_url("**/reports/01*")
    # Arabic text in an Arabic interface flows right to left, the Latin phone number left to right.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('article.body')).direction") == "rtl"
    )
    shot(page, "ar-report")
    page.goto(f"{base}/reports/new")
    shot(page, "ar-report-form")
    page.goto(f"{base}/")
    shot(page, "ar-dashboard")
    context.close()
