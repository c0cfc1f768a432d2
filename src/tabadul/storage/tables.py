"""The node's tables, as SQLAlchemy 2.0 typed models.

The Alembic migrations under ``storage/migrations`` create exactly these
tables; a test compares the two. Rows are storage, not domain objects: the
services turn them into model values and wire schemas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tabadul.storage.types import Json, UtcDateTime

# Stable constraint names, so migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {
        dict[str, Any]: Json,
        list[Any]: Json,
        dt.datetime: UtcDateTime,
    }


def table(model: type[Base]) -> Table:
    """The Core table of a model, for bulk inserts.

    Core ``executemany`` inserts thousands of rows per statement; the ORM's bulk
    path fetches generated keys row by row on SQLite, which is ten times slower.
    """
    return cast(Table, model.__table__)


class NodeRow(Base):
    """This node's identity: one row, written by ``tabadul init``."""

    __tablename__ = "node"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]


class UserRow(Base):
    """A person who signs in to the node."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    clearance: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="en")
    password_changed_at: Mapped[dt.datetime | None]
    # The TOTP secret, encrypted with the node's secret key (Fernet); None until enrolment.
    totp_secret: Mapped[str | None] = mapped_column(String(500))
    totp_enabled_at: Mapped[dt.datetime | None]
    # The last time step a code was accepted for, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class UserCompartmentRow(Base):
    """A compartment (need-to-know group) a user belongs to."""

    __tablename__ = "user_compartments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    compartment: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiTokenRow(Base):
    """An API token: only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(200))
    scopes: Mapped[list[Any]]
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class ReportRow(Base):
    """A report's identity and the current version's fields that lists filter on."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    originator: Mapped[str] = mapped_column(String(64))
    classification: Mapped[str] = mapped_column(String(32))
    tlp: Mapped[str] = mapped_column(String(16))
    date_of_information: Mapped[dt.date | None] = mapped_column(Date, index=True)
    review_by: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime]


class ReportTopicRow(Base):
    """A topic of a report's current version (a table, so both databases can filter on it)."""

    __tablename__ = "report_topics"
    # A topic's reports newest first, walked in order by a filtered report list.
    __table_args__ = (Index("ix_report_topics_topic_report", "topic", "report_id"),)

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)


class ReportCompartmentRow(Base):
    """A compartment of a report's current version."""

    __tablename__ = "report_compartments"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    compartment: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ReportVersionRow(Base):
    """One version of a report: everything it said, as it said it."""

    __tablename__ = "report_versions"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    topics: Mapped[list[Any]]
    date_of_information: Mapped[dt.date | None] = mapped_column(Date)
    classification: Mapped[str] = mapped_column(String(32))
    compartments: Mapped[list[Any]]
    handling: Mapped[dict[str, Any]]
    grading: Mapped[dict[str, Any]]
    nature: Mapped[str] = mapped_column(String(16))
    review_by: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EntityRow(Base):
    """An entity in FollowTheMoney form, plus the fields Tabadul adds."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    schema: Mapped[str] = mapped_column(String(32), index=True)
    properties: Mapped[dict[str, Any]]
    caption: Mapped[str] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime]
    # Effective protection: the entity's own when recorded independently, else the
    # strictest of the reports that mention it (kept up to date by the services).
    classification: Mapped[str] = mapped_column(String(32), index=True)
    independent: Mapped[bool] = mapped_column(Boolean, default=False)


class EntityCompartmentRow(Base):
    """A compartment of an entity's effective protection."""

    __tablename__ = "entity_compartments"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    compartment: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class MentionRow(Base):
    """A report version mentions an entity, optionally at a span of its body."""

    __tablename__ = "mentions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["report_id", "version"],
            ["report_versions.report_id", "report_versions.version"],
            ondelete="CASCADE",
            name="fk_mentions_report_version",
        ),
        Index("ix_mentions_report_version", "report_id", "version"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), index=True)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)


class EntityLinkRow(Base):
    """A relationship entity's two ends (e.g. Membership: member → organization), for graphs."""

    __tablename__ = "entity_links"

    relationship_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    target_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class PartnerRow(Base):
    """A partner node: who it is and the keys it signs and receives with."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    url: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    signing_key: Mapped[dict[str, Any] | None] = mapped_column(Json)
    encryption_key: Mapped[dict[str, Any] | None] = mapped_column(Json)
    fingerprint: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]


class AgreementRow(Base):
    """A bilateral agreement with a partner: what may flow, until when, signed by both."""

    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[Any]]
    max_tlp: Mapped[str] = mapped_column(String(16))
    auto_answer_queries: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    document: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    # The node that proposed it, and each party's JWS over the document (node id → JWS).
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    signatures: Mapped[dict[str, Any] | None] = mapped_column(Json)


class InvitationRow(Base):
    """An invitation to link: only the SHA-256 of its one-time secret is kept."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    partner_id: Mapped[str | None] = mapped_column(String(36))


class ShareRow(Base):
    """A decision to send a report to a partner, and where it stands."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    agreement_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    # pending-approval, queued, delivered, refused
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    message_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class OutboxRow(Base):
    """A message to a partner, written with the decision to send it; kept once delivered."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_partner_id_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    type: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    share_id: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    # queued, delivered, refused
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]
    receipt: Mapped[dict[str, Any] | None] = mapped_column(Json)
    flagged_at: Mapped[dt.datetime | None]


class InboxRow(Base):
    """A message received from a partner and applied, with the receipt it was answered with."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime]
    receipt: Mapped[dict[str, Any]]


class NonceRow(Base):
    """An envelope nonce seen recently: the same envelope twice is a replay."""

    __tablename__ = "nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)


class ConsentRow(Base):
    """The originator's consent to pass one of its reports on to a third party."""

    __tablename__ = "consents"

    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    third_party: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime]
    message_id: Mapped[str] = mapped_column(String(36))


class JobRow(Base):
    """A unit of background work, written in the same transaction as the change that needs it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[dt.datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class WebSessionRow(Base):
    """A signed-in browser session; the cookie holds a secret whose SHA-256 is kept here."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "password" after the first factor, "full" once the TOTP code was accepted.
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))
    # The working context (case reference or purpose) every consultation in it is logged with.
    purpose: Mapped[str | None] = mapped_column(String(500))


class SigninFailureRow(Base):
    """Failed sign-ins counted per account and per address, for delays and lockouts."""

    __tablename__ = "signin_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[dt.datetime]
    locked_until: Mapped[dt.datetime | None]


class AuditEventRow(Base):
    """One entry of the tamper-evident audit log (see ``tabadul.audit``)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_actor_at", "actor_name", "at"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[dt.datetime] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    purpose: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    records: Mapped[list[Any]]
    recipients: Mapped[list[Any]]
    details: Mapped[dict[str, Any]]
    leaf_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(Base):
    """A signed checkpoint of the audit log: size, Merkle root, Ed25519 signature."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime]
    signature: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(100))


class MatchKeyRow(Base):
    """A key an entity is found by in correlation: a name key or a normalised selector."""

    __tablename__ = "match_keys"
    __table_args__ = (Index("ix_match_keys_kind_value", "kind", "value"),)

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class HitRow(Base):
    """Two records that may be about the same person or thing, for a human to decide.

    One row per pair (``left_id`` < ``right_id``), whatever raised it again.
    """

    __tablename__ = "hits"
    __table_args__ = (UniqueConstraint("left_id", "right_id", name="uq_hits_pair"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    left_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    right_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]]
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class ClusterRow(Base):
    """An entity's place in a "same as" cluster joined by confirmed hits."""

    __tablename__ = "entity_clusters"

    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[str] = mapped_column(String(36), index=True)


class WatchlistRow(Base):
    """A list of people, organisations, names and selectors an analyst or a team watches."""

    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]


class WatchlistMemberRow(Base):
    """A colleague who shares a watchlist and receives its alerts."""

    __tablename__ = "watchlist_members"

    watchlist_id: Mapped[str] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WatchEntryRow(Base):
    """One thing watched: an entity, a name, or a selector (``kind`` says which)."""

    __tablename__ = "watch_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500))
    entity_id: Mapped[str | None] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class WatchKeyRow(Base):
    """A key a watch entry is found by, the same keys as ``match_keys``."""

    __tablename__ = "watch_keys"
    __table_args__ = (Index("ix_watch_keys_kind_value", "kind", "value"),)

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("watch_entries.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class AlertRow(Base):
    """A watched thing matched a new or changed record."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("watch_entries.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
    # The report whose recording, import or receipt raised the alert, when there is one.
    report_id: Mapped[str | None] = mapped_column(String(36))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]]
    created_at: Mapped[dt.datetime]


class CorrelationRunRow(Base):
    """A full re-correlation of the holdings, resumable from ``cursor`` after an interruption."""

    __tablename__ = "correlation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    phase: Mapped[str] = mapped_column(String(16))  # "keys", then "pairs"
    cursor: Mapped[str | None] = mapped_column(String(128))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


class SearchDocumentRow(Base):
    """A record as the search index holds it: its analysed text (see ``tabadul.search``).

    The full-text index over these columns is not a model: an FTS5 virtual
    table kept in step by triggers on SQLite, an expression GIN index on
    PostgreSQL — created by migration 0006, ``facets`` added by 0009.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_record", "kind", "record_id", unique=True),
        # Documents indexed before their filter words existed: empty once re-indexed.
        Index(
            "ix_search_documents_pending",
            "id",
            sqlite_where=text("facets = 'pending'"),
            postgresql_where=text("facets = 'pending'"),
        ),
        # Documents written before the combined filter words (search.facets.COMBINED).
        Index(
            "ix_search_documents_uncombined",
            "id",
            sqlite_where=text("instr(facets, 'combined1') = 0"),
            postgresql_where=text("strpos(facets, 'combined1') = 0"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    # Space-separated tokens, position for position: normalised words, their stems,
    # and the name engine's script-neutral forms of the record's names.
    words: Mapped[str] = mapped_column(Text)
    stems: Mapped[str] = mapped_column(Text)
    names: Mapped[str] = mapped_column(Text)
    # The record's filterable values as words, to narrow a filtered walk (search.facets).
    facets: Mapped[str] = mapped_column(Text, server_default="")


class PartnerQueryRow(Base):
    """A hit/no-hit query this node asked partners: who asked, about what, why."""

    __tablename__ = "partner_queries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    asked_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class PartnerQueryTargetRow(Base):
    """One partner a query went to, and the message that carried it (or why it did not go)."""

    __tablename__ = "partner_query_targets"

    query_id: Mapped[str] = mapped_column(
        ForeignKey("partner_queries.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    message_id: Mapped[str | None] = mapped_column(String(36), index=True)
    refused: Mapped[str | None] = mapped_column(Text)


class QueryReferenceRow(Base):
    """What a "hit" answer's reference stands for here: the records that matched."""

    __tablename__ = "query_references"

    reference: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    entity_ids: Mapped[list[Any]]
    created_at: Mapped[dt.datetime]
