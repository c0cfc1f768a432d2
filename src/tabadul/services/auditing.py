"""Auditing: who acted, logging consultations and refusals, and the auditor's view of the log.

Changes are audited inside their own unit of work (``audit_log.add`` in the
service that makes them). Reads leave nothing to commit, so their
consultation event is written in a short transaction of its own *before*
the data is handed back: if the event cannot be written, nothing is shown.
Refusals are written the same way, since the refused action rolls back.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal
from tabadul.audit import events as ev
from tabadul.audit.checkpoints import Checkpoint, sign
from tabadul.audit.merkle import consistency_proof, root, verify_consistency
from tabadul.audit.verification import Problem, Result, verify
from tabadul.errors import PermissionDenied, PurposeRequired, TabadulError, ValidationFailed
from tabadul.schemas.common import Page
from tabadul.services.node import Node
from tabadul.storage import audit_log, jobs
from tabadul.storage.audit_log import EventFilter
from tabadul.storage.tables import AuditEventRow
from tabadul.storage.types import utcnow

PURPOSE_MAX = 500
CHECKPOINT_JOB = "audit.checkpoint"
MAX_PAGE = 1000
EXPORT_FIELDS = (
    "seq",
    "at",
    "name",
    "category",
    "outcome",
    "actor_kind",
    "actor_name",
    "actor_role",
    "purpose",
    "reason",
    "address",
    "records",
    "recipients",
    "details",
    "leaf_hash",
    "chain_hash",
)


def actor_of(principal: Principal | None) -> ev.Actor:
    """The audit actor for a principal, or the operator at the console for None."""
    if principal is None:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers): still an operator
            who = "unknown"
        return ev.Actor("operator", who)
    return ev.Actor("user", principal.username, principal.user_id, principal.role.value)


def purpose_of(purpose: str | None) -> str:
    """The stated purpose of a consultation, or PurposeRequired."""
    text = (purpose or "").strip()
    if not text:
        raise PurposeRequired()
    if len(text) > PURPOSE_MAX:
        raise ValidationFailed.field("purpose", f"at most {PURPOSE_MAX} characters")
    return text


def record(node: Node, *events: ev.Event) -> None:
    """Write events in a short transaction of their own (consultations, refusals)."""
    with node.db.transaction() as session:
        audit_log.add(session, *events)


def refusal(
    node: Node, actor: Principal | None, action: str, record_ref: str | None, error: TabadulError
) -> TabadulError:
    """Log that the policy refused ``action`` on ``record_ref``; returns ``error`` to raise."""
    record(
        node,
        ev.Refused(
            actor=actor_of(actor),
            outcome=ev.Outcome.REFUSED,
            reason=error.message,
            action=action,
            record=record_ref,
        ),
    )
    return error


def refusal_event(node: Node, event: ev.Event, error: TabadulError) -> TabadulError:
    """Log a refusal described by ``event``; returns ``error`` to raise."""
    record(node, event)
    return error


# -- the auditor's view -------------------------------------------------------


@dataclass(frozen=True)
class AuditEventOut:
    """An entry of the log as auditors read it."""

    seq: int
    at: dt.datetime
    name: str
    category: str
    outcome: str
    actor: dict[str, Any]
    purpose: str | None
    reason: str | None
    address: str | None
    records: list[str]
    recipients: list[str]
    details: dict[str, Any]
    leaf_hash: str
    chain_hash: str


def list_events(
    node: Node,
    actor: Principal | None,
    filters: EventFilter,
    limit: int = 100,
    cursor: int | None = None,
) -> Page[AuditEventOut]:
    """Events matching ``filters``, oldest first; reading the log is itself logged."""
    _require_auditor(node, actor)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"between 1 and {MAX_PAGE}")
    with node.db.reading() as session:
        rows = audit_log.query(session, filters, limit + 1, cursor)
    items = [_out(r) for r in rows[:limit]]
    record(
        node, ev.AuditRead(actor=actor_of(actor), filters=_described(filters), events=len(items))
    )
    next_cursor = str(rows[limit - 1].seq) if len(rows) > limit else None
    return Page[AuditEventOut](items=items, next=next_cursor)


def export_events(
    node: Node, actor: Principal | None, filters: EventFilter, fmt: str
) -> Iterator[str]:
    """Every matching event as JSON Lines or CSV lines (the export is logged first)."""
    _require_auditor(node, actor)
    if fmt not in {"jsonl", "csv"}:
        raise ValidationFailed.field("format", "jsonl or csv")
    record(node, ev.AuditExported(actor=actor_of(actor), filters=_described(filters), format=fmt))
    if fmt == "csv":
        yield _csv_line(EXPORT_FIELDS)
    with node.db.reading() as session:
        after = 0
        while True:
            rows = audit_log.query(session, filters, 5000, after)
            if not rows:
                return
            for row in rows:
                out = _out(row)
                if fmt == "jsonl":
                    yield json.dumps(_plain(out), ensure_ascii=False, separators=(",", ":")) + "\n"
                else:
                    yield _csv_line([_cell(_plain(out), name) for name in EXPORT_FIELDS])
            after = rows[-1].seq


# -- checkpoints and verification ---------------------------------------------


def make_checkpoint(node: Node) -> Checkpoint:
    """Sign a checkpoint of the log as it stands, keep it, and log that it was made."""
    with node.db.transaction() as session:
        return checkpoint_in(session, node)


def checkpoint_in(session: Session, node: Node, *, only_if_grown: bool = False) -> Checkpoint:
    """Sign and keep a checkpoint within the caller's transaction (jobs use this)."""
    leaves = audit_log.leaf_hashes(session)
    if only_if_grown:
        kept = audit_log.checkpoints(session)
        if kept and kept[-1].tree_size == len(leaves):
            last = kept[-1]
            return Checkpoint(
                node.identity.id,
                last.tree_size,
                last.root_hash,
                last.signed_at,
                last.signature,
                last.public_key,
            )
    checkpoint = sign(node.signing_key, node.identity.id, len(leaves), root(leaves), utcnow())
    audit_log.save_checkpoint(session, checkpoint)
    audit_log.add(
        session,
        ev.AuditCheckpointed(
            actor=ev.SYSTEM, tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash
        ),
    )
    return checkpoint


def schedule_checkpoints(node: Node) -> None:
    """Make sure a periodic checkpoint job is queued (called when workers start)."""
    with node.db.transaction() as session:
        if not jobs.pending(session, CHECKPOINT_JOB):
            jobs.enqueue(session, CHECKPOINT_JOB, {}, max_attempts=5)


def latest_checkpoint(node: Node) -> Checkpoint | None:
    """The newest checkpoint the node signed, if any."""
    with node.db.reading() as session:
        found = audit_log.checkpoints(session)
    if not found:
        return None
    last = found[-1]
    return Checkpoint(
        node.identity.id,
        last.tree_size,
        last.root_hash,
        last.signed_at,
        last.signature,
        last.public_key,
    )


@dataclass(frozen=True)
class Verification:
    """What ``tabadul audit verify`` reports."""

    result: Result
    external: str | None  # why a checkpoint kept outside does not hold (None: it holds)
    kept_given: bool = False

    @property
    def intact(self) -> bool:
        return self.result.intact and self.external is None

    @property
    def first(self) -> Problem | None:
        return self.result.first


def verify_log(node: Node, actor: Principal | None, kept: Checkpoint | None = None) -> Verification:
    """Recompute the whole log and check it against every checkpoint (and ``kept``)."""
    if actor is not None:
        _require_auditor(node, actor)
    public = node.signing_key.public_key()
    with node.db.reading() as session:
        stored = [
            Checkpoint(
                node.identity.id, c.tree_size, c.root_hash, c.signed_at, c.signature, c.public_key
            )
            for c in audit_log.checkpoints(session)
        ]
        result = verify(audit_log.stored_entries(session), stored, public)
    external = _check_kept(node, kept, result) if kept is not None else None
    first = result.first
    record(
        node,
        ev.AuditVerified(
            actor=actor_of(actor),
            tree_size=result.tree_size,
            intact=result.intact and external is None,
            first_problem=first.seq if first else None,
        ),
    )
    return Verification(result, external, kept is not None)


def _check_kept(node: Node, kept: Checkpoint, result: Result) -> str | None:
    """Why a checkpoint kept outside the node does not hold, or None when the log extends it."""
    if kept.node_id != node.identity.id:
        return f"the checkpoint is of node {kept.node_id}, not of this node"
    if not kept.verify(node.signing_key.public_key()):
        return "the checkpoint's signature is not this node's"
    if kept.tree_size > result.tree_size:
        return (
            f"the log has {result.tree_size} events, fewer than the {kept.tree_size} "
            "the checkpoint covers"
        )
    with node.db.reading() as session:
        leaves = audit_log.leaf_hashes(session)
    proof = consistency_proof(kept.tree_size, leaves)
    if not verify_consistency(
        kept.tree_size, len(leaves), bytes.fromhex(kept.root_hash), root(leaves), proof
    ):
        return (
            f"the log is not an extension of the checkpoint of {kept.tree_size} events "
            "(consistency proof fails): events it covered were changed"
        )
    return None


def consistency(node: Node, kept: Checkpoint) -> dict[str, Any]:
    """A consistency proof from ``kept`` to a fresh checkpoint (RFC 6962 §2.1.2)."""
    latest = make_checkpoint(node)
    with node.db.reading() as session:
        leaves = audit_log.leaf_hashes(session, upto=latest.tree_size)
    proof = consistency_proof(kept.tree_size, leaves)
    return {
        "from": kept.to_dict(),
        "to": latest.to_dict(),
        "proof": [p.hex() for p in proof],
    }


# -- helpers ------------------------------------------------------------------


def verification_report(outcome: Verification) -> dict[str, Any]:
    """What a verification found, as JSON for the API and the CLI."""
    result = outcome.result
    first = outcome.first
    return {
        "intact": outcome.intact,
        "events": result.tree_size,
        "root_hash": result.root_hash.hex(),
        "checkpoints_checked": result.checkpoints_checked,
        "first_problem": None
        if first is None
        else {"event": first.seq, "kind": first.kind, "message": first.message},
        "problems": [
            {"event": p.seq, "kind": p.kind, "message": p.message} for p in result.problems
        ],
        "kept_checkpoint": (outcome.external or "consistent") if outcome.kept_given else None,
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {"event": problem.seq, "kind": problem.kind, "message": problem.message}


def require_auditor(node: Node, actor: Principal | None) -> None:
    """Refuse (and log) anyone but an auditor (or the operator) touching the audit log."""
    _require_auditor(node, actor)


def _require_auditor(node: Node, actor: Principal | None) -> None:
    if actor is not None and not node.policy.allows_role(actor, Action.READ, Kind.AUDIT):
        raise refusal(
            node,
            actor,
            "read audit log",
            None,
            PermissionDenied("only auditors read the audit log"),
        )


def _out(row: AuditEventRow) -> AuditEventOut:
    return AuditEventOut(
        seq=row.seq,
        at=row.at,
        name=row.name,
        category=row.category,
        outcome=row.outcome,
        actor={
            "kind": row.actor_kind,
            "name": row.actor_name,
            "id": row.actor_id,
            "role": row.actor_role,
        },
        purpose=row.purpose,
        reason=row.reason,
        address=row.address,
        records=list(row.records),
        recipients=list(row.recipients),
        details=dict(row.details),
        leaf_hash=row.leaf_hash,
        chain_hash=row.chain_hash,
    )


def _plain(out: AuditEventOut) -> dict[str, Any]:
    data = dict(out.__dict__)
    data["at"] = out.at.isoformat()
    return data


def _cell(data: dict[str, Any], name: str) -> str:
    actor_field = name.removeprefix("actor_")
    value = data["actor"][actor_field] if actor_field != name else data[name]
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def _csv_line(cells: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _described(filters: EventFilter) -> dict[str, str]:
    return {k: str(v) for k, v in filters.__dict__.items() if v is not None}
