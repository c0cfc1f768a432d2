"""Faults with real processes: a partner offline, a sender killed, a lost message."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete, func, select

from tabadul.storage.tables import AuditEventRow, InboxRow, OutboxRow, ReportRow, ShareRow
from tests.exchange.cluster import report, wait_for

pytestmark = pytest.mark.slow

COUNT = 200


@pytest.fixture
def pair(tmp_path):
    from tests.exchange.conftest import _pair

    yield from _pair(tmp_path, None)


def share_many(node, partner_id, count):
    """Record and share ``count`` reports through the API; returns their ids."""
    ids = []
    with httpx.Client(base_url=node.url, headers=node.headers(), timeout=30) as client:
        for i in range(count):
            created = client.post("/api/v1/reports", json=report(title=f"Sighting {i}"))
            assert created.status_code == 201, created.text
            report_id = created.json()["id"]
            shared = client.post(
                f"/api/v1/reports/{report_id}/shares", json={"partners": [partner_id]}
            )
            assert shared.status_code == 202, shared.text
            assert shared.json()["shares"][0]["status"] == "queued"
            ids.append(report_id)
    return ids


def query(node, fn):
    opened = node.open()
    try:
        with opened.db.reading() as session:
            return fn(session)
    finally:
        opened.close()


def outbox_status(node):
    return query(
        node,
        lambda s: dict(
            s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        ),
    )


def all_delivered(node, count):
    return outbox_status(node).get("delivered", 0) >= count


def received(node):
    """Report messages in the inbox, and reports held, by report id."""

    def fn(session):
        inbox = session.execute(
            select(InboxRow.report_id, func.count())
            .where(InboxRow.type == "report.share")
            .group_by(InboxRow.report_id)
        ).all()
        reports = session.execute(select(ReportRow.id, ReportRow.version)).all()
        return dict(inbox), dict(reports)

    return query(node, fn)


def test_partner_offline_receives_everything_exactly_once_when_back(pair):
    rabat, madrid, madrid_on_rabat, _, _ = pair
    madrid.stop()
    ids = share_many(rabat, madrid_on_rabat, COUNT)
    wait_for(
        lambda: query(
            rabat,
            lambda s: s.scalar(
                select(func.min(OutboxRow.attempts)).where(OutboxRow.type == "report.share")
            ),
        ),
        what="delivery attempts to the offline partner",
    )
    assert outbox_status(rabat) == {"delivered": 1, "queued": COUNT}  # the proposal went
    madrid.start()
    wait_for(lambda: all_delivered(rabat, COUNT + 1), timeout=120, what="every report delivered")
    inbox, reports = received(madrid)
    assert set(inbox) == set(ids)
    # Receipts are recorded in bulk, and still with one audit event per message delivered.
    events = query(
        rabat,
        lambda s: s.scalars(
            select(AuditEventRow.details).where(AuditEventRow.name == "exchange.delivered")
        ).all(),
    )
    shared = [e["message_id"] for e in events if e["message_type"] == "report.share"]
    assert len(shared) == len(set(shared)) == COUNT
    assert set(inbox.values()) == {1}  # each message stored once
    assert {r: reports[r] for r in ids} == dict.fromkeys(ids, 1)
    statuses = query(rabat, lambda s: set(s.scalars(select(ShareRow.status))))
    assert statuses == {"delivered"}


def test_sender_killed_mid_delivery_loses_nothing_and_doubles_nothing(pair):
    rabat, madrid, madrid_on_rabat, _, _ = pair
    # Small batches, so that delivery takes many requests and the kill lands between two of
    # them: with the default (100), the 200 reports go in two requests close together, and the
    # moment "some delivered, not all" can pass between two polls.
    rabat.stop()
    rabat.env["TABADUL_EXCHANGE_BATCH_SIZE"] = "5"
    rabat.start()
    madrid.stop()
    ids = share_many(rabat, madrid_on_rabat, COUNT)
    madrid.start()
    wait_for(
        lambda: 1 < outbox_status(rabat).get("delivered", 0) < COUNT + 1,
        timeout=60,
        what="delivery to be under way",
    )
    rabat.kill()
    partly = outbox_status(rabat).get("delivered", 0)
    rabat.start()
    wait_for(lambda: all_delivered(rabat, COUNT + 1), timeout=120, what="the rest delivered")
    inbox, reports = received(madrid)
    assert partly < COUNT + 1
    assert set(inbox) == set(ids)
    assert set(inbox.values()) == {1}
    assert all(reports[r] == 1 for r in ids)


def test_reconciliation_finds_a_message_lost_at_the_receiver_and_sends_it_again(pair):
    rabat, madrid, madrid_on_rabat, _, _ = pair
    ids = share_many(rabat, madrid_on_rabat, 3)
    wait_for(lambda: all_delivered(rabat, 4), what="the three reports delivered")
    lost = ids[1]

    opened = madrid.open()
    try:
        with opened.db.transaction() as session:
            session.execute(delete(InboxRow).where(InboxRow.report_id == lost))
            session.execute(delete(ReportRow).where(ReportRow.id == lost))
    finally:
        opened.close()
    assert madrid.api("GET", f"/api/v1/reports/{lost}", who="analyst").status_code == 404

    rabat.cli("exchange", "reconcile")
    wait_for(
        lambda: madrid.api("GET", f"/api/v1/reports/{lost}", who="analyst").status_code == 200,
        what="the lost report to be sent again",
    )
    inbox, _ = received(madrid)
    assert inbox == dict.fromkeys(ids, 1)
    events = query(
        rabat,
        lambda s: list(
            s.scalars(select(AuditEventRow).where(AuditEventRow.name == "exchange.reconciled"))
        ),
    )
    resent = [e.details["resent"] for e in events if e.details["resent"]]
    assert len(resent) == 1
    assert len(resent[0]) == 1
