"""``GET /api/v1/search`` and ``tabadul search``: the same service behind the API and the CLI."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tabadul.app import create_app
from tabadul.model.accounts import Role
from tabadul.schemas.reports import ReportIn
from tabadul.services import reports
from tests.conftest import as_json, make_person, report_body
from tests.search.test_search import index_now


def test_search_api_returns_hits_total_and_facets(client, node, analyst):
    created = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers)
    assert created.status_code == 201
    index_now(node)
    response = client.get(
        "/api/v1/search", params={"q": "tangier", "kind": "report"}, headers=analyst.headers
    )
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 1
    assert data["items"][0]["id"] == created.json()["id"]
    assert data["facets"]["kind"] == {"report": 1}
    assert "<mark><bdi>Tangier</bdi></mark>" in data["items"][0]["snippet_html"]


def test_search_api_refuses_bad_queries_missing_purpose_and_administrators(client, node, analyst):
    bad = client.get("/api/v1/search", params={"q": "-x"}, headers=analyst.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "q"
    headers = {"Authorization": analyst.headers["Authorization"]}
    assert client.get("/api/v1/search", params={"q": "x"}, headers=headers).status_code == 400
    admin = make_person(node, Role.ADMINISTRATOR, "admin2")
    assert client.get("/api/v1/search", params={"q": "x"}, headers=admin.headers).status_code == 403


def test_entity_hits_carry_their_schema(client, node, analyst):
    client.post("/api/v1/reports", json=report_body(), headers=analyst.headers)
    index_now(node)
    data = client.get(
        "/api/v1/search", params={"q": "saidi", "kind": "entity"}, headers=analyst.headers
    ).json()
    assert [i["schema"] for i in data["items"]] == ["Person"]


def test_a_report_is_searchable_within_a_second_on_an_idle_node(settings, node):
    with TestClient(create_app(settings, run_worker=True)) as served:
        writer = make_person(node, Role.ANALYST, "quick")
        body = report_body(title="Réunion à Essaouira", entities=[], mentions=[])
        assert served.post("/api/v1/reports", json=body, headers=writer.headers).status_code == 201
        started = time.monotonic()
        total = 0
        while time.monotonic() - started < 1.0 and total == 0:
            response = served.get(
                "/api/v1/search", params={"q": "essaouira"}, headers=writer.headers
            )
            total = response.json()["total"]
            time.sleep(0.02)
        assert total == 1


def test_cli_search_as_a_user(cli, settings, node):
    writer = make_person(node, Role.ANALYST, "clerk")
    reports.record(node, writer.principal, ReportIn.model_validate(report_body()), "case")
    result = cli(settings, "reindex", "--json")
    assert as_json(result) == {"reports": 1, "entities": 1}
    result = cli(settings, "search", "طارق", "--as-user", "clerk", "--purpose", "case 1", "--json")
    data = as_json(result)
    assert data["total"] == 2  # the report and the person
    text = cli(settings, "search", "tangier", "--as-user", "clerk", "--purpose", "case 1")
    assert "1 found" in text.stdout
    refused = cli(settings, "search", "(tarik", "--as-user", "clerk", "--purpose", "p", expect=1)
    assert "error:" in refused.output
