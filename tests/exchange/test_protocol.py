"""The policy on receive, against a real node: forged, tampered, replayed, stale, out of scope.

The test plays the partner: it seals envelopes with Rabat's real keys (or
with keys nobody confirmed) and posts them to Madrid's inbox over HTTP.
Whatever Madrid refuses leaves nothing stored, is audited, and is answered
with an error — signed and encrypted when Madrid can answer the sender.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import func, select

from tabadul.exchange import envelopes
from tabadul.exchange.keys import NodeKeys
from tabadul.exchange.messages import Message, MessageType
from tabadul.model.ids import new_id
from tabadul.storage.tables import AuditEventRow, InboxRow, ReportRow, ReportVersionRow
from tests.exchange.cluster import report

pytestmark = pytest.mark.slow


class Partner:
    """Speaks for Rabat to Madrid, with Rabat's keys."""

    def __init__(self, rabat, madrid, agreement):
        self.node = rabat.open()
        self.madrid = madrid
        self.agreement = agreement
        self.descriptor = httpx.get(madrid.url + "/.well-known/tabadul").json()

    def message(self, kind=MessageType.REPORT_SHARE, body=None, agreement="default", **kw):
        data = report(**kw)
        data.update(id=new_id(), version=1, status="released", originator=self.node.identity.id)
        data["entities"] = []
        data["mentions"] = []
        return Message(
            id=new_id(),
            type=kind,
            sender=self.node.identity.id,
            recipient=self.descriptor["node_id"],
            created_at=dt.datetime.now(dt.UTC).isoformat(),
            agreement=self.agreement if agreement == "default" else agreement,
            body=body if body is not None else {"report": data},
        ).to_dict()

    def seal(self, message, keys=None, sender=None, now=None):
        return envelopes.seal(
            message,
            sender=sender or self.node.identity.id,
            keys=keys or self.node.keys,
            recipient=self.descriptor["node_id"],
            recipient_encryption_jwk=self.descriptor["keys"]["encryption"],
            now=now or dt.datetime.now(dt.UTC),
        )

    def post(self, *sealed):
        response = httpx.post(
            self.madrid.url + "/federation/v1/inbox", json={"messages": list(sealed)}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def answer(self, response, index=0):
        """Madrid's word on one message, from its signed receipt (opened with Rabat's keys)."""
        assert response["receipt"] is not None, response
        opened = envelopes.open_envelope(
            response["receipt"],
            keys=self.node.keys,
            me=self.node.identity.id,
            sender_signing_jwk=self.descriptor["keys"]["signing"],
        )
        assert opened.message["type"] == "receipt"
        entry = opened.message["body"]["results"][index]
        return {"type": "error" if "code" in entry else "receipt", "body": entry}


@pytest.fixture(scope="module")
def pair(shared_pair):
    return shared_pair


@pytest.fixture(scope="module")
def partner(pair):
    rabat, madrid, _, _, agreement = pair
    p = Partner(rabat, madrid, agreement)
    yield p
    p.node.close()


def stored(madrid):
    node = madrid.open()
    try:
        with node.db.reading() as session:
            return session.scalar(select(func.count()).select_from(InboxRow))
    finally:
        node.close()


def refusals(madrid):
    node = madrid.open()
    try:
        with node.db.reading() as session:
            rows = session.scalars(
                select(AuditEventRow).where(
                    AuditEventRow.name == "exchange.received", AuditEventRow.outcome == "refused"
                )
            )
            return [r.reason for r in rows]
    finally:
        node.close()


def test_a_valid_message_is_stored_once_and_a_retry_gets_the_same_receipt(partner, pair):
    madrid = pair[1]
    before = stored(madrid)
    message = partner.message()
    first = partner.answer(partner.post(partner.seal(message)))
    assert first["type"] == "receipt"
    assert first["body"]["status"] == "stored"
    assert first["body"]["digest"] == Message.from_dict(message).digest
    # The sender lost the answer and sends the same message again, in a new envelope.
    again = partner.answer(partner.post(partner.seal(message)))
    assert again["body"]["status"] == "duplicate"
    assert stored(madrid) == before + 1


def test_a_replayed_envelope_is_refused(partner, pair):
    madrid = pair[1]
    sealed = partner.seal(partner.message())
    assert partner.answer(partner.post(sealed))["type"] == "receipt"
    count = stored(madrid)
    replay = partner.answer(partner.post(sealed))
    assert replay["type"] == "error"
    assert replay["body"]["code"] == "replay"
    assert stored(madrid) == count
    assert any("replay" in r for r in refusals(madrid))


def test_a_forged_signature_is_refused_and_nothing_stored(partner, pair):
    madrid = pair[1]
    forger = NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    before = stored(madrid)
    [result] = partner.post(partner.seal(partner.message(), keys=forger))["results"]
    assert result["code"] == "bad_signature"  # unsealed: the sender is not who it claims
    assert stored(madrid) == before
    assert any(r.startswith("bad_signature") for r in refusals(madrid))


def test_a_tampered_envelope_is_refused(partner, pair):
    madrid = pair[1]
    sealed = partner.seal(partner.message())
    parts = sealed.split(".")
    ciphertext = parts[3]
    flipped = ("A" if ciphertext[10] != "A" else "B").join([ciphertext[:10], ciphertext[11:]])
    tampered = ".".join([*parts[:3], flipped, parts[4]])
    before = stored(madrid)
    [result] = partner.post(tampered)["results"]
    assert result["code"] == "undecryptable"
    assert stored(madrid) == before


def test_a_message_from_an_unknown_key_is_refused(partner, pair):
    stranger = NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    response = partner.post(partner.seal(partner.message(), keys=stranger, sender="stranger"))
    assert response["receipt"] is None
    [result] = response["results"]
    assert result["code"] == "unknown_node"


def test_a_stale_envelope_is_refused(partner):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    answer = partner.answer(partner.post(partner.seal(partner.message(), now=old)))
    assert answer["body"]["code"] == "stale"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"topics": ["fraud"]}, "out_of_scope"),
        ({"topics": ["terrorism", "fraud"]}, "out_of_scope"),
        ({"handling": {"tlp": "RED"}}, "above_limit"),
        ({"handling": {"tlp": "AMBER+STRICT"}}, "above_limit"),
    ],
)
def test_out_of_scope_and_above_limit_reports_are_refused_on_receipt(
    partner, pair, overrides, code
):
    madrid = pair[1]
    before = stored(madrid)
    answer = partner.answer(partner.post(partner.seal(partner.message(**overrides))))
    assert answer["type"] == "error"
    assert answer["body"]["code"] == code
    assert answer["body"]["retry"] is False
    assert stored(madrid) == before


def test_a_report_without_an_agreement_is_refused(partner):
    message = partner.message(agreement=new_id())
    answer = partner.answer(partner.post(partner.seal(message)))
    assert answer["body"]["code"] == "no_agreement"


def test_one_signed_receipt_answers_a_batch_in_order(partner, pair):
    madrid = pair[1]
    before = stored(madrid)
    good, bad = partner.message(), partner.message(topics=["fraud"])
    response = partner.post(partner.seal(good), partner.seal(bad), partner.seal(good))
    assert partner.answer(response, 0)["body"]["status"] == "stored"
    assert partner.answer(response, 1)["body"]["code"] == "out_of_scope"
    assert partner.answer(response, 2)["body"]["status"] == "duplicate"
    assert stored(madrid) == before + 1


def held_versions(madrid, report_id):
    node = madrid.open()
    try:
        with node.db.reading() as session:
            return session.execute(
                select(ReportRow.version, ReportRow.status).where(ReportRow.id == report_id)
            ).one(), list(
                session.scalars(
                    select(ReportVersionRow.version)
                    .where(ReportVersionRow.report_id == report_id)
                    .order_by(ReportVersionRow.version)
                )
            )
    finally:
        node.close()


def test_versions_of_one_report_in_one_request_apply_in_order_and_once(partner, pair):
    madrid = pair[1]
    first = partner.message()
    data = first["body"]["report"]
    second = partner.message(kind=MessageType.REPORT_UPDATE, title="Corrected")
    second["body"]["report"].update(id=data["id"], version=2)
    again = partner.message()  # another message carrying version 1 again: already held
    again["body"]["report"].update(id=data["id"])
    withdrawn = partner.message(kind=MessageType.REPORT_WITHDRAW)
    withdrawn["body"]["report"].update(id=data["id"], version=3, status="withdrawn")
    late = partner.message(kind=MessageType.REPORT_UPDATE)  # after the withdrawal: refused
    late["body"]["report"].update(id=data["id"], version=4)
    stranger = partner.message()  # the same report id from another originator: refused
    stranger["body"]["report"].update(id=data["id"], version=5, originator="someone-else")
    messages = [first, second, again, withdrawn, late, stranger]
    response = partner.post(*(partner.seal(m) for m in messages))
    answers = [partner.answer(response, i)["body"] for i in range(len(messages))]
    assert [a.get("status") for a in answers[:4]] == ["stored"] * 4
    assert "withdrawn" in answers[4]["reason"]
    assert "another originator" in answers[5]["reason"]
    assert held_versions(madrid, data["id"]) == ((3, "withdrawn"), [1, 2, 3])
