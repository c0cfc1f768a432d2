"""The audit log in the database: appending in the same transaction, reading, checkpoints.

Events are collected on the session while a unit of work runs
(:func:`add`) and written just before it commits (:func:`flush`, installed
as a ``before_commit`` hook on every writing session): so an event exists
if and only if the change it records was committed. Appending takes the
log's head in turn — ``BEGIN IMMEDIATE`` already serialises writers on
SQLite, an advisory lock does on PostgreSQL — and only at the very end of
the transaction, so the lock is held for as short a time as possible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tabadul.audit.checkpoints import Checkpoint
from tabadul.audit.events import Event
from tabadul.audit.hashing import GENESIS, Entry, chain_hash, leaf_hash
from tabadul.audit.log import entry_of
from tabadul.storage.tables import AuditCheckpointRow, AuditEventRow, table
from tabadul.storage.types import utcnow

PENDING = "tabadul.audit_pending"
_HEAD_LOCK = 0x7ABAD02  # the advisory lock that orders appends on PostgreSQL


def add(session: Session, *events: Event) -> None:
    """Record events in the caller's transaction; they are written when it commits."""
    session.info.setdefault(PENDING, []).extend((e, utcnow()) for e in events)


def mark(session: Session) -> int:
    """How many events wait in the session (:func:`rollback_to` undoes those added later)."""
    return len(session.info.get(PENDING, []))


def rollback_to(session: Session, position: int) -> None:
    """Forget events added after ``mark`` returned ``position`` (their savepoint rolled back)."""
    del session.info.setdefault(PENDING, [])[position:]


def install(factory: sessionmaker[Session]) -> None:
    """Write pending events before every commit of sessions made by ``factory``."""
    event.listen(factory, "before_commit", flush)


def flush(session: Session) -> None:
    """Append the session's pending events to the log, hashed and chained."""
    pending: list[tuple[Event, dt.datetime]] = session.info.pop(PENDING, [])
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _HEAD_LOCK})
    head = session.execute(
        select(AuditEventRow.seq, AuditEventRow.chain_hash)
        .order_by(AuditEventRow.seq.desc())
        .limit(1)
    ).first()
    seq, previous = (head[0], bytes.fromhex(head[1])) if head else (0, GENESIS)
    rows = []
    for audit_event, at in pending:
        seq += 1
        entry = entry_of(audit_event, seq, at)
        leaf = leaf_hash(entry.canonical())
        previous = chain_hash(previous, leaf)
        rows.append(row_of(entry, leaf.hex(), previous.hex()))
    session.execute(table(AuditEventRow).insert(), rows)


def row_of(entry: Entry, leaf: str, chain: str) -> dict[str, Any]:
    """The table row of an entry."""
    return {
        "seq": entry.seq,
        "at": entry.at,
        "name": entry.name,
        "category": entry.category,
        "actor_kind": entry.actor["kind"],
        "actor_id": entry.actor["id"],
        "actor_name": entry.actor["name"],
        "actor_role": entry.actor["role"],
        "purpose": entry.purpose,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "address": entry.address,
        "records": entry.records,
        "recipients": entry.recipients,
        "details": entry.details,
        "leaf_hash": leaf,
        "chain_hash": chain,
    }


def entry_from(row: AuditEventRow) -> Entry:
    """The entry a stored row says it holds (to be re-hashed by verification)."""
    return Entry(
        seq=row.seq,
        at=row.at,
        name=row.name,
        category=row.category,
        actor={
            "kind": row.actor_kind,
            "name": row.actor_name,
            "id": row.actor_id,
            "role": row.actor_role,
        },
        purpose=row.purpose,
        outcome=row.outcome,
        reason=row.reason,
        address=row.address,
        records=list(row.records),
        recipients=list(row.recipients),
        details=dict(row.details),
    )


@dataclass(frozen=True)
class EventFilter:
    """What auditors narrow the log to."""

    actor: str | None = None
    record: str | None = None
    name: str | None = None
    category: str | None = None
    outcome: str | None = None
    purpose: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def query(
    session: Session, filters: EventFilter, limit: int | None, after: int | None = None
) -> list[AuditEventRow]:
    """Events matching ``filters``, oldest first, after sequence number ``after``."""
    q = select(AuditEventRow).order_by(AuditEventRow.seq)
    if after is not None:
        q = q.where(AuditEventRow.seq > after)
    if filters.actor:
        q = q.where(AuditEventRow.actor_name == filters.actor)
    if filters.record:
        # Records are kept as a JSON list of "kind:id"; matching the quoted string
        # works the same on SQLite's JSON text and PostgreSQL's JSONB-as-text.
        needle = '"' + filters.record.replace('"', "") + '"'
        q = q.where(cast(AuditEventRow.records, Text).contains(needle, autoescape=True))
    if filters.name:
        q = q.where(AuditEventRow.name == filters.name)
    if filters.category:
        q = q.where(AuditEventRow.category == filters.category)
    if filters.outcome:
        q = q.where(AuditEventRow.outcome == filters.outcome)
    if filters.purpose:
        q = q.where(AuditEventRow.purpose.contains(filters.purpose, autoescape=True))
    if filters.since:
        q = q.where(AuditEventRow.at >= filters.since)
    if filters.until:
        q = q.where(AuditEventRow.at < filters.until)
    if limit is not None:
        q = q.limit(limit)
    return list(session.scalars(q))


def stored_entries(session: Session, batch_size: int = 10_000) -> Iterator[tuple[Entry, str, str]]:
    """Every entry with its stored leaf and chain hashes, in sequence order (streamed).

    Plain rows, not ORM objects: verification reads millions of them.
    """
    t = table(AuditEventRow).c
    q = select(
        t.seq,
        t.at,
        t.name,
        t.category,
        t.actor_kind,
        t.actor_name,
        t.actor_id,
        t.actor_role,
        t.purpose,
        t.outcome,
        t.reason,
        t.address,
        t.records,
        t.recipients,
        t.details,
        t.leaf_hash,
        t.chain_hash,
    ).order_by(t.seq)
    for r in session.execute(q.execution_options(yield_per=batch_size)):
        entry = Entry(
            seq=r[0],
            at=r[1],
            name=r[2],
            category=r[3],
            actor={"kind": r[4], "name": r[5], "id": r[6], "role": r[7]},
            purpose=r[8],
            outcome=r[9],
            reason=r[10],
            address=r[11],
            records=r[12],
            recipients=r[13],
            details=r[14],
        )
        yield entry, r[15], r[16]


def leaf_hashes(session: Session, upto: int | None = None) -> list[bytes]:
    """The stored leaf hashes, in order (the first ``upto`` of them)."""
    q = select(AuditEventRow.leaf_hash).order_by(AuditEventRow.seq)
    if upto is not None:
        q = q.where(AuditEventRow.seq <= upto)
    return [bytes.fromhex(h) for h in session.scalars(q.execution_options(yield_per=50_000))]


def size(session: Session) -> int:
    """How many entries the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def save_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    """Keep a signed checkpoint."""
    session.add(
        AuditCheckpointRow(
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash,
            signed_at=checkpoint.signed_at,
            signature=checkpoint.signature,
            public_key=checkpoint.public_key,
        )
    )


def checkpoints(session: Session) -> list[Checkpoint]:
    """Every stored checkpoint, oldest first (the node id is filled in by the caller)."""
    rows = session.scalars(select(AuditCheckpointRow).order_by(AuditCheckpointRow.id))
    return [
        Checkpoint("", r.tree_size, r.root_hash, r.signed_at, r.signature, r.public_key)
        for r in rows
    ]
