"""Analyst and liaison workflows in a real browser against real node processes.

A hit found across scripts and confirmed by a supervisor; a Latin-script
search that finds an Arabic-script file; a report shared with a partner node
and its signed receipt shown on the report page.
"""

import httpx
import pytest

from tests.exchange.cluster import agree, link, make_node, wait_for
from tests.web.test_browser import pytestmark as browser_marks
from tests.web.test_browser import shot, sign_in

pytestmark = browser_marks


@pytest.fixture(scope="module")
def partners(tmp_path_factory):
    """Rabat and Madrid, serving, linked and under an agreement."""
    base = tmp_path_factory.mktemp("workflows")
    rabat = make_node(base, "rabat", "MA", None)
    madrid = make_node(base, "madrid", "ES", None)
    try:
        rabat.start()
        madrid.start()
        madrid_on_rabat, _ = link(rabat, madrid)
        agree(rabat, madrid, madrid_on_rabat, topics="terrorism")
        yield rabat, madrid
    finally:
        rabat.close()
        madrid.close()


def password_of(node, username):
    return node.cli("user", "reset-password", "--username", username, "--json")["password"]


def person_report(title, name, birth):
    return {
        "title": title,
        "body": f"{name} was seen near the port.",
        "language": "en",
        "topics": ["terrorism"],
        "handling": {"tlp": "GREEN"},
        "entities": [
            {"id": "p1", "schema": "Person", "properties": {"name": [name], "birthDate": [birth]}}
        ],
        "mentions": [{"entity": "p1", "start": 0, "end": len(name)}],
    }


def working_context(page, base, purpose="case 2026/31"):
    page.goto(f"{base}/context?next=/")
    page.fill("input[name=purpose]", purpose)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_search_across_scripts_and_confirm_a_hit(partners, chromium):
    rabat, _ = partners
    for title, name in (("Arabic file", "طارق السعيدي"), ("Partner note", "Tarik Saidi")):
        recorded = rabat.api(
            "POST", "/api/v1/reports", who="analyst", json=person_report(title, name, "1985-03-12")
        )
        assert recorded.status_code == 201, recorded.text

    def hit_raised():
        found = rabat.api("GET", "/api/v1/hits", who="supervisor").json()["items"]
        return found or None

    wait_for(hit_raised, what="the hit")
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, rabat.url, "supervisor", password_of(rabat, "supervisor"))
    working_context(page, rabat.url)
    assert page.locator("h2", has_text="New hits").count() == 1

    page.goto(f"{rabat.url}/search?q=Tarik")
    results = page.locator("ol.results li.result")
    assert results.count() >= 2
    assert page.locator("ol.results", has_text="طارق السعيدي").count() == 1  # cross-script
    assert page.locator("mark").count() >= 1
    shot(page, "en-search")

    page.goto(f"{rabat.url}/hits")
    page.locator("table.list a").first.click()
    page.wait_for_url("**/hits/*")
    assert page.locator(".pair .side").count() == 2
    assert page.locator("ul.reasons li").count() >= 2
    shot(page, "en-hit")
    page.check("input[name=decision][value=confirmed]")
    page.fill("textarea[name=reason]", "same date of birth, same port, same associate")
    page.click("#review-form button[type=submit]")
    page.wait_for_load_state()
    assert "same associate" in page.content()
    assert page.locator("h2", has_text="Same as").count() == 1
    hit_url = page.url

    with page.expect_navigation():  # the same screens in Arabic, right to left
        page.select_option("select[name=code]", "ar")
    page.goto(hit_url)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert "سبب الرصد" in page.content()
    shot(page, "ar-hit")
    page.goto(f"{rabat.url}/search?q=Tarik")
    assert page.locator("ol.results", has_text="طارق السعيدي").count() == 1
    shot(page, "ar-search")
    context.close()


def test_share_a_report_and_see_the_partners_signed_receipt(partners, chromium):
    rabat, madrid = partners
    recorded = rabat.api(
        "POST",
        "/api/v1/reports",
        who="liaison",
        json=person_report("Courier seen", "Omar Haddad", "1979"),
    )
    assert recorded.status_code == 201, recorded.text
    report_id = recorded.json()["id"]
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, rabat.url, "liaison", password_of(rabat, "liaison"))
    working_context(page, rabat.url)
    page.goto(f"{rabat.url}/reports/{report_id}")
    page.check("form.share-form input[name=partners]")
    page.click("form.share-form button[type=submit]")
    page.wait_for_url(f"**/reports/{report_id}*")

    def receipt_shown():
        page.reload()
        return page.locator("#shares .receipt").count() == 1 or None

    wait_for(receipt_shown, what="the signed receipt on the page")
    shot(page, "en-report-shared")
    arrived = httpx.get(
        f"{madrid.url}/api/v1/inbox?type=report.share", headers=madrid.headers(), timeout=30
    ).json()
    assert any(m["report"] for m in arrived)
    context.close()
