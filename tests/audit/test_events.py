"""Every audited action leaves exactly one well-formed event; refusals leave theirs too."""

import csv
import io
import json
import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tabadul.access.passwords import hash_password
from tabadul.app import create_app
from tabadul.model.accounts import Role
from tabadul.services import auditing
from tabadul.storage.tables import AuditEventRow, UserRow
from tests.conftest import make_person, report_body


def events_after(node, mark):
    with node.db.reading() as session:
        return list(
            session.scalars(
                select(AuditEventRow).where(AuditEventRow.seq > mark).order_by(AuditEventRow.seq)
            )
        )


def mark(node):
    with node.db.reading() as session:
        return (
            session.scalar(select(AuditEventRow.seq).order_by(AuditEventRow.seq.desc()).limit(1))
            or 0
        )


def one_event(node, since, name, **expected):
    """Exactly one new event, named ``name``, with the expected fields."""
    new = events_after(node, since)
    assert [e.name for e in new] == [name], [e.name for e in new]
    event = new[0]
    assert event.at is not None
    assert len(event.leaf_hash) == len(event.chain_hash) == 64
    for key, value in expected.items():
        got = (
            event.details.get(key)
            if key not in {"purpose", "actor_name", "outcome", "category"}
            else getattr(event, key)
        )
        assert got == value, (key, got, value)
    return event


@pytest.fixture
def analyst(node):
    return make_person(node, Role.ANALYST, "ana", clearance="SECRET")


def test_report_lifecycle_events(client, node, analyst):
    h = analyst.headers
    m = mark(node)
    created = client.post("/api/v1/reports", json=report_body(), headers=h).json()
    event = one_event(
        node, m, "report.recorded", category="collection", actor_name="ana", version=1
    )
    assert f"report:{created['id']}" in event.records
    assert f"entity:{created['entities'][0]['id']}" in event.records
    assert "طارق" not in json.dumps(event.details, ensure_ascii=False)  # metadata only, no content

    m = mark(node)
    body = report_body(title="Corrected", entities=[], mentions=[], note="place fixed")
    client.post(f"/api/v1/reports/{created['id']}/versions", json=body, headers=h)
    one_event(node, m, "report.versioned", category="alteration", version=2, note="place fixed")

    m = mark(node)
    client.get(f"/api/v1/reports/{created['id']}", headers=h)
    one_event(node, m, "report.viewed", category="consultation", purpose="case TEST-1", version=2)

    m = mark(node)
    client.get(f"/api/v1/reports/{created['id']}/versions", headers=h)
    one_event(node, m, "report.viewed", history=True)

    m = mark(node)
    client.get("/api/v1/reports?topic=terrorism", headers=h)
    event = one_event(
        node, m, "report.listed", shown=[created["id"]], filters={"topic": "terrorism"}
    )
    assert event.records == [f"report:{created['id']}"]

    m = mark(node)
    entity_id = created["entities"][0]["id"]
    client.get(f"/api/v1/entities/{entity_id}", headers=h)
    one_event(node, m, "entity.viewed", entity_id=entity_id)

    m = mark(node)
    client.get("/api/v1/entities", headers=h)
    one_event(node, m, "entity.listed", shown=[entity_id])

    m = mark(node)
    client.post(
        f"/api/v1/reports/{created['id']}/withdraw", json={"reason": "source retracted"}, headers=h
    )
    one_event(node, m, "report.withdrawn", category="erasure", version=3, note="source retracted")


def test_reading_without_a_purpose_is_refused_with_a_clear_error(client, node, analyst):
    created = client.post("/api/v1/reports", json=report_body(), headers=analyst.headers).json()
    bare = {"Authorization": f"Bearer {analyst.token}"}
    m = mark(node)
    for path in (f"/api/v1/reports/{created['id']}", "/api/v1/reports", "/api/v1/entities"):
        response = client.get(path, headers=bare)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "purpose_required"
        assert "X-Tabadul-Purpose" in response.json()["error"]["message"]
    assert events_after(node, m) == []  # nothing was read, so nothing was consulted
    assert client.get("/api/v1/reports?purpose=case%20B", headers=bare).status_code == 200


def test_refusals_are_logged(client, node, analyst):
    writer = make_person(node, Role.ANALYST, "writer", clearance="SECRET")
    secret = client.post(
        "/api/v1/reports", json=report_body(classification="SECRET"), headers=writer.headers
    ).json()
    low = make_person(node, Role.ANALYST, "low")
    m = mark(node)
    assert client.get(f"/api/v1/reports/{secret['id']}", headers=low.headers).status_code == 404
    event = one_event(node, m, "access.refused", outcome="refused", actor_name="low", action="read")
    assert event.records == [f"report:{secret['id']}"]
    admin = make_person(node, Role.ADMINISTRATOR, "boss")
    m = mark(node)
    assert client.get("/api/v1/reports", headers=admin.headers).status_code == 403
    one_event(node, m, "access.refused", outcome="refused", actor_name="boss")
    m = mark(node)
    assert (
        client.post(
            "/api/v1/reports", json=report_body(classification="SECRET"), headers=low.headers
        ).status_code
        == 422
    )
    one_event(node, m, "access.refused", action="label")


def test_account_administration_events(client, node):
    admin = make_person(node, Role.ADMINISTRATOR, "boss")
    h = admin.headers
    m = mark(node)
    client.post(
        "/api/v1/users",
        json={"username": "newbie", "role": "analyst", "compartments": ["op-a"]},
        headers=h,
    )
    one_event(
        node, m, "user.created", category="administration", username="newbie", compartments=["op-a"]
    )
    m = mark(node)
    client.patch("/api/v1/users/newbie", json={"clearance": "SECRET", "disabled": True}, headers=h)
    event = one_event(node, m, "user.changed", username="newbie")
    assert event.details["changes"] == {
        "clearance": {"from": "RESTRICTED", "to": "SECRET"},
        "disabled": {"from": False, "to": True},
    }
    m = mark(node)
    token = client.post("/api/v1/tokens", json={"scopes": ["read"]}, headers=h).json()
    event = one_event(node, m, "token.created", token_id=token["id"], scopes=["read"])
    assert token["token"] not in json.dumps(event.details)
    m = mark(node)
    client.delete(f"/api/v1/tokens/{token['id']}", headers=h)
    one_event(node, m, "token.revoked", token_id=token["id"])


def test_cli_account_events_name_the_operator(settings, node, cli):
    m = mark(node)
    cli(settings, "user", "add", "--username", "ana2", "--role", "analyst")
    event = one_event(node, m, "user.created", username="ana2")
    assert event.actor_kind == "operator"
    for command, name in (
        ("reset-password", "user.password_reset"),
        ("reset-totp", "user.totp_reset"),
    ):
        m = mark(node)
        cli(settings, "user", command, "--username", "ana2")
        one_event(node, m, name, username="ana2")


def test_sign_in_events(settings, node):
    from tabadul.services import accounts

    accounts.add_user(node, None, "web", "analyst")
    with node.db.transaction() as session:
        session.scalars(
            select(UserRow).where(UserRow.username == "web")
        ).one().password_hash = hash_password("quiet harbour lantern nine")
    with TestClient(
        create_app(settings), base_url="https://testserver", follow_redirects=False
    ) as c:

        def csrf(html):
            return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

        m = mark(node)
        page = c.get("/signin").text
        c.post(
            "/signin",
            data={"username": "web", "password": "wrong one entirely", "csrf_token": csrf(page)},
        )
        event = one_event(
            node, m, "signin.failed", outcome="refused", username="web", step="password"
        )
        assert "wrong one entirely" not in json.dumps(event.details) + (event.reason or "")
        m = mark(node)
        page = c.get("/signin").text
        c.post(
            "/signin",
            data={
                "username": "web",
                "password": "quiet harbour lantern nine",
                "csrf_token": csrf(page),
            },
        )
        enrol = c.get("/signin/enrol").text
        secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', enrol).group(1)
        c.post("/signin/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(enrol)})
        assert [e.name for e in events_after(node, m)] == ["user.totp_enrolled", "signin.succeeded"]
        m = mark(node)
        c.post("/signout", data={"csrf_token": csrf(c.get("/").text)})
        one_event(node, m, "signout", category="authentication", actor_name="web")


def test_import_and_export_events(settings, node, cli, tmp_path):
    lines = [
        {"id": "person-x", "schema": "Person", "properties": {"name": ["Karim Benali"]}},
        report_body(entities=[], mentions=[{"entity": "person-x"}]),
        report_body(title="Second"),
    ]
    file = tmp_path / "in.jsonl"
    file.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    m = mark(node)
    cli(settings, "import", file)
    assert [e.name for e in events_after(node, m)] == [
        "entity.imported",
        "report.imported",
        "report.imported",
    ]
    m = mark(node)
    cli(settings, "export", "--purpose", "transfer to archive", "--output", tmp_path / "out.jsonl")
    one_event(node, m, "data.exported", purpose="transfer to archive", reports=2, entities=2)
    assert "purpose" in cli(settings, "export", expect=2).stderr.lower()


def test_only_auditors_read_the_log_and_reading_it_is_logged(client, node, analyst):
    auditor = make_person(node, Role.AUDITOR, "watcher")
    client.post("/api/v1/reports", json=report_body(), headers=analyst.headers)
    for who in (analyst, make_person(node, Role.ADMINISTRATOR, "boss")):
        assert client.get("/api/v1/audit/events", headers=who.headers).status_code == 403
    m = mark(node)
    page = client.get(
        "/api/v1/audit/events?actor=ana&name=report.recorded", headers=auditor.headers
    ).json()
    assert [e["name"] for e in page["items"]] == ["report.recorded"]
    one_event(
        node,
        m,
        "audit.read",
        actor_name="watcher",
        filters={"actor": "ana", "name": "report.recorded"},
    )
    by_record = client.get("/api/v1/audit/events?record=user:ana", headers=auditor.headers).json()
    assert {e["name"] for e in by_record["items"]} == {"user.created", "token.created"}


def test_auditors_export_the_log_as_json_lines_and_csv(client, node, analyst):
    auditor = make_person(node, Role.AUDITOR, "watcher")
    client.get("/api/v1/reports", headers=analyst.headers)
    jsonl = client.get("/api/v1/audit/export?name=report.listed", headers=auditor.headers)
    assert jsonl.status_code == 200
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [r["name"] for r in rows] == ["report.listed"]
    assert rows[0]["purpose"] == "case TEST-1"
    as_csv = client.get(
        "/api/v1/audit/export?format=csv&name=report.listed", headers=auditor.headers
    )
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["name"] for r in table] == ["report.listed"]
    assert table[0]["actor_name"] == "ana"
    assert events_after(node, 0)[-1].name == "audit.exported"


def test_auditors_verify_and_checkpoint_through_the_api(client, node):
    auditor = make_person(node, Role.AUDITOR, "watcher")
    made = client.post("/api/v1/audit/checkpoints", headers=auditor.headers).json()
    assert client.get("/api/v1/audit/checkpoint", headers=auditor.headers).json() == made
    result = client.post(
        "/api/v1/audit/verify", json={"checkpoint": made}, headers=auditor.headers
    ).json()
    assert result["intact"] is True
    assert result["kept_checkpoint"] == "consistent"
    proof = client.post(
        "/api/v1/audit/consistency", json={"checkpoint": made}, headers=auditor.headers
    ).json()
    assert proof["from"]["tree_size"] == made["tree_size"]
    analyst = make_person(node, Role.ANALYST, "nosy")
    assert client.post("/api/v1/audit/verify", headers=analyst.headers).status_code == 403


def test_the_worker_signs_checkpoints_on_a_schedule(node, settings):
    from tabadul.jobs.handlers import handlers
    from tabadul.jobs.worker import Worker
    from tabadul.storage import jobs

    auditing.schedule_checkpoints(node)
    auditing.schedule_checkpoints(node)  # idempotent: one chain of jobs
    worker = Worker(node.db, settings, handlers(node))
    assert worker.run_until_idle() == 1
    first = auditing.latest_checkpoint(node)
    assert first is not None
    with node.db.reading() as session:
        assert jobs.pending(session, auditing.CHECKPOINT_JOB)  # the next one is booked
