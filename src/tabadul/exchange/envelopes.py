"""Envelopes: a message signed by its sender (JWS) inside encryption to its recipient (JWE).

Protocol v1, docs/federation.md "Envelopes". The inner JWS (``alg`` Ed25519,
RFC 9864 — the fully specified name of EdDSA over Ed25519) signs a claim set
``{"iss", "aud", "iat", "jti", "msg"}``; the outer JWE (``ECDH-ES+A256KW`` on
X25519 with ``A256GCM``) encrypts the compact JWS to the recipient. The JWE
protected header names the sender (``iss``) so the recipient knows whose
signature key to verify with; it is authenticated by the AEAD. ``iat`` and
``jti`` belong to this transmission: a retry of the same message is a new
envelope with the same message id, a replay is the same envelope again.

joserfc does the cryptography; nothing here is home-made.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.registry import HeaderParameter

from tabadul.exchange.keys import NodeKeys, import_public

SIGN_ALG = "Ed25519"
KEY_ALG = "ECDH-ES+A256KW"
CONTENT_ALG = "A256GCM"
JWE_ALGS = [KEY_ALG, CONTENT_ALG]
JWS_TYPE = "tabadul-message+jws"
# The JWE header names the sender ("iss", RFC 7516 section 4.3 private header parameter).
_JWE_REGISTRY = jwe.JWERegistry(
    header_registry={"iss": HeaderParameter("The sending node's id", "str", required=True)},
    algorithms=JWE_ALGS,
)


class EnvelopeError(Exception):
    """An envelope that cannot be opened or verified; ``code`` is the protocol's error code."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Opened:
    """A verified envelope: who sent it, to whom, when, its nonce and the message."""

    sender: str
    recipient: str
    issued_at: dt.datetime
    nonce: str
    message: dict[str, Any]


def canonical(data: Any) -> bytes:
    """The canonical JSON of ``data``: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(
    message: dict[str, Any],
    *,
    sender: str,
    keys: NodeKeys,
    recipient: str,
    recipient_encryption_jwk: dict[str, Any],
    now: dt.datetime,
) -> str:
    """Sign ``message`` as ``sender`` and encrypt it to ``recipient``; a compact JWE."""
    claims = {
        "iss": sender,
        "aud": recipient,
        "iat": int(now.timestamp()),
        "jti": secrets.token_urlsafe(18),
        "msg": message,
    }
    signed = jws.serialize_compact(
        {"alg": SIGN_ALG, "kid": sender, "typ": JWS_TYPE},
        canonical(claims),
        keys.signing_key(),
        algorithms=[SIGN_ALG],
    )
    header = {"alg": KEY_ALG, "enc": CONTENT_ALG, "kid": recipient, "iss": sender}
    return jwe.encrypt_compact(
        header,
        signed.encode(),
        import_public(recipient_encryption_jwk, "X25519"),
        registry=_JWE_REGISTRY,
    )


def sender_of(envelope: str) -> str:
    """The sender an envelope claims, read from its (not yet verified) JWE header."""
    try:
        header_part = envelope.split(".", 1)[0]
        padded = header_part + "=" * (-len(header_part) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded))
        sender = header["iss"]
    except (ValueError, KeyError, TypeError, IndexError):
        raise EnvelopeError("malformed", "not a Tabadul envelope") from None
    if not isinstance(sender, str) or not sender:
        raise EnvelopeError("malformed", "the envelope does not name its sender")
    return sender


def open_envelope(
    envelope: str, *, keys: NodeKeys, me: str, sender_signing_jwk: dict[str, Any]
) -> Opened:
    """Decrypt with this node's key and verify the sender's signature; EnvelopeError if not."""
    claimed = sender_of(envelope)
    try:
        decrypted = jwe.decrypt_compact(envelope, keys.encryption_key(), registry=_JWE_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise EnvelopeError("undecryptable", f"cannot decrypt: {exc}") from None
    if decrypted.protected.get("kid") != me or decrypted.plaintext is None:
        raise EnvelopeError("misaddressed", "the envelope is not encrypted to this node")
    try:
        verified = jws.deserialize_compact(
            decrypted.plaintext,
            import_public(sender_signing_jwk, "Ed25519"),
            algorithms=[SIGN_ALG],
        )
    except (JoseError, ValueError) as exc:
        raise EnvelopeError("bad_signature", f"the signature does not verify: {exc}") from None
    try:
        claims = json.loads(verified.payload)
        issued = dt.datetime.fromtimestamp(int(claims["iat"]), dt.UTC)
        opened = Opened(
            sender=str(claims["iss"]),
            recipient=str(claims["aud"]),
            issued_at=issued,
            nonce=str(claims["jti"]),
            message=dict(claims["msg"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise EnvelopeError("malformed", f"bad claims: {exc}") from None
    if opened.sender != claimed or verified.protected.get("kid") != claimed:
        raise EnvelopeError("bad_signature", "the signer is not the sender the envelope names")
    if opened.recipient != me:
        raise EnvelopeError("misaddressed", "the message is addressed to another node")
    return opened


def sign(payload: dict[str, Any], keys: NodeKeys, signer: str) -> str:
    """A compact JWS of ``payload`` (invitations, introductions, agreement documents)."""
    return jws.serialize_compact(
        {"alg": SIGN_ALG, "kid": signer},
        canonical(payload),
        keys.signing_key(),
        algorithms=[SIGN_ALG],
    )


def verify(token: str, signing_jwk: dict[str, Any]) -> dict[str, Any]:
    """The payload of a compact JWS signed with ``signing_jwk``; EnvelopeError if not."""
    try:
        verified = jws.deserialize_compact(
            token, import_public(signing_jwk, "Ed25519"), algorithms=[SIGN_ALG]
        )
        payload = json.loads(verified.payload)
    except (JoseError, ValueError) as exc:
        raise EnvelopeError("bad_signature", f"the signature does not verify: {exc}") from None
    if not isinstance(payload, dict):
        raise EnvelopeError("malformed", "a signed document must be a JSON object")
    return payload


def unverified_payload(token: str) -> dict[str, Any]:
    """The payload of a compact JWS before verification (to learn which key verifies it)."""
    try:
        payload = json.loads(jws.extract_compact(token.encode()).payload)
    except (JoseError, ValueError) as exc:
        raise EnvelopeError("malformed", f"not a signed document: {exc}") from None
    if not isinstance(payload, dict):
        raise EnvelopeError("malformed", "a signed document must be a JSON object")
    return payload
