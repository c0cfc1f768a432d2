"""Federation messages, protocol v1 (docs/federation.md "Messages").

Every message is a JSON object ``{"v", "id", "type", "from", "to", "created_at",
"agreement", "body"}``. ``id`` is chosen by the sender once and kept through
every retry, so the recipient applies a message at most once. The body's
shape depends on the type; the ones the protocol defines are listed in
:class:`MessageType`.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from tabadul.exchange.envelopes import canonical
from tabadul.exchange.keys import fingerprint

VERSION = 1
PROTOCOL = "tabadul/1"
WELL_KNOWN = "/.well-known/tabadul"
INBOX_PATH = "/federation/v1/inbox"
INTRODUCTION_PATH = "/federation/v1/introductions"


class MessageType(enum.Enum):
    """What a message is; the body's fields follow from it."""

    REPORT_SHARE = "report.share"
    REPORT_UPDATE = "report.update"
    REPORT_WITHDRAW = "report.withdraw"
    RFI_REQUEST = "rfi.request"
    RFI_REPLY = "rfi.reply"
    QUERY = "query.hitnohit"
    QUERY_ANSWER = "query.answer"
    CONSENT_REQUEST = "consent.request"
    CONSENT_GRANT = "consent.grant"
    AGREEMENT_PROPOSE = "agreement.propose"
    AGREEMENT_ACCEPT = "agreement.accept"
    AGREEMENT_SUSPEND = "agreement.suspend"
    AGREEMENT_END = "agreement.end"
    RECONCILE = "reconcile.digest"
    RECEIPT = "receipt"
    ERROR = "error"

    @property
    def needs_agreement(self) -> bool:
        """Messages that carry intelligence travel only under an active agreement."""
        return self in _UNDER_AGREEMENT

    @property
    def report_message(self) -> bool:
        """Share, update and withdrawal of a report (applied in version order)."""
        return self in _REPORT


_REPORT = {MessageType.REPORT_SHARE, MessageType.REPORT_UPDATE, MessageType.REPORT_WITHDRAW}
_UNDER_AGREEMENT = _REPORT | {
    MessageType.RFI_REQUEST,
    MessageType.RFI_REPLY,
    MessageType.QUERY,
    MessageType.QUERY_ANSWER,
    MessageType.CONSENT_REQUEST,
    MessageType.CONSENT_GRANT,
}

# Default answer deadlines of a request for information, by urgency.
RFI_DEADLINES = {"urgent": dt.timedelta(hours=8), "normal": dt.timedelta(days=7)}


class MessageInvalid(ValueError):
    """A message that does not follow protocol v1."""


@dataclass(frozen=True)
class Message:
    """A protocol v1 message."""

    id: str
    type: MessageType
    sender: str
    recipient: str
    created_at: str
    agreement: str | None = None
    body: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The message's JSON form."""
        return {
            "v": VERSION,
            "id": self.id,
            "type": self.type.value,
            "from": self.sender,
            "to": self.recipient,
            "created_at": self.created_at,
            "agreement": self.agreement,
            "body": self.body,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Read a message; MessageInvalid names what is wrong."""
        if data.get("v") != VERSION:
            raise MessageInvalid(f"unsupported protocol version {data.get('v')!r}")
        try:
            kind = MessageType(data["type"])
        except (KeyError, ValueError):
            raise MessageInvalid(f"unknown message type {data.get('type')!r}") from None
        for name in ("id", "from", "to", "created_at"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise MessageInvalid(f"'{name}' must be a non-empty string")
        if not isinstance(data.get("body", {}), dict):
            raise MessageInvalid("'body' must be an object")
        agreement = data.get("agreement")
        if agreement is not None and not isinstance(agreement, str):
            raise MessageInvalid("'agreement' must be a string or null")
        if kind.needs_agreement and not agreement:
            raise MessageInvalid(f"a {kind.value} message must name its agreement")
        return cls(
            id=data["id"],
            type=kind,
            sender=data["from"],
            recipient=data["to"],
            created_at=data["created_at"],
            agreement=agreement,
            body=dict(data.get("body") or {}),
        )

    @property
    def digest(self) -> str:
        """SHA-256 of the message's canonical JSON (what receipts and reconciliation compare)."""
        return digest(self.to_dict())


def digest(message: dict[str, Any]) -> str:
    """SHA-256 hex of a message's canonical JSON."""
    return hashlib.sha256(canonical(message)).hexdigest()


@dataclass(frozen=True)
class Descriptor:
    """What a node publishes at ``/.well-known/tabadul``."""

    node_id: str
    name: str
    country: str | None
    url: str
    signing_key: dict[str, Any]
    encryption_key: dict[str, Any]
    protocols: tuple[str, ...] = (PROTOCOL,)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the two public keys."""
        return fingerprint(self.signing_key, self.encryption_key)

    def to_dict(self) -> dict[str, Any]:
        """The descriptor's JSON form."""
        return {
            "node_id": self.node_id,
            "name": self.name,
            "country": self.country,
            "url": self.url,
            "keys": {"signing": self.signing_key, "encryption": self.encryption_key},
            "fingerprint": self.fingerprint,
            "protocols": list(self.protocols),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Descriptor:
        """Read a descriptor; MessageInvalid if it is incomplete or its keys are unusable."""
        try:
            descriptor = cls(
                node_id=str(data["node_id"]),
                name=str(data["name"]),
                country=data.get("country"),
                url=str(data["url"]).rstrip("/"),
                signing_key=dict(data["keys"]["signing"]),
                encryption_key=dict(data["keys"]["encryption"]),
                protocols=tuple(data.get("protocols", [])),
            )
            descriptor.fingerprint  # noqa: B018 (checks that both keys load)
        except (KeyError, TypeError, ValueError) as exc:
            raise MessageInvalid(f"not a node descriptor: {exc}") from None
        if PROTOCOL not in descriptor.protocols:
            raise MessageInvalid(f"the node does not speak {PROTOCOL}")
        return descriptor


def agreement_document(
    *,
    agreement_id: str,
    proposer: str,
    partner: str,
    topics: list[str],
    max_tlp: str,
    auto_answer_queries: bool,
    valid_from: dt.date,
    valid_until: dt.date | None,
) -> dict[str, Any]:
    """The agreement as both parties sign it."""
    return {
        "agreement": agreement_id,
        "protocol": PROTOCOL,
        "parties": [proposer, partner],
        "topics": sorted(topics),
        "max_tlp": max_tlp,
        "auto_answer_queries": auto_answer_queries,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
