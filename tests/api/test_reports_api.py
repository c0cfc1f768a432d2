"""The reports API: recording, reading, listing, versions, withdrawal, and every refusal."""

import pytest
from sqlalchemy import func, select

from tabadul.model.accounts import Role
from tabadul.services import accounts
from tabadul.storage.tables import EntityRow, MentionRow, ReportRow, ReportVersionRow
from tests.conftest import make_person, report_body


def counts(node):
    with node.db.reading() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table))
            for table in (ReportRow, ReportVersionRow, EntityRow, MentionRow)
        }


def test_record_report_stores_it_with_entities_and_mentions(client, analyst):
    response = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers)
    assert response.status_code == 201
    report = response.json()
    assert report["version"] == 1
    assert report["status"] == "released"
    assert report["handling"] == {
        "tlp": "AMBER",
        "codes": ["H2"],
        "restrictions": None,
        "originator_control": False,
    }
    assert report["grading"] == {"scheme": "admiralty", "source": "B", "information": "2"}
    assert report["recorded_by"] == "analyst"
    (person,) = report["entities"]
    assert person["id"] != "p1"  # the node assigns ids
    assert person["schema"] == "Person"
    assert person["properties"]["name"] == ["طارق السعيدي", "Tarik Saidi"]
    assert person["category"] == "suspect"
    assert report["mentions"] == [
        {"entity": person["id"], "start": 0, "end": 12, "text": "طارق السعيدي"}
    ]

    again = client.get(f"/api/v1/reports/{report['id']}", headers=analyst.headers).json()
    assert again == report


def test_language_is_detected_when_not_given(client, analyst):
    body = report_body(
        language=None, title="اجتماع في طنجة", body="شوهد المشتبه به في طنجة مع شريكه"
    )
    body.pop("mentions")
    assert (
        client.post("/api/v1/reports", json=body, headers=analyst.headers).json()["language"]
        == "ar"
    )


def test_defaults_lowest_classification_ungraded_and_review_in_three_years(client, analyst):
    body = report_body()
    for key in ("classification", "grading"):
        body.pop(key)
    report = client.post("/api/v1/reports", json=body, headers=analyst.headers).json()
    assert report["classification"] == "RESTRICTED"
    assert report["grading"]["source"] + report["grading"]["information"] == "F6"
    assert int(report["review_by"][:4]) - int(report["recorded_at"][:4]) == 3


def test_entities_sent_without_a_span_still_belong_to_the_report(client, analyst):
    body = report_body(
        entities=[
            *report_body()["entities"],
            {"id": "o1", "schema": "Organization", "properties": {"name": ["Cellule Nord"]}},
            {
                "id": "m1",
                "schema": "Membership",
                "properties": {"member": ["p1"], "organization": ["o1"]},
            },
        ]
    )
    report = client.post("/api/v1/reports", json=body, headers=analyst.headers).json()
    assert sorted(e["schema"] for e in report["entities"]) == [
        "Membership",
        "Organization",
        "Person",
    ]
    ids = {e["schema"]: e["id"] for e in report["entities"]}
    membership = next(e for e in report["entities"] if e["schema"] == "Membership")
    assert membership["properties"] == {
        "member": [ids["Person"]],
        "organization": [ids["Organization"]],
    }


def test_mention_can_point_at_an_entity_already_stored(client, analyst):
    first = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers).json()
    person_id = first["entities"][0]["id"]
    second = client.post(
        "/api/v1/reports",
        json=report_body(entities=[], mentions=[{"entity": person_id, "start": 0, "end": 12}]),
        headers=analyst.headers,
    ).json()
    assert second["entities"][0]["id"] == person_id
    entity = client.get(f"/api/v1/entities/{person_id}", headers=analyst.headers).json()
    assert sorted(entity["reports"]) == sorted([first["id"], second["id"]])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"handling": {"tlp": "PURPLE"}}, "handling.tlp", "unknown TLP label"),
        ({"handling": {"tlp": "AMBER", "codes": ["H3"]}}, "handling.restrictions", "H3"),
        ({"classification": "TOP SECRET"}, "classification", "unknown classification"),
        (
            {"grading": {"scheme": "admiralty", "source": "Z", "information": "1"}},
            "grading.source",
            "not a source code",
        ),
        (
            {"mentions": [{"entity": "p1", "start": 0, "end": 5000}]},
            "mentions.0",
            "outside the body",
        ),
        (
            {"mentions": [{"entity": "nobody", "start": 0, "end": 3}]},
            "mentions.0.entity",
            "no entity",
        ),
        ({"date_of_information": "2026-02-30"}, "date_of_information", "date"),
        ({"topics": ["two words"]}, "topics.0", "topic code"),
        ({"title": "  "}, "title", "empty"),
        ({"clasification": "SECRET"}, "clasification", "not a field"),
        (
            {"entities": [{"id": "p1", "schema": "Person", "properties": {"shoeSize": ["44"]}}]},
            "entities.0.properties.shoeSize",
            "does not exist for schema Person",
        ),
        (
            {
                "entities": [
                    {"id": "p1", "schema": "Person", "properties": {"birthDate": ["01/03/1990"]}}
                ]
            },
            "entities.0.properties.birthDate.0",
            "ISO 8601",
        ),
        (
            {"entities": [{"id": "p1", "schema": "Droid", "properties": {}}]},
            "entities.0.schema",
            "unknown schema",
        ),
        (
            {
                "entities": [
                    {"id": "p1", "schema": "Person", "properties": {"name": ["Karim"]}},
                    {
                        "id": "v1",
                        "schema": "Vehicle",
                        "properties": {"registrationNumber": ["12-A-345"]},
                    },
                    {
                        "id": "m1",
                        "schema": "Membership",
                        "properties": {"member": ["p1"], "organization": ["v1"]},
                    },
                ]
            },
            "entities.2.properties.organization.0",
            "must refer to a Organization",
        ),
    ],
)
def test_invalid_report_is_refused_with_the_field_and_nothing_is_written(
    client, node, analyst, change, field, words
):
    before = counts(node)
    response = client.post("/api/v1/reports", json=report_body(**change), headers=analyst.headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    matching = [d for d in error["details"] if d["field"] == field]
    assert matching, error
    assert words in matching[0]["message"]
    assert counts(node) == before


def test_every_api_route_needs_a_bearer_token(client):
    for method, path in [
        ("get", "/api/v1/reports"),
        ("post", "/api/v1/reports"),
        ("get", "/api/v1/reports/x"),
        ("get", "/api/v1/reports/x/versions"),
        ("post", "/api/v1/reports/x/versions"),
        ("post", "/api/v1/reports/x/withdraw"),
        ("get", "/api/v1/entities"),
        ("get", "/api/v1/entities/x"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_required"
        assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_revoked_and_disabled_tokens_are_refused_alike(client, node, analyst):
    bad = client.get("/api/v1/reports", headers={"Authorization": "Bearer tbd_nonsense"})
    assert bad.status_code == 401
    with node.db.reading() as session:
        token_id = session.scalar(select(func.max(accounts.ApiTokenRow.id)))
    accounts.revoke_token(node, None, token_id)
    revoked = client.get("/api/v1/reports", headers=analyst.headers)
    assert revoked.status_code == 401
    assert revoked.json() == bad.json()


def test_administrator_cannot_read_or_write_intelligence(client, node):
    admin = make_person(node, Role.ADMINISTRATOR)
    assert client.get("/api/v1/reports", headers=admin.headers).status_code == 403
    assert (
        client.post("/api/v1/reports", json=report_body(), headers=admin.headers).status_code == 403
    )
    assert client.get("/api/v1/entities", headers=admin.headers).status_code == 403


def test_new_version_keeps_the_old_one(client, analyst):
    report = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers).json()
    corrected = report_body(
        title="Meeting observed in Tetouan", note="place corrected", entities=[], mentions=[]
    )
    response = client.post(
        f"/api/v1/reports/{report['id']}/versions", json=corrected, headers=analyst.headers
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert response.json()["title"] == "Meeting observed in Tetouan"
    old = client.get(f"/api/v1/reports/{report['id']}?version=1", headers=analyst.headers).json()
    assert old["title"] == "Meeting observed in Tangier"
    assert old["current_version"] == 2
    assert len(old["entities"]) == 1
    history = client.get(f"/api/v1/reports/{report['id']}/versions", headers=analyst.headers).json()
    assert [(v["version"], v["note"]) for v in history] == [(1, None), (2, "place corrected")]


def test_draft_is_released_by_a_new_version_but_never_returns_to_draft(client, analyst):
    report = client.post(
        "/api/v1/reports", json=report_body(status="draft"), headers=analyst.headers
    ).json()
    assert report["status"] == "draft"
    url = f"/api/v1/reports/{report['id']}/versions"
    assert (
        client.post(url, json=report_body(status="released"), headers=analyst.headers).json()[
            "status"
        ]
        == "released"
    )
    back = client.post(url, json=report_body(status="draft"), headers=analyst.headers)
    assert back.status_code == 409
    assert back.json()["error"]["code"] == "conflict"


def test_withdrawal_is_a_final_version(client, analyst):
    report = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers).json()
    url = f"/api/v1/reports/{report['id']}"
    withdrawn = client.post(
        f"{url}/withdraw", json={"reason": "source retracted"}, headers=analyst.headers
    ).json()
    assert (withdrawn["status"], withdrawn["version"], withdrawn["note"]) == (
        "withdrawn",
        2,
        "source retracted",
    )
    assert withdrawn["body"] == report["body"]
    assert (
        client.post(f"{url}/versions", json=report_body(), headers=analyst.headers).status_code
        == 409
    )
    assert (
        client.post(
            f"{url}/withdraw", json={"reason": "again"}, headers=analyst.headers
        ).status_code
        == 409
    )
    assert (
        client.post(f"{url}/withdraw", json={"reason": ""}, headers=analyst.headers).status_code
        == 422
    )


def test_unknown_report_is_404(client, analyst):
    response = client.get(
        "/api/v1/reports/01a00000-0000-7000-8000-000000000000", headers=analyst.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_is_paginated_newest_first_and_filtered(client, analyst):
    ids = []
    for i in range(5):
        body = report_body(
            title=f"Report {i}",
            topics=["terrorism" if i % 2 == 0 else "financing"],
            date_of_information=f"2026-0{i + 1}-15",
            status="draft" if i == 4 else "released",
        )
        ids.append(client.post("/api/v1/reports", json=body, headers=analyst.headers).json()["id"])
    first = client.get("/api/v1/reports?limit=2", headers=analyst.headers).json()
    assert [r["id"] for r in first["items"]] == ids[::-1][:2]
    second = client.get(
        f"/api/v1/reports?limit=2&cursor={first['next']}", headers=analyst.headers
    ).json()
    third = client.get(
        f"/api/v1/reports?limit=2&cursor={second['next']}", headers=analyst.headers
    ).json()
    assert [r["id"] for r in second["items"] + third["items"]] == ids[::-1][2:]
    assert third["next"] is None

    def titles(query):
        items = client.get(f"/api/v1/reports?{query}", headers=analyst.headers).json()["items"]
        return sorted(r["title"] for r in items)

    assert titles("topic=financing") == ["Report 1", "Report 3"]
    assert titles("status=draft") == ["Report 4"]
    assert titles("date_from=2026-02-01&date_to=2026-03-31") == ["Report 1", "Report 2"]
    assert titles("topic=terrorism&status=released") == ["Report 0", "Report 2"]
    # A topic's reports are walked newest first too, and the cursor carries on from there.
    page = client.get("/api/v1/reports?topic=terrorism&limit=2", headers=analyst.headers).json()
    assert [r["id"] for r in page["items"]] == [ids[4], ids[2]]
    rest = client.get(
        f"/api/v1/reports?topic=terrorism&limit=2&cursor={page['next']}", headers=analyst.headers
    ).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    assert rest["next"] is None
    assert client.get("/api/v1/reports?limit=0", headers=analyst.headers).status_code == 422
    assert client.get("/api/v1/reports?cursor=%%%", headers=analyst.headers).status_code == 422


def test_openapi_document_is_served(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/reports" in spec["paths"]
    assert "/api/v1/entities/{entity_id}" in spec["paths"]


def test_unknown_route_answers_with_the_error_envelope(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
