"""The policy on send, across three real nodes: every refusal has a reason and is audited.

Also four eyes, the third-party rule with consent, withdrawal reaching the
third party, and a request for information answered.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tabadul.storage.tables import AuditEventRow
from tests.exchange.cluster import report, wait_for

pytestmark = pytest.mark.slow


def record(node, **overrides):
    created = node.api("POST", "/api/v1/reports", json=report(**overrides))
    assert created.status_code == 201, created.text
    return created.json()["id"]


def share(node, report_id, *partners, who="liaison"):
    response = node.api(
        "POST", f"/api/v1/reports/{report_id}/shares", json={"partners": list(partners)}, who=who
    )
    assert response.status_code == 202, response.text
    return response.json()["shares"]


def answered(node, share_id):
    def check():
        s = node.api("GET", f"/api/v1/shares/{share_id}").json()
        return s if s["status"] in ("delivered", "refused") else None

    return wait_for(check, what="the partner's answer")


def refused_disclosures(node, report_id):
    opened = node.open()
    try:
        with opened.db.reading() as session:
            rows = session.scalars(
                select(AuditEventRow).where(
                    AuditEventRow.name == "exchange.disclosed", AuditEventRow.outcome == "refused"
                )
            )
            return [r.reason for r in rows if f"report:{report_id}" in r.records]
    finally:
        opened.close()


@pytest.mark.parametrize(
    ("overrides", "partner", "reason"),
    [
        ({}, "lisbon@rabat", "not confirmed"),
        ({}, "berlin@rabat", "no agreement"),
        ({"handling": {"tlp": "RED"}}, "madrid@rabat", "TLP:RED is above the agreement's maximum"),
        ({"topics": ["fraud"]}, "madrid@rabat", "topic fraud is outside the agreement"),
        ({"topics": ["terrorism", "fraud"]}, "madrid@rabat", "topic fraud is outside"),
        ({"status": "draft"}, "madrid@rabat", "a draft report is not shared"),
    ],
)
def test_share_refused_with_a_reason_and_audited(trio, overrides, partner, reason):
    nodes, ids = trio
    rabat = nodes["rabat"]
    report_id = record(rabat, **overrides)
    [s] = share(rabat, report_id, ids[partner])
    assert s["status"] == "refused"
    assert reason in s["reason"]
    assert any(reason in r for r in refused_disclosures(rabat, report_id))
    assert rabat.api("GET", f"/api/v1/shares/{s['id']}").json()["status"] == "refused"


def test_share_refused_above_agreement_tlp(trio):
    nodes, ids = trio
    madrid = nodes["madrid"]
    report_id = record(madrid, handling={"tlp": "AMBER+STRICT"})
    [s] = share(madrid, report_id, ids["berlin@madrid"])
    assert s["status"] == "refused"
    assert "above the agreement's maximum TLP:AMBER" in s["reason"]


def test_analyst_may_not_share(trio):
    nodes, ids = trio
    rabat = nodes["rabat"]
    report_id = record(rabat)
    response = rabat.api(
        "POST",
        f"/api/v1/reports/{report_id}/shares",
        json={"partners": [ids["madrid@rabat"]]},
        who="analyst",
    )
    assert response.status_code == 403


def test_four_eyes_release_waits_for_a_supervisor(trio):
    nodes, ids = trio
    rabat, madrid = nodes["rabat"], nodes["madrid"]
    report_id = record(rabat, handling={"tlp": "AMBER+STRICT"})
    [s] = share(rabat, report_id, ids["madrid@rabat"])
    assert s["status"] == "pending-approval"
    assert madrid.api("GET", f"/api/v1/reports/{report_id}", who="analyst").status_code == 404
    by_liaison = rabat.api("POST", f"/api/v1/shares/{s['id']}/approve")
    assert by_liaison.status_code == 403
    approved = rabat.api("POST", f"/api/v1/shares/{s['id']}/approve", who="supervisor")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "queued"
    assert answered(rabat, s["id"])["status"] == "delivered"
    held = madrid.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()
    assert held["handling"]["tlp"] == "AMBER+STRICT"


def test_third_party_rule_refuses_without_consent_and_allows_with_it(trio):
    nodes, ids = trio
    rabat, madrid, berlin = nodes["rabat"], nodes["madrid"], nodes["berlin"]
    report_id = record(rabat)
    [s] = share(rabat, report_id, ids["madrid@rabat"])
    assert answered(rabat, s["id"])["status"] == "delivered"

    # Madrid holds Rabat's report and may not pass it on to Berlin on its own.
    [onward] = share(madrid, report_id, ids["berlin@madrid"])
    assert onward["status"] == "refused"
    assert "needs the originator's consent" in onward["reason"]
    assert berlin.api("GET", f"/api/v1/reports/{report_id}", who="analyst").status_code == 404

    # Madrid asks; Rabat's liaison officer sees the request and consents.
    asked = madrid.api(
        "POST",
        f"/api/v1/reports/{report_id}/consent-requests",
        json={"third_party": ids["berlin@madrid"], "note": "Berlin holds the courier's file"},
    )
    assert asked.status_code == 202, asked.text
    requests = wait_for(
        lambda: [
            m
            for m in rabat.api("GET", "/api/v1/inbox?type=consent.request").json()
            if m["body"]["report"] == report_id
        ],
        what="the consent request",
    )
    berlin_node = requests[0]["body"]["third_party"]
    granted = rabat.api(
        "POST",
        f"/api/v1/reports/{report_id}/consents",
        json={"partner": ids["madrid@rabat"], "third_party": berlin_node},
    )
    assert granted.status_code == 202, granted.text
    wait_for(
        lambda: madrid.api("GET", "/api/v1/inbox?type=consent.grant").json(),
        what="the consent to arrive",
    )
    [onward] = share(madrid, report_id, ids["berlin@madrid"])
    assert onward["status"] == "queued", onward
    assert answered(madrid, onward["id"])["status"] == "delivered"
    held = berlin.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()
    assert held["originator"] == requests[0]["from"] or held["originator"] != berlin_node

    # Rabat withdraws: the withdrawal reaches Madrid, and through Madrid, Berlin.
    withdrawn = rabat.api(
        "POST", f"/api/v1/reports/{report_id}/withdraw", json={"reason": "source retracted"}
    )
    assert withdrawn.status_code == 200
    for node in (madrid, berlin):
        wait_for(
            lambda node=node: (
                node.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()["status"]
                == "withdrawn"
            ),
            what=f"the withdrawal to reach {node.name}",
        )


def test_request_for_information_round_trip(trio):
    nodes, ids = trio
    rabat, madrid = nodes["rabat"], nodes["madrid"]
    sent = madrid.api(
        "POST",
        "/api/v1/rfis",
        json={
            "partner": ids["rabat@madrid"],
            "subject": "Courier's travel",
            "question": "Do you hold crossings by Yassine Bennani since March?",
            "topic": "terrorism",
            "urgency": "urgent",
        },
    )
    assert sent.status_code == 202, sent.text
    rfi_id = sent.json()["id"]
    received = wait_for(
        lambda: [
            m
            for m in rabat.api("GET", "/api/v1/inbox?type=rfi.request").json()
            if m["id"] == rfi_id
        ],
        what="the RFI",
    )[0]
    assert received["body"]["urgency"] == "urgent"
    replied = rabat.api(
        "POST", f"/api/v1/rfis/{rfi_id}/reply", json={"answer": "Two crossings, 3 and 9 April."}
    )
    assert replied.status_code == 202, replied.text
    rfi = wait_for(
        lambda: (r := madrid.api("GET", f"/api/v1/rfis/{rfi_id}").json())["replies"] and r,
        what="the reply",
    )
    assert rfi["replies"][0]["answer"] == "Two crossings, 3 and 9 April."
    assert rfi["status"] == "delivered"


def test_rfi_outside_the_agreement_is_refused(trio):
    nodes, ids = trio
    response = nodes["madrid"].api(
        "POST",
        "/api/v1/rfis",
        json={"partner": ids["rabat@madrid"], "subject": "x", "question": "y", "topic": "fraud"},
    )
    assert response.status_code == 409
    assert "outside the agreement" in response.json()["error"]["message"]
