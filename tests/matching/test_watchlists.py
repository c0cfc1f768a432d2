"""Watchlists: what analysts watch raises an alert the moment it turns up, within need-to-know."""

from __future__ import annotations

import json

import pytest

from tabadul.model.accounts import Role
from tests.conftest import make_person
from tests.matching.test_correlation import person, report, run_jobs


@pytest.fixture
def team(node):
    owner = make_person(node, Role.ANALYST, "owner", clearance="SECRET", compartments=("orca",))
    colleague = make_person(node, Role.ANALYST, "colleague", clearance="RESTRICTED")
    return owner, colleague


def create(client, who, **body):
    response = client.post("/api/v1/watchlists", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def watch(client, who, watchlist, kind, value, expect=201):
    response = client.post(
        f"/api/v1/watchlists/{watchlist['id']}/entries",
        json={"kind": kind, "value": value},
        headers=who.headers,
    )
    assert response.status_code == expect, response.text
    return response.json()


def record(client, node, who, body):
    response = client.post("/api/v1/reports", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    run_jobs(node)
    return response.json()


@pytest.mark.usefixtures("backend")
def test_watched_names_and_selectors_alert_members_across_scripts(client, node, team):
    owner, colleague = team
    watchlist = create(client, owner, name="Northern cell", members=["colleague"])
    entry = watch(client, owner, watchlist, "phone", "0612 34 56 78")
    assert entry["value"] == "+212612345678"
    watch(client, owner, watchlist, "name", "طارق السعيدي")

    record(
        client, node, owner, report("Phone", person("p", "Unrelated Name", phone="+212612345678"))
    )
    record(client, node, owner, report("Name", person("p", "Tareq al-Saeedi")))
    record(client, node, owner, report("Other", person("p", "Karim Bennani")))

    alerts = client.get("/api/v1/alerts", headers=colleague.headers).json()
    assert [a["entity"]["caption"] for a in alerts] == ["Unrelated Name", "Tareq al-Saeedi"]
    assert alerts[0]["reasons"][0]["detail"] == "carries the watched phone:+212612345678"
    assert all(a["watchlist"] == "Northern cell" for a in alerts)
    # Someone outside the watchlist sees none of it.
    outsider = make_person(node, Role.ANALYST, "outsider", clearance="SECRET")
    assert client.get("/api/v1/alerts", headers=outsider.headers).json() == []
    assert (
        client.get(f"/api/v1/watchlists/{watchlist['id']}", headers=outsider.headers).status_code
        == 404
    )


@pytest.mark.usefixtures("backend")
def test_a_watched_entity_alerts_on_a_new_record_and_on_a_new_report_naming_it(client, node, team):
    owner, _ = team
    first = record(
        client, node, owner, report("File", person("p", "خالد العلوي", birthDate="1979-05-02"))
    )
    entity_id = first["mentions"][0]["entity"]
    watchlist = create(client, owner, name="Khaled")
    watch(client, owner, watchlist, "entity", entity_id)

    record(
        client, node, owner, report("Match", person("p", "Khalid Alaoui", birthDate="1979-05-02"))
    )
    body = report("Mentions it again")
    body["mentions"] = [{"entity": entity_id}]
    record(client, node, owner, body)

    alerts = client.get("/api/v1/alerts", headers=owner.headers).json()
    assert [a["entity"]["caption"] for a in alerts] == ["Khalid Alaoui", "خالد العلوي"]


@pytest.mark.usefixtures("backend")
def test_a_member_who_may_not_read_the_match_learns_only_that_it_exists(client, node, team):
    owner, colleague = team
    watchlist = create(client, owner, name="Shared", members=["colleague"])
    watch(client, owner, watchlist, "email", "T.S@Example.org")
    record(
        client,
        node,
        owner,
        report(
            "Secret",
            person("p", "Hidden Person", email="t.s@example.org"),
            classification="SECRET",
            compartments=["orca"],
        ),
    )
    [alert] = client.get("/api/v1/alerts", headers=colleague.headers).json()
    assert alert["entity"] == {
        "id": None,
        "readable": False,
        "schema": None,
        "caption": None,
        "properties": None,
        "classification": "SECRET",
        "ask": "owner",
    }
    assert alert["reasons"] == []
    assert alert["report_id"] is None
    [full] = client.get("/api/v1/alerts", headers=owner.headers).json()
    assert full["entity"]["caption"] == "Hidden Person"


@pytest.mark.usefixtures("backend")
def test_watchlist_refusals(client, node, team):
    owner, colleague = team
    watchlist = create(client, owner, name="Mine", members=["colleague"])
    for kind, value in (("shoe", "42"), ("iban", "DE00 1234"), ("phone", "12")):
        watch(client, owner, watchlist, kind, value, expect=422)
    # An entity one may not read cannot be watched (it does not exist for them).
    secret = record(
        client,
        node,
        owner,
        report("S", person("p", "Someone Secret"), classification="SECRET", compartments=["orca"]),
    )
    colleague_list = create(client, colleague, name="Theirs")
    watch(client, colleague, colleague_list, "entity", secret["mentions"][0]["entity"], expect=404)
    # Members may watch more, but only the owner renames, shares or deletes.
    watch(client, colleague, watchlist, "name", "Omar Haddad")
    renamed = client.put(
        f"/api/v1/watchlists/{watchlist['id']}", json={"name": "x"}, headers=colleague.headers
    )
    assert renamed.status_code == 403
    assert (
        client.delete(
            f"/api/v1/watchlists/{watchlist['id']}", headers=colleague.headers
        ).status_code
        == 403
    )
    bad_member = client.post(
        "/api/v1/watchlists", json={"name": "x", "members": ["nobody"]}, headers=owner.headers
    )
    assert bad_member.status_code == 422
    admin = make_person(node, Role.ADMINISTRATOR)
    assert client.get("/api/v1/watchlists", headers=admin.headers).status_code == 403
    assert (
        client.delete(f"/api/v1/watchlists/{watchlist['id']}", headers=owner.headers).status_code
        == 204
    )
    assert client.get("/api/v1/watchlists", headers=colleague.headers).json() == [
        w
        for w in client.get("/api/v1/watchlists", headers=colleague.headers).json()
        if w["name"] == "Theirs"
    ]


def test_alerts_stream_as_server_sent_events_and_resume(client, node, team):
    owner, _ = team
    watchlist = create(client, owner, name="Live")
    watch(client, owner, watchlist, "name", "Youssef Benjelloun")
    record(client, node, owner, report("One", person("p", "يوسف بنجلون")))
    record(client, node, owner, report("Two", person("p", "Yusuf Benjelloun")))
    with client.stream(
        "GET", "/api/v1/alerts/stream?after=0&timeout=0.5", headers=owner.headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("id:")]
    assert len(events) == 2
    first_id = events[0].split("\n")[0].removeprefix("id: ")
    data = json.loads(events[1].split("data: ", 1)[1])
    assert data["entity"]["caption"] == "Yusuf Benjelloun"
    # Reconnecting with Last-Event-ID sends only what came after.
    with client.stream(
        "GET",
        "/api/v1/alerts/stream?timeout=0.5",
        headers={**owner.headers, "Last-Event-ID": first_id},
    ) as response:
        again = "".join(response.iter_text())
    assert again.count("event: alert") == 1
    assert "Yusuf Benjelloun" in again
