"""Federation between real node processes on loopback: link, agree, share, update, withdraw."""

from __future__ import annotations

import pytest

from tests.exchange.cluster import report, wait_for

pytestmark = pytest.mark.slow


def delivered(node, share_id):
    def check():
        share = node.api("GET", f"/api/v1/shares/{share_id}").json()
        return share if share["status"] in ("delivered", "refused") else None

    return wait_for(check, what=f"share {share_id} to be answered")


def test_share_update_withdraw_reach_the_partner_once_with_receipts(pair):
    rabat, madrid, madrid_on_rabat, _, _ = pair
    created = rabat.api("POST", "/api/v1/reports", json=report())
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]

    shared = rabat.api(
        "POST", f"/api/v1/reports/{report_id}/shares", json={"partners": [madrid_on_rabat]}
    )
    assert shared.status_code == 202, shared.text
    [share] = shared.json()["shares"]
    assert share["status"] == "queued"
    done = delivered(rabat, share["id"])
    assert done["status"] == "delivered"
    assert done["receipt"]["status"] == "stored"
    assert done["receipt"]["signed"] is True

    held = madrid.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()
    assert held["title"] == "Courier seen at the port of Tangier"
    rabat_node = madrid.cli("partner", "list", "--json")[0]["node_id"]
    assert held["originator"] == rabat_node
    assert held["handling"]["codes"] == ["H2"]
    assert held["entities"][0]["properties"]["name"] == ["Yassine Bennani"]

    # A correction follows the share by itself, then the withdrawal.
    corrected = rabat.api(
        "POST",
        f"/api/v1/reports/{report_id}/versions",
        json={**report(title="Courier seen at the port of Tangier (corrected)"), "note": "title"},
    )
    assert corrected.status_code == 201, corrected.text
    wait_for(
        lambda: (
            madrid.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()["version"] == 2
        ),
        what="the update",
    )
    withdrawn = rabat.api(
        "POST", f"/api/v1/reports/{report_id}/withdraw", json={"reason": "source retracted"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    wait_for(
        lambda: (
            madrid.api("GET", f"/api/v1/reports/{report_id}", who="analyst").json()["status"]
            == "withdrawn"
        ),
        what="the withdrawal",
    )
    versions = madrid.api("GET", f"/api/v1/reports/{report_id}/versions", who="analyst").json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    inbox = madrid.api("GET", "/api/v1/inbox").json()
    kinds = [m["type"] for m in inbox if m["report"] == report_id]
    assert sorted(kinds) == ["report.share", "report.update", "report.withdraw"]


def test_suspending_an_agreement_stops_new_traffic_at_once_both_ways(pair):
    rabat, madrid, madrid_on_rabat, rabat_on_madrid, agreement = pair
    rabat.cli("agreement", "suspend", "--agreement", agreement, "--reason", "review")
    report_id = rabat.api("POST", "/api/v1/reports", json=report()).json()["id"]
    [share] = rabat.api(
        "POST", f"/api/v1/reports/{report_id}/shares", json={"partners": [madrid_on_rabat]}
    ).json()["shares"]
    assert share["status"] == "refused"
    assert "the agreement is suspended" in share["reason"]

    def suspended_in_madrid():
        rows = madrid.cli("agreement", "list", "--json")
        return any(a["agreement_id"] == agreement and a["status"] == "suspended" for a in rows)

    wait_for(suspended_in_madrid, what="the suspension to reach Madrid")
    theirs = madrid.api("POST", "/api/v1/reports", json=report()).json()["id"]
    [back] = madrid.api(
        "POST", f"/api/v1/reports/{theirs}/shares", json={"partners": [rabat_on_madrid]}
    ).json()["shares"]
    assert back["status"] == "refused"
    assert "suspended" in back["reason"]


def test_a_wrong_fingerprint_is_not_confirmed_and_an_invitation_works_once(tmp_path):
    from tests.exchange.cluster import make_node

    a = make_node(tmp_path, "paris", "FR", None)
    b = make_node(tmp_path, "rome", "IT", None)
    c = make_node(tmp_path, "vienna", "AT", None)
    a.start()
    try:
        invited = a.cli("partner", "invite", "--json")
        accepted = b.cli("partner", "accept", "--invitation", invited["invitation"], "--json")
        wrong = "0000-0000-0000-0000-0000-0000-0000-0000"
        refused = b.cli(
            "partner",
            "confirm",
            "--partner",
            accepted["partner_id"],
            "--fingerprint",
            wrong,
            expect=1,
        )
        assert "does not match" in refused.stderr
        [listed] = b.cli("partner", "list", "--json")
        assert listed["status"] == "unconfirmed"
        # The same invitation cannot link a second node.
        again = c.cli("partner", "accept", "--invitation", invited["invitation"], expect=1)
        assert "already used" in again.stderr
        assert c.cli("partner", "list", "--json") == []
        assert len(a.cli("partner", "list", "--json")) == 1
    finally:
        a.close()
