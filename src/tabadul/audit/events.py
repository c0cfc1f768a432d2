"""Audit events: who did what to which record, when, why — and whether it was allowed.

Each kind of event is a frozen dataclass with a stable ``name`` (what
auditors query and what the tamper-evident log hashes) and a ``category``
from EU Directive 2016/680 Art. 25: collection, alteration, consultation,
disclosure, combination, erasure — plus the sign-ins and administrative
changes an oversight body also asks about.

Events hold identifiers and metadata, never the content of a report or an
entity: an erased record's event must not keep what was erased.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar


class Category(enum.Enum):
    """What kind of processing an event records (Directive 2016/680 Art. 25, and more)."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    AUTHENTICATION = "authentication"
    ADMINISTRATION = "administration"
    ACCESS = "access"  # refusals by the access policy


class Outcome(enum.Enum):
    """Whether the action happened, or was refused (and the refusal is the event)."""

    ALLOWED = "allowed"
    REFUSED = "refused"


@dataclass(frozen=True)
class Actor:
    """Who acted: a user, the node's operator at the console, the node itself, or a partner."""

    kind: str  # "user", "operator", "system" or "partner"
    name: str
    id: int | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain form, as hashed and stored."""
        return {"kind": self.kind, "name": self.name, "id": self.id, "role": self.role}


SYSTEM = Actor("system", "tabadul")


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every event has; subclasses add what their kind of action needs."""

    name: ClassVar[str]
    category: ClassVar[Category]

    actor: Actor
    purpose: str | None = None
    outcome: Outcome = Outcome.ALLOWED
    reason: str | None = None
    address: str | None = None

    def records(self) -> list[str]:
        """The records the event is about, as ``kind:id``."""
        return []

    def recipients(self) -> list[str]:
        """To whom something was disclosed (partner node ids)."""
        return []

    def details(self) -> dict[str, Any]:
        """The event's own fields, as plain data (metadata only)."""
        base = {f.name for f in dataclasses.fields(Event)}
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in base:
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple | frozenset) else value
        return out


def _refs(kind: str, ids: tuple[str, ...] | list[str]) -> list[str]:
    return [f"{kind}:{i}" for i in ids]


# -- collection ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReportRecorded(Event):
    """A report was recorded, with the entities it brought."""

    name = "report.recorded"
    category = Category.COLLECTION
    report_id: str
    version: int
    classification: str
    entities: tuple[str, ...] = ()

    def records(self) -> list[str]:
        return [f"report:{self.report_id}", *_refs("entity", self.entities)]


@dataclass(frozen=True, kw_only=True)
class ReportImported(ReportRecorded):
    """A report version came in through an import file."""

    name = "report.imported"


@dataclass(frozen=True, kw_only=True)
class EntityImported(Event):
    """An entity came in through an import file (created, or merged into an existing one)."""

    name = "entity.imported"
    category = Category.COLLECTION
    entity_id: str
    schema: str
    merged: bool = False

    def records(self) -> list[str]:
        return [f"entity:{self.entity_id}"]


# -- alteration and erasure ---------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReportVersioned(ReportRecorded):
    """A new version of a report (a correction or a release) was recorded."""

    name = "report.versioned"
    category = Category.ALTERATION
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReportWithdrawn(Event):
    """A report was withdrawn; the reason is kept, the content is not repeated."""

    name = "report.withdrawn"
    category = Category.ERASURE
    report_id: str
    version: int
    note: str | None = None

    def records(self) -> list[str]:
        return [f"report:{self.report_id}"]


# -- consultation -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReportViewed(Event):
    """A report (one version of it, or its history) was read."""

    name = "report.viewed"
    category = Category.CONSULTATION
    report_id: str
    version: int | None = None
    history: bool = False

    def records(self) -> list[str]:
        return [f"report:{self.report_id}"]


@dataclass(frozen=True, kw_only=True)
class ReportsListed(Event):
    """A list of reports was read; the ids of what was shown are kept."""

    name = "report.listed"
    category = Category.CONSULTATION
    shown: tuple[str, ...]
    filters: dict[str, str] = field(default_factory=dict)

    def records(self) -> list[str]:
        return _refs("report", self.shown)


@dataclass(frozen=True, kw_only=True)
class EntityViewed(Event):
    """An entity was read."""

    name = "entity.viewed"
    category = Category.CONSULTATION
    entity_id: str

    def records(self) -> list[str]:
        return [f"entity:{self.entity_id}"]


@dataclass(frozen=True, kw_only=True)
class EntitiesListed(Event):
    """A list of entities was read; the ids of what was shown are kept."""

    name = "entity.listed"
    category = Category.CONSULTATION
    shown: tuple[str, ...]

    def records(self) -> list[str]:
        return _refs("entity", self.shown)


@dataclass(frozen=True, kw_only=True)
class Searched(Event):
    """A search was run: the query and filters (they name who was looked for), what was shown.

    The query is kept because oversight asks exactly this: who searched for
    whom, and why. ``total`` is what the searcher saw (visible records only);
    ``total_exact`` false when it was shown as "N+" (counting stopped at the bound).
    """

    name = "search.performed"
    category = Category.CONSULTATION
    query: str
    filters: dict[str, str] = field(default_factory=dict)
    total: int = 0
    total_exact: bool = True
    shown: tuple[str, ...] = ()

    def records(self) -> list[str]:
        return list(self.shown)


@dataclass(frozen=True, kw_only=True)
class DataExported(Event):
    """Reports and entities were exported to a file."""

    name = "data.exported"
    category = Category.CONSULTATION
    reports: int
    entities: int
    on_behalf_of: str | None = None


# -- sign-in ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SignedIn(Event):
    """A user signed in to the web interface (password and code)."""

    name = "signin.succeeded"
    category = Category.AUTHENTICATION


@dataclass(frozen=True, kw_only=True)
class SigninFailed(Event):
    """A sign-in failed (the username tried is kept; never the password or code)."""

    name = "signin.failed"
    category = Category.AUTHENTICATION
    username: str
    step: str  # "password" or "code"


@dataclass(frozen=True, kw_only=True)
class SignedOut(Event):
    """A user signed out; the session ended on the server."""

    name = "signout"
    category = Category.AUTHENTICATION


# -- administration -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """A user was created."""

    name = "user.created"
    category = Category.ADMINISTRATION
    username: str
    role: str
    clearance: str
    compartments: tuple[str, ...] = ()

    def records(self) -> list[str]:
        return [f"user:{self.username}"]


@dataclass(frozen=True, kw_only=True)
class UserChanged(Event):
    """A user's role, clearance, compartments, name or state changed (old and new values)."""

    name = "user.changed"
    category = Category.ADMINISTRATION
    username: str
    changes: dict[str, Any]

    def records(self) -> list[str]:
        return [f"user:{self.username}"]


@dataclass(frozen=True, kw_only=True)
class PasswordReset(Event):
    """An administrator gave a user a new generated password."""

    name = "user.password_reset"
    category = Category.ADMINISTRATION
    username: str

    def records(self) -> list[str]:
        return [f"user:{self.username}"]


@dataclass(frozen=True, kw_only=True)
class AuthenticatorReset(Event):
    """An administrator reset a user's authenticator."""

    name = "user.totp_reset"
    category = Category.ADMINISTRATION
    username: str

    def records(self) -> list[str]:
        return [f"user:{self.username}"]


@dataclass(frozen=True, kw_only=True)
class AuthenticatorEnrolled(Event):
    """A user set up their authenticator."""

    name = "user.totp_enrolled"
    category = Category.AUTHENTICATION


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """A user changed their own password."""

    name = "user.password_changed"
    category = Category.AUTHENTICATION


@dataclass(frozen=True, kw_only=True)
class TokenCreated(Event):
    """An API token was created (its prefix and scopes; never the token)."""

    name = "token.created"
    category = Category.ADMINISTRATION
    token_id: int
    username: str
    scopes: tuple[str, ...]
    prefix: str

    def records(self) -> list[str]:
        return [f"token:{self.token_id}", f"user:{self.username}"]


@dataclass(frozen=True, kw_only=True)
class TokenRevoked(Event):
    """An API token was revoked."""

    name = "token.revoked"
    category = Category.ADMINISTRATION
    token_id: int

    def records(self) -> list[str]:
        return [f"token:{self.token_id}"]


# -- the audit log itself -----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AuditRead(Event):
    """Someone read the audit log (reading it is itself logged)."""

    name = "audit.read"
    category = Category.CONSULTATION
    filters: dict[str, str] = field(default_factory=dict)
    events: int = 0


@dataclass(frozen=True, kw_only=True)
class AuditExported(AuditRead):
    """Someone exported the audit log."""

    name = "audit.exported"
    format: str = "jsonl"


@dataclass(frozen=True, kw_only=True)
class AuditCheckpointed(Event):
    """The node signed a checkpoint of its audit log."""

    name = "audit.checkpoint"
    category = Category.ADMINISTRATION
    tree_size: int
    root_hash: str


@dataclass(frozen=True, kw_only=True)
class AuditVerified(Event):
    """Someone verified the audit log, with the result."""

    name = "audit.verified"
    category = Category.CONSULTATION
    tree_size: int
    intact: bool
    first_problem: int | None = None


@dataclass(frozen=True, kw_only=True)
class Refused(Event):
    """An action was refused by the access policy; the event records what was asked."""

    name = "access.refused"
    category = Category.ACCESS
    action: str
    record: str | None = None

    def records(self) -> list[str]:
        return [self.record] if self.record else []


# -- combination: correlation, hits, watchlists ---------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordsMatched(Event):
    """Correlation linked two records as a possible match (a hit for a human to review)."""

    name = "match.raised"
    category = Category.COMBINATION
    hit_id: str
    left: str
    right: str
    score: float

    def records(self) -> list[str]:
        return [f"hit:{self.hit_id}", f"entity:{self.left}", f"entity:{self.right}"]


@dataclass(frozen=True, kw_only=True)
class HitReviewed(RecordsMatched):
    """A person decided on a hit: confirmed, rejected or unsure, with a reason."""

    name = "match.reviewed"
    decision: str
    previous: str
    cluster: str | None = None


@dataclass(frozen=True, kw_only=True)
class HitsListed(Event):
    """Hits were listed (a consultation: each hit names two records)."""

    name = "match.listed"
    category = Category.CONSULTATION
    shown: tuple[str, ...] = ()

    def records(self) -> list[str]:
        return _refs("hit", self.shown)


@dataclass(frozen=True, kw_only=True)
class InboxRead(Event):
    """Messages received from partners (or their questions) were listed: a consultation."""

    name = "exchange.inbox_read"
    category = Category.CONSULTATION
    kind: str | None = None
    shown: tuple[str, ...] = ()

    def records(self) -> list[str]:
        return _refs("message", self.shown)


@dataclass(frozen=True, kw_only=True)
class WatchAlerted(Event):
    """A watched entity, name or selector matched a new or changed record."""

    name = "watch.alerted"
    category = Category.COMBINATION
    watchlist_id: str
    entry_id: str
    entity_id: str
    report_id: str | None = None

    def records(self) -> list[str]:
        return [f"watchlist:{self.watchlist_id}", f"entity:{self.entity_id}"]


@dataclass(frozen=True, kw_only=True)
class WatchlistChanged(Event):
    """A watchlist was created, changed or deleted, or an entry added or removed."""

    name = "watchlist.changed"
    category = Category.ALTERATION
    watchlist_id: str
    change: str  # created, renamed, shared, deleted, entry_added, entry_removed
    entry_id: str | None = None

    def records(self) -> list[str]:
        return [f"watchlist:{self.watchlist_id}"]


@dataclass(frozen=True, kw_only=True)
class CorrelationRun(Event):
    """The operator re-correlated the holdings (or a part of them)."""

    name = "match.recorrelated"
    category = Category.COMBINATION
    run_id: int
    entities: int
    hits: int
    finished: bool


# -- exchange -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerEvent(Event):
    """A partner node was invited, linked, confirmed or refused (fingerprints, never keys)."""

    name = "partner.changed"
    category = Category.ADMINISTRATION
    partner_id: str | None = None
    node_id: str | None = None
    change: str
    fingerprint: str | None = None

    def records(self) -> list[str]:
        return [f"partner:{self.partner_id}"] if self.partner_id else []


@dataclass(frozen=True, kw_only=True)
class AgreementEvent(Event):
    """An agreement was proposed, accepted, suspended or ended, here or by the partner."""

    name = "agreement.changed"
    category = Category.ADMINISTRATION
    agreement_id: str
    partner_node: str
    status: str
    by: str  # "here" or "partner"

    def records(self) -> list[str]:
        return [f"agreement:{self.agreement_id}"]

    def recipients(self) -> list[str]:
        return [self.partner_node]


@dataclass(frozen=True, kw_only=True)
class Disclosure(Event):
    """Something was released to a partner (or refused): a report version, an RFI, a consent."""

    name = "exchange.disclosed"
    category = Category.DISCLOSURE
    message_type: str
    partner_node: str
    message_id: str | None = None
    report_id: str | None = None
    version: int | None = None
    agreement_id: str | None = None
    share_id: str | None = None

    def records(self) -> list[str]:
        return [f"report:{self.report_id}"] if self.report_id else []

    def recipients(self) -> list[str]:
        return [self.partner_node]


@dataclass(frozen=True, kw_only=True)
class ShareApproved(Event):
    """A supervisor approved a share that needed four eyes."""

    name = "share.approved"
    category = Category.DISCLOSURE
    share_id: str
    report_id: str
    partner_node: str

    def records(self) -> list[str]:
        return [f"report:{self.report_id}", f"share:{self.share_id}"]

    def recipients(self) -> list[str]:
        return [self.partner_node]


@dataclass(frozen=True, kw_only=True)
class Delivered(Event):
    """A partner's signed receipt for a message arrived."""

    name = "exchange.delivered"
    category = Category.DISCLOSURE
    message_id: str
    message_type: str
    partner_node: str
    report_id: str | None = None

    def records(self) -> list[str]:
        return [f"report:{self.report_id}"] if self.report_id else []

    def recipients(self) -> list[str]:
        return [self.partner_node]


@dataclass(frozen=True, kw_only=True)
class Received(Event):
    """A message from a partner was received and applied (or refused: nothing stored)."""

    name = "exchange.received"
    category = Category.COLLECTION
    message_id: str | None
    message_type: str | None
    partner_node: str
    report_id: str | None = None
    version: int | None = None

    def records(self) -> list[str]:
        return [f"report:{self.report_id}"] if self.report_id else []


@dataclass(frozen=True, kw_only=True)
class UndeliveredFlagged(Event):
    """Messages to a partner stayed undelivered too long; the administrator is told."""

    name = "exchange.undelivered"
    category = Category.ADMINISTRATION
    partner_node: str
    messages: int
    oldest: str


@dataclass(frozen=True, kw_only=True)
class Reconciled(Event):
    """A partner compared what this node sent with what it holds; gaps are re-sent."""

    name = "exchange.reconciled"
    category = Category.ADMINISTRATION
    partner_node: str
    compared: int
    resent: tuple[str, ...] = ()
