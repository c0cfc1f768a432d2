"""Partner hit/no-hit queries and alerts on partners' messages, between real node processes."""

from __future__ import annotations

import pytest

from tests.exchange.cluster import agree, link, make_node, report, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """Rabat asks; Madrid answers by itself (its agreement allows it); Berlin may not."""
    base = tmp_path_factory.mktemp("queries")
    rabat = make_node(base, "rabat", "MA", None)
    madrid = make_node(base, "madrid", "ES", None)
    berlin = make_node(base, "berlin", "DE", None)
    try:
        for n in (rabat, madrid, berlin):
            n.start()
        madrid_on_rabat, rabat_on_madrid = link(rabat, madrid)
        berlin_on_rabat, _ = link(rabat, berlin)
        agree(rabat, madrid, madrid_on_rabat, topics="terrorism", auto_answer=True)
        agree(rabat, berlin, berlin_on_rabat, topics="terrorism")
        yield rabat, madrid, berlin, madrid_on_rabat, berlin_on_rabat, rabat_on_madrid
    finally:
        for n in (rabat, madrid, berlin):
            n.close()


def record(node, body, who="analyst"):
    response = node.api("POST", "/api/v1/reports", who=who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def person_report(title, name, **properties):
    props = {"name": [name], **{k: [v] for k, v in properties.items()}}
    return report(
        title=title,
        body=f"{title}.",
        entities=[{"id": "p1", "schema": "Person", "properties": props}],
        mentions=[],
    )


def answered(node, query_id):
    def check():
        query = node.api("GET", f"/api/v1/queries/{query_id}").json()
        return query if all(a["status"] != "queued" for a in query["answers"]) else None

    return wait_for(check, what="every partner's answer")


def test_hit_no_hit_and_not_allowed_answered_by_real_partner_nodes(nodes):
    rabat, madrid, _, madrid_on_rabat, berlin_on_rabat, _ = nodes
    record(madrid, person_report("Madrid file", "Tarik Saidi", birthDate="1985-03-12"))
    # A compartmented record never counts towards an automatic answer.
    secret = person_report("Source file", "Omar Haddad", birthDate="1970-01-01")
    secret.update(compartments=["source"])
    madrid.cli("user", "add-compartment", "--username", "analyst", "--compartment", "source")
    record(madrid, secret)

    asked = rabat.api(
        "POST",
        "/api/v1/queries",
        json={
            "partners": [madrid_on_rabat, berlin_on_rabat],
            "kind": "name",
            "value": "طارق السعيدي",
            "birth_date": "1985-03-12",
        },
    )
    assert asked.status_code == 201, asked.text
    query = answered(rabat, asked.json()["id"])
    by_partner = {a["partner_id"]: a for a in query["answers"]}
    hit = by_partner[madrid_on_rabat]
    assert hit["status"] == "hit"
    assert hit["reference"]
    assert hit["contact"] == "Madrid service"
    assert hit["quality"] in {"strong", "possible"}
    assert "Tarik" not in str(query)  # never content
    assert by_partner[berlin_on_rabat]["status"] == "not_allowed"

    for kind, value in (("phone", "+212 600 000 000"), ("name", "Omar Haddad")):
        other = rabat.api(
            "POST",
            "/api/v1/queries",
            json={"partners": [madrid_on_rabat], "kind": kind, "value": value},
        ).json()
        assert answered(rabat, other["id"])["answers"][0]["status"] == "no_hit"

    # The partner's analysts see the questions, and what their node answered.
    seen = madrid.api("GET", "/api/v1/queries/received", who="analyst").json()
    assert {(q["value"], q["answer"]) for q in seen} >= {
        ("طارق السعيدي", "hit"),
        ("+212600000000", "no_hit"),
        ("Omar Haddad", "no_hit"),
    }

    # Step two: one action sends a request for information quoting the reference.
    rfi = rabat.api(
        "POST",
        f"/api/v1/queries/{query['id']}/rfi",
        json={"partner": madrid_on_rabat, "question": "Please share what you hold."},
    )
    assert rfi.status_code == 202, rfi.text

    def arrived():
        inbox = madrid.api("GET", "/api/v1/inbox?type=rfi.request").json()
        return [m for m in inbox if hit["reference"] in m["body"]["subject"]]

    assert wait_for(arrived, what="the request for information")
    # No RFI follows a partner's "not allowed".
    refused = rabat.api(
        "POST",
        f"/api/v1/queries/{query['id']}/rfi",
        json={"partner": berlin_on_rabat, "question": "?"},
    )
    assert refused.status_code == 409


def test_query_refusals(nodes):
    rabat, _, _, madrid_on_rabat, _, _ = nodes
    analyst = rabat.api(
        "POST",
        "/api/v1/queries",
        who="analyst",
        json={"partners": [madrid_on_rabat], "kind": "name", "value": "X Y"},
    )
    assert analyst.status_code == 403
    for body in (
        {"partners": [madrid_on_rabat], "kind": "shoe", "value": "42"},
        {"partners": [madrid_on_rabat], "kind": "phone", "value": "12"},
        {"partners": [], "kind": "name", "value": "X"},
        {"partners": [madrid_on_rabat], "kind": "name", "value": "X", "birth_date": "soon"},
    ):
        assert rabat.api("POST", "/api/v1/queries", json=body).status_code == 422, body
    assert (
        rabat.api(
            "POST", "/api/v1/queries", json={"partners": ["nobody"], "kind": "name", "value": "X"}
        ).status_code
        == 404
    )


def test_a_partners_message_raises_a_watchlist_alert(nodes):
    rabat, madrid, _, _, _, rabat_on_madrid = nodes
    watchlist = rabat.api("POST", "/api/v1/watchlists", who="analyst", json={"name": "Alaoui"})
    assert watchlist.status_code == 201, watchlist.text
    entry = rabat.api(
        "POST",
        f"/api/v1/watchlists/{watchlist.json()['id']}/entries",
        who="analyst",
        json={"kind": "name", "value": "خالد العلوي"},
    )
    assert entry.status_code == 201, entry.text

    shared = record(madrid, person_report("Courier", "Khalid Alaoui"), who="liaison")
    sent = madrid.api(
        "POST", f"/api/v1/reports/{shared['id']}/shares", json={"partners": [rabat_on_madrid]}
    )
    assert sent.status_code == 202, sent.text

    def alerted():
        alerts = rabat.api("GET", "/api/v1/alerts", who="analyst").json()
        return [a for a in alerts if a["entity"].get("caption") == "Khalid Alaoui"]

    [alert] = wait_for(alerted, what="the alert on the partner's report")
    assert alert["report_id"]
