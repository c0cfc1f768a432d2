from tests.conftest import report_body


def test_entity_is_served_as_ftm_json_with_its_reports(client, analyst):
    report = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers).json()
    person_id = report["entities"][0]["id"]
    entity = client.get(f"/api/v1/entities/{person_id}", headers=analyst.headers).json()
    assert entity["schema"] == "Person"
    assert entity["properties"]["birthDate"] == ["1990-03-01"]
    assert entity["caption"] in {"Tarik Saidi", "طارق السعيدي"}
    assert entity["reports"] == [report["id"]]


def test_entities_are_listed_by_page_and_schema(client, analyst):
    body = report_body(
        entities=[
            {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}}
            for i in range(3)
        ]
        + [{"id": "o1", "schema": "Organization", "properties": {"name": ["Cellule"]}}],
        mentions=[],
    )
    client.post("/api/v1/reports", json=body, headers=analyst.headers)
    page = client.get("/api/v1/entities?limit=2", headers=analyst.headers).json()
    assert len(page["items"]) == 2
    rest = client.get(
        f"/api/v1/entities?limit=10&cursor={page['next']}", headers=analyst.headers
    ).json()
    assert len(rest["items"]) == 2
    assert rest["next"] is None
    people = client.get("/api/v1/entities?schema=Person", headers=analyst.headers).json()["items"]
    assert {e["schema"] for e in people} == {"Person"}
    assert len(people) == 3
    assert client.get("/api/v1/entities?schema=Droid", headers=analyst.headers).status_code == 422


def test_unknown_entity_is_404(client, analyst):
    assert client.get("/api/v1/entities/nobody", headers=analyst.headers).status_code == 404
