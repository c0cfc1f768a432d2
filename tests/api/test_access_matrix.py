"""Every role × every API route × labels and compartments, allowed and refused — and no leaks.

One world: three reports with different protections, each naming a person of
its own, and a fourth person named by the RESTRICTED and the SECRET report
(so that person is SECRET). Six users of different roles, clearances and
compartments. The expectations are written out by hand below, not computed
by the code under test.
"""

import json
from dataclasses import dataclass

import pytest

from tabadul.model.accounts import Role
from tests.conftest import make_person, report_body

SHARED = "Shared Person Qasimi"


def world_reports():
    def person(ref, name):
        return {"id": ref, "schema": "Person", "properties": {"name": [name]}}

    return {
        "R1": report_body(
            title="R1 restricted title",
            body="Body R1 names Karim Restricted and " + SHARED,
            classification="RESTRICTED",
            entities=[person("p", "Karim Restricted"), person("s", SHARED)],
            mentions=[{"entity": "p", "start": 14, "end": 30}],
        ),
        "R2": report_body(
            title="R2 secret title",
            body="Body R2 names Samir Secret and " + SHARED,
            classification="SECRET",
            entities=[person("p", "Samir Secret")],
            mentions=[],
        ),
        "R3": report_body(
            title="R3 compartmented title",
            body="Body R3 names Omar Compartment",
            classification="CONFIDENTIAL",
            compartments=["op-a"],
            entities=[person("p", "Omar Compartment")],
            mentions=[],
        ),
    }


# Who may read which report, and which people (entities), by hand.
READS = {
    "ana_r": ({"R1"}, {"Karim Restricted"}),
    "ana_s": ({"R1", "R2"}, {"Karim Restricted", "Samir Secret", SHARED}),
    "liz_sa": (
        {"R1", "R2", "R3"},
        {"Karim Restricted", "Samir Secret", SHARED, "Omar Compartment"},
    ),
    "sup_ca": ({"R1", "R3"}, {"Karim Restricted", "Omar Compartment"}),
    "admin": (None, None),  # role refused: 403 everywhere in intelligence
    "audit": (None, None),
}
USERS = {
    "ana_r": dict(role=Role.ANALYST, clearance="RESTRICTED"),
    "ana_s": dict(role=Role.ANALYST, clearance="SECRET"),
    "liz_sa": dict(role=Role.LIAISON, clearance="SECRET", compartments=("op-a",)),
    "sup_ca": dict(role=Role.SUPERVISOR, clearance="CONFIDENTIAL", compartments=("op-a",)),
    "admin": dict(role=Role.ADMINISTRATOR, clearance="SECRET", compartments=("op-a",)),
    "audit": dict(role=Role.AUDITOR, clearance="SECRET", compartments=("op-a",)),
}
SECRETS_OF = {
    "R1": ["R1 restricted title", "Body R1"],
    "R2": ["R2 secret title", "Body R2", "Samir Secret"],
    "R3": ["R3 compartmented title", "Body R3", "Omar Compartment"],
}


def _login(name):
    return "u-" + name.replace("_", "-")


@dataclass
class World:
    client: object
    people: dict
    reports: dict  # key -> id
    entities: dict  # person name -> id


@pytest.fixture
def world(client, node):
    people = {
        name: make_person(node, username=_login(name), **spec) for name, spec in USERS.items()
    }
    writer = people["liz_sa"]
    ids = {}
    for key, body in world_reports().items():
        response = client.post("/api/v1/reports", json=body, headers=writer.headers)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    # R2 also names the shared person, by id: the entity becomes SECRET.
    shared_id = next(
        e["id"]
        for e in client.get(f"/api/v1/reports/{ids['R1']}", headers=writer.headers).json()[
            "entities"
        ]
        if e["properties"]["name"] == [SHARED]
    )
    r2 = world_reports()["R2"] | {
        "entities": world_reports()["R2"]["entities"],
        "note": "adds shared",
    }
    r2["mentions"] = [{"entity": shared_id, "start": 31, "end": 31 + len(SHARED)}]
    assert (
        client.post(
            f"/api/v1/reports/{ids['R2']}/versions", json=r2, headers=writer.headers
        ).status_code
        == 201
    )
    entities = {}
    for key in ids:
        for e in client.get(f"/api/v1/reports/{ids[key]}", headers=writer.headers).json()[
            "entities"
        ]:
            entities[e["properties"]["name"][0]] = e["id"]
    return World(client, people, ids, entities)


def leaks(text, readable_reports, readable_people):
    """The secrets in ``text`` that its reader may not know."""
    found = []
    for key, secrets in SECRETS_OF.items():
        if key not in readable_reports:
            found += [s for s in secrets if s in text]
    for name in ("Karim Restricted", "Samir Secret", "Omar Compartment", SHARED):
        if (
            name not in readable_people
            and name in text
            and not _named_in_readable_body(name, readable_reports)
        ):
            found.append(name)
    return found


def _named_in_readable_body(name, readable_reports):
    # A name inside the text of a report one may read is not a leak: one reads the text.
    return any(name in world_reports()[k]["body"] for k in readable_reports)


def test_every_role_and_route_against_every_label(world):
    c, problems = world.client, []

    def check(who, method, path, expected, body=None):
        headers = world.people[who].headers
        response = getattr(c, method)(
            path, headers=headers, **({"json": body} if body is not None else {})
        )
        if response.status_code != expected:
            problems.append(
                f"{who} {method.upper()} {path}: {response.status_code}, expected {expected}"
            )
        reports, people = READS[who]
        found = leaks(response.text, reports or set(), people or set())
        if found:
            problems.append(f"{who} {method.upper()} {path} leaks {found}")
        return response

    for who, (reports, people) in READS.items():
        role_refused = reports is None
        # Lists and counts: exactly what one may read, nothing else.
        listed = check(who, "get", "/api/v1/reports?limit=200", 403 if role_refused else 200)
        if not role_refused:
            got = {i["id"] for i in listed.json()["items"]}
            want = {world.reports[k] for k in reports}
            if got != want:
                problems.append(f"{who} lists reports {sorted(got)}, expected {sorted(want)}")
        ents = check(who, "get", "/api/v1/entities?limit=200", 403 if role_refused else 200)
        if not role_refused:
            got = {e["properties"]["name"][0] for e in ents.json()["items"]}
            if got != people:
                problems.append(f"{who} lists people {sorted(got)}, expected {sorted(people)}")
        for key, report_id in world.reports.items():
            readable = not role_refused and key in reports
            status = 403 if role_refused else (200 if readable else 404)
            check(who, "get", f"/api/v1/reports/{report_id}", status)
            check(who, "get", f"/api/v1/reports/{report_id}?version=1", status)
            check(who, "get", f"/api/v1/reports/{report_id}/versions", status)
        for name, entity_id in world.entities.items():
            status = 403 if role_refused else (200 if name in people else 404)
            response = check(who, "get", f"/api/v1/entities/{entity_id}", status)
            if status == 200:
                got = {
                    world_key
                    for world_key, rid in world.reports.items()
                    if rid in response.json()["reports"]
                }
                expected = {
                    k
                    for k in reports
                    if name in json.dumps(world_reports()[k], ensure_ascii=False)
                    or (name == SHARED and k == "R2")
                }
                if got != expected:
                    problems.append(
                        f"{who} sees {name} in {sorted(got)}, expected {sorted(expected)}"
                    )
        # A report one may read shows only the entities one may read.
        if not role_refused and "R1" in reports:
            r1 = c.get(
                f"/api/v1/reports/{world.reports['R1']}", headers=world.people[who].headers
            ).json()
            shown = {e["properties"]["name"][0] for e in r1["entities"]}
            if shown != {"Karim Restricted", SHARED} & people:
                problems.append(f"{who} sees in R1 {sorted(shown)}")
            if any(m["entity"] not in {e["id"] for e in r1["entities"]} for m in r1["mentions"]):
                problems.append(f"{who} sees a mention of an entity it may not read")

    # Writing, once every read has been checked against the unchanged world.
    for who, (reports, _people) in READS.items():
        role_refused = reports is None
        for key, report_id in world.reports.items():
            readable = not role_refused and key in reports
            status = 403 if role_refused else (201 if readable else 404)
            new_version = world_reports()[key] | {"entities": [], "mentions": [], "note": "x"}
            check(who, "post", f"/api/v1/reports/{report_id}/versions", status, new_version)
        # Recording: only up to one's own clearance and compartments.
        if not role_refused:
            check(who, "post", "/api/v1/reports", 201, report_body(classification="RESTRICTED"))
            above = "SECRET" if USERS[who]["clearance"] != "SECRET" else None
            if above:
                check(who, "post", "/api/v1/reports", 422, report_body(classification=above))
            if "op-a" not in USERS[who].get("compartments", ()):
                check(who, "post", "/api/v1/reports", 422, report_body(compartments=["op-a"]))
        else:
            check(who, "post", "/api/v1/reports", 403, report_body())
        # Administration: administrators only.
        admin = who == "admin"
        check(who, "get", "/api/v1/users", 200 if admin else 403)
        check(
            who,
            "post",
            "/api/v1/users",
            201 if admin else 403,
            {"username": f"new-{who.replace('_', '-')}", "role": "analyst"},
        )
        check(
            who, "patch", "/api/v1/users/u-ana-r", 200 if admin else 403, {"display_name": "A. R."}
        )
        # One's own account: everyone.
        me = check(who, "get", "/api/v1/me", 200)
        if me.json()["username"] != _login(who):
            problems.append(f"{who} is told they are {me.json()['username']}")
        check(who, "get", "/api/v1/tokens", 200)
        check(who, "post", "/api/v1/tokens", 201, {"scopes": ["read"]})

    # Withdrawal last (it changes the world): refused where not readable.
    for who in ("ana_r", "sup_ca"):
        check(who, "post", f"/api/v1/reports/{world.reports['R2']}/withdraw", 404, {"reason": "x"})
    check("admin", "post", f"/api/v1/reports/{world.reports['R1']}/withdraw", 403, {"reason": "x"})
    check("ana_r", "post", f"/api/v1/reports/{world.reports['R1']}/withdraw", 200, {"reason": "x"})
    assert not problems, "\n".join(problems)


def test_refusal_messages_are_the_same_for_hidden_and_missing_reports(world):
    c = world.client
    headers = world.people["ana_r"].headers
    hidden = c.get(f"/api/v1/reports/{world.reports['R2']}", headers=headers).json()
    missing = c.get("/api/v1/reports/01a00000-0000-7000-8000-000000000000", headers=headers).json()
    assert hidden["error"]["code"] == missing["error"]["code"] == "not_found"
    assert hidden["error"]["message"].replace(world.reports["R2"], "X") == missing["error"][
        "message"
    ].replace("01a00000-0000-7000-8000-000000000000", "X")


def test_an_older_stricter_version_stays_hidden_after_a_downgrade(client, node):
    writer = make_person(node, Role.ANALYST, clearance="SECRET")
    reader = make_person(node, Role.ANALYST, clearance="RESTRICTED")
    body = report_body(
        classification="SECRET", title="Secret first version", entities=[], mentions=[]
    )
    report = client.post("/api/v1/reports", json=body, headers=writer.headers).json()
    downgraded = body | {"classification": "RESTRICTED", "title": "Sanitised version"}
    client.post(f"/api/v1/reports/{report['id']}/versions", json=downgraded, headers=writer.headers)
    assert (
        client.get(f"/api/v1/reports/{report['id']}", headers=reader.headers).json()["title"]
        == "Sanitised version"
    )
    old = client.get(f"/api/v1/reports/{report['id']}?version=1", headers=reader.headers)
    assert old.status_code == 404
    assert "Secret first version" not in old.text


def test_read_only_token_cannot_write_and_write_only_token_cannot_read(client, node):
    reader = make_person(node, scopes=("read",))
    writer = make_person(node, scopes=("write",))
    assert client.get("/api/v1/reports", headers=reader.headers).status_code == 200
    assert (
        client.post("/api/v1/reports", json=report_body(), headers=reader.headers).status_code
        == 403
    )
    assert (
        client.post("/api/v1/tokens", json={"scopes": ["read"]}, headers=reader.headers).status_code
        == 403
    )
    assert client.get("/api/v1/reports", headers=writer.headers).status_code == 403
    assert (
        client.post("/api/v1/reports", json=report_body(), headers=writer.headers).status_code
        == 201
    )
    # A token cannot mint a token with more than it has.
    escalate = client.post(
        "/api/v1/tokens", json={"scopes": ["write", "exchange"]}, headers=writer.headers
    )
    assert escalate.status_code == 403


def test_expired_token_is_refused(client, node):
    from sqlalchemy import update

    from tabadul.storage.tables import ApiTokenRow
    from tabadul.storage.types import utcnow

    person = make_person(node)
    assert client.get("/api/v1/me", headers=person.headers).status_code == 200
    with node.db.transaction() as session:
        session.execute(update(ApiTokenRow).values(expires_at=utcnow()))
    assert client.get("/api/v1/me", headers=person.headers).status_code == 401


def test_token_records_when_it_was_last_used(client, node):
    person = make_person(node)
    client.get("/api/v1/me", headers=person.headers)
    (token,) = client.get("/api/v1/tokens", headers=person.headers).json()
    assert token["last_used_at"] is not None
    assert "tbd_" in token["prefix"]
    assert person.token not in json.dumps(token)


def test_administrator_cannot_lock_themselves_out(client, node):
    admin = make_person(node, Role.ADMINISTRATOR, username="boss")
    response = client.patch("/api/v1/users/boss", json={"disabled": True}, headers=admin.headers)
    assert response.status_code == 403
