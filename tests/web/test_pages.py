"""The pages of the web interface, over HTTP: what they show, to whom, in which language."""

import datetime as dt
import html
import json
import re

from tabadul.schemas.reports import ReportIn
from tabadul.services import reports
from tabadul.services.signin import current
from tests.conftest import report_body
from tests.web.conftest import csrf


def record(node, who, **overrides):
    return reports.record(node, who, ReportIn.model_validate(report_body(**overrides)), "test")


def principal(node, client):
    return current(node, client.cookies.get("tabadul_session")).principal


def test_intelligence_pages_ask_for_a_working_context_first(browser):
    client = browser(context=None)
    response = client.get("/reports")
    assert response.status_code == 303
    assert response.headers["location"] == "/context?next=/reports"
    form = client.get(response.headers["location"])
    done = client.post(
        "/context",
        data={"purpose": "case 2026/17", "next": "/reports", "csrf_token": csrf(form.text)},
    )
    assert done.headers["location"] == "/reports"
    assert "case 2026/17" in client.get("/reports").text


def test_recording_a_report_with_tagged_entities_through_the_form(browser, node):
    client = browser()
    form = client.get("/reports/new")
    assert form.status_code == 200
    body = "طارق السعيدي اتصل بالرقم 0612345678 قبل سفره إلى طنجة"
    tags = [
        {
            "ref": "t1",
            "kind": "person",
            "text": "طارق السعيدي",
            "start": 0,
            "end": 12,
            "category": "suspect",
        },
        {
            "ref": "t2",
            "kind": "phone",
            "text": "0612345678",
            "start": 25,
            "end": 35,
            "attach": "t1",
        },
    ]
    data = {
        "csrf_token": csrf(form.text),
        "title": "اتصال مشبوه",
        "body": body,
        "tags": json.dumps(tags, ensure_ascii=False),
        "classification": "RESTRICTED",
        "tlp": "AMBER",
        "code_H2": "on",
        "grading_scheme": "admiralty",
        "grading_source": "B",
        "grading_information": "2",
        "nature": "fact",
        "status": "released",
        "topics": "terrorism",
    }
    response = client.post("/reports/new", data=data)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'class="banner tlp-amber"' in page.text
    assert re.search(
        r'<a class="mention schema-person" href="/entities/[^"]+" title="[^"]*">طارق السعيدي</a>',
        page.text,
    )
    assert re.search(
        r'<a class="mention schema-person"[^>]*>0612345678</a>', page.text
    )  # the phone is the person's
    entity_id = re.search(r'href="/entities/([^"]+)"', page.text).group(1)
    profile = client.get(f"/entities/{entity_id}")
    assert profile.status_code == 200
    assert "+212612345678" in profile.text
    assert 'dir="rtl" lang="ar">طارق السعيدي' in profile.text


def test_form_errors_are_shown_and_nothing_is_recorded(browser, node):
    client = browser()
    form = client.get("/reports/new")
    data = {
        "csrf_token": csrf(form.text),
        "title": "",
        "body": "x",
        "tlp": "AMBER",
        "code_H3": "on",
        "grading_source": "B",
        "grading_information": "2",
    }
    response = client.post("/reports/new", data=data)
    assert response.status_code == 422
    assert "H3" in response.text or "restrictions" in response.text
    assert (
        reports.list_reports(
            node, principal(node, client), reports.ReportFilter(), purpose="t"
        ).items
        == []
    )


def test_a_report_above_the_readers_clearance_is_not_found_on_the_page(browser, node):
    writer = browser("writer", clearance="SECRET")
    secret = record(node, principal(node, writer), classification="SECRET", title="Secret title")
    reader = browser("reader")
    page = reader.get(f"/reports/{secret.id}")
    assert page.status_code == 404
    assert "Secret title" not in page.text
    assert "Secret title" not in reader.get("/reports").text


def test_correcting_and_withdrawing_from_the_pages(browser, node):
    client = browser()
    report = record(node, principal(node, client))
    edit = client.get(f"/reports/{report.id}/edit")
    assert edit.status_code == 200
    values = {
        k: html.unescape(v)
        for k, v in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', edit.text)
    }
    data = {k: v for k, v in values.items()} | {
        "title": "Corrected title",
        "note": "place fixed",
        "body": report.body,
        "tlp": "AMBER",
        "classification": "RESTRICTED",
        "nature": "fact",
        "grading_scheme": "admiralty",
        "grading_source": "B",
        "grading_information": "2",
        "status": "released",
        "csrf_token": csrf(edit.text),
    }
    response = client.post(f"/reports/{report.id}/edit", data=data)
    assert response.status_code == 303, response.text
    page = client.get(f"/reports/{report.id}")
    assert "Corrected title" in page.text
    assert "place fixed" in page.text
    assert 'class="mention' in page.text  # the entity's mention survived the correction
    client.post(
        f"/reports/{report.id}/withdraw",
        data={"reason": "retracted", "csrf_token": csrf(page.text)},
    )
    assert "withdrawn" in client.get(f"/reports/{report.id}").text


def test_entity_profile_shows_relationships_and_a_chart(browser, node):
    client = browser()
    body = report_body(
        entities=[
            {
                "id": "p1",
                "schema": "Person",
                "properties": {"name": ["طارق السعيدي", "Tarik Saidi"]},
            },
            {"id": "o1", "schema": "Organization", "properties": {"name": ["Cellule Nord"]}},
            {
                "id": "m1",
                "schema": "Membership",
                "properties": {"member": ["p1"], "organization": ["o1"]},
            },
        ]
    )
    report = reports.record(node, principal(node, client), ReportIn.model_validate(body), "t")
    person = next(e for e in report.entities if e.schema_ == "Person")
    page = client.get(f"/entities/{person.id}")
    assert "Cellule Nord" in page.text
    assert 'id="chart"' in page.text
    graph = client.get(f"/entities/{person.id}/graph.json").json()
    assert {n["label"] for n in graph["nodes"]} >= {"Cellule Nord"}
    assert len(graph["edges"]) == 1


def test_pages_in_arabic_are_right_to_left_and_translated(browser, node):
    client = browser(language="ar")
    page = client.get("/reports")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "التقارير" in page.text
    french = browser("fatima", language="fr")
    assert "Rapports" in french.get("/reports").text


def test_dashboard_lists_reports_due_for_review(browser, node):
    client = browser()
    soon = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    overdue = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    record(node, principal(node, client), title="Long overdue", review_by=overdue)
    record(node, principal(node, client), title="Soon due", review_by=soon)
    record(node, principal(node, client), title="Far away", review_by="2090-01-01")
    page = client.get("/").text
    due = page.split("Latest reports")[0]
    assert "Far away" not in due
    # The most overdue first, though recorded first (a newest-first list shows it last).
    assert due.index("Long overdue") < due.index("Soon due")


def test_administrators_manage_users_but_see_no_reports(browser, node):
    admin = browser("boss", role="administrator")
    assert admin.get("/reports").status_code == 403
    page = admin.get("/admin/users")
    assert page.status_code == 200
    created = admin.post(
        "/admin/users",
        data={
            "username": "newbie",
            "role": "analyst",
            "clearance": "CONFIDENTIAL",
            "compartments": "op-a",
            "csrf_token": csrf(page.text),
        },
    )
    assert "one-time password" in created.text
    assert "newbie" in created.text
    analyst = browser("nosy")
    assert analyst.get("/admin/users").status_code == 403


def test_auditors_read_and_verify_the_log_on_the_page(browser, node):
    auditor = browser("watcher", role="auditor", context=None)
    page = auditor.get("/audit?actor=watcher")
    assert page.status_code == 200
    assert "signin.succeeded" in page.text
    verified = auditor.post("/audit/verify", data={"csrf_token": csrf(page.text)})
    assert "intact" in verified.text
    analyst = browser("nosy")
    assert analyst.get("/audit").status_code == 403


def test_language_switch_is_remembered(browser, node):
    client = browser()
    page = client.get("/")
    client.post("/language", data={"code": "fr", "next": "/reports", "csrf_token": csrf(page.text)})
    assert principal(node, client).username == "ana"
    assert 'lang="fr"' in client.get("/").text
