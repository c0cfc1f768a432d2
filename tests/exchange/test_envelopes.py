"""Envelopes, keys and messages without the network: what verifies, and what does not."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tabadul.exchange import envelopes
from tabadul.exchange.keys import NodeKeys, fingerprint, same_fingerprint
from tabadul.exchange.messages import Descriptor, Message, MessageInvalid, MessageType

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def keys():
    return NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def seal(sender_keys, recipient_keys, message=None, sender="A", recipient="B"):
    return envelopes.seal(
        message or {"hello": "مرحبا"},
        sender=sender,
        keys=sender_keys,
        recipient=recipient,
        recipient_encryption_jwk=recipient_keys.encryption_jwk(),
        now=NOW,
    )


def test_sealed_message_opens_for_the_recipient_with_the_senders_key():
    a, b = keys(), keys()
    opened = envelopes.open_envelope(seal(a, b), keys=b, me="B", sender_signing_jwk=a.signing_jwk())
    assert opened.message == {"hello": "مرحبا"}
    assert opened.sender == "A"
    assert opened.issued_at == NOW
    assert len(opened.nonce) >= 20


def test_each_envelope_of_the_same_message_differs():
    a, b = keys(), keys()
    assert seal(a, b) != seal(a, b)


def test_another_node_cannot_decrypt():
    a, b, c = keys(), keys(), keys()
    with pytest.raises(envelopes.EnvelopeError) as caught:
        envelopes.open_envelope(seal(a, b), keys=c, me="B", sender_signing_jwk=a.signing_jwk())
    assert caught.value.code == "undecryptable"


def test_a_signature_by_another_key_is_refused():
    a, b, forger = keys(), keys(), keys()
    with pytest.raises(envelopes.EnvelopeError) as caught:
        envelopes.open_envelope(seal(forger, b), keys=b, me="B", sender_signing_jwk=a.signing_jwk())
    assert caught.value.code == "bad_signature"


def test_an_envelope_for_another_node_id_is_refused():
    a, b = keys(), keys()
    sealed = seal(a, b, recipient="C")
    with pytest.raises(envelopes.EnvelopeError) as caught:
        envelopes.open_envelope(sealed, keys=b, me="B", sender_signing_jwk=a.signing_jwk())
    assert caught.value.code == "misaddressed"


def test_every_changed_byte_of_an_envelope_is_detected():
    a, b = keys(), keys()
    sealed = seal(a, b)
    for position in (len(sealed) // 2, len(sealed) - 5):
        char = "A" if sealed[position] != "A" else "B"
        tampered = sealed[:position] + char + sealed[position + 1 :]
        with pytest.raises(envelopes.EnvelopeError):
            envelopes.open_envelope(tampered, keys=b, me="B", sender_signing_jwk=a.signing_jwk())


def test_fingerprints_are_eight_groups_and_change_with_either_key():
    a = keys()
    fp = a.fingerprint
    assert len(fp.split("-")) == 8
    assert same_fingerprint(fp, fp.lower().replace("-", " "))
    other = keys()
    assert fingerprint(a.signing_jwk(), other.encryption_jwk()) != fp
    assert fingerprint(other.signing_jwk(), a.encryption_jwk()) != fp


def test_a_private_key_is_never_accepted_as_a_partners_key():
    jwk = {**keys().signing_jwk(), "d": "secret"}
    with pytest.raises(ValueError, match="public"):
        fingerprint(jwk, keys().encryption_jwk())


def test_messages_round_trip_and_refuse_what_v1_does_not_define():
    message = Message("m1", MessageType.REPORT_SHARE, "A", "B", NOW.isoformat(), "ag1", {"x": 1})
    assert Message.from_dict(message.to_dict()) == message
    with pytest.raises(MessageInvalid, match="version"):
        Message.from_dict({**message.to_dict(), "v": 2})
    with pytest.raises(MessageInvalid, match="unknown message type"):
        Message.from_dict({**message.to_dict(), "type": "report.delete"})
    with pytest.raises(MessageInvalid, match="agreement"):
        Message.from_dict({**message.to_dict(), "agreement": None})


def test_descriptor_carries_public_keys_and_their_fingerprint():
    a = keys()
    d = Descriptor("n1", "Rabat", "MA", "http://x", a.signing_jwk(), a.encryption_jwk())
    data = d.to_dict()
    assert data["fingerprint"] == a.fingerprint
    assert "d" not in data["keys"]["signing"]
    assert Descriptor.from_dict(data) == d
