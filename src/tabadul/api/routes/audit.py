"""``/api/v1/audit``: the audit log for auditors — query, export, checkpoints, verification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from tabadul.api.deps import CurrentUser, NodeDep
from tabadul.audit.checkpoints import Checkpoint
from tabadul.errors import NotFound, ValidationFailed
from tabadul.schemas.common import Page
from tabadul.services import auditing
from tabadul.storage.audit_log import EventFilter

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


def _filters(
    actor: str | None = None,
    record: str | None = Query(default=None, description="e.g. report:01a2… or user:ana"),
    name: str | None = Query(default=None, description="An event name, e.g. report.viewed"),
    category: str | None = None,
    outcome: Literal["allowed", "refused"] | None = None,
    purpose: str | None = Query(default=None, description="Text the stated purpose contains"),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> EventFilter:
    return EventFilter(actor, record, name, category, outcome, purpose, since, until)


@router.get("/events")
def list_events(
    node: NodeDep,
    user: CurrentUser,
    filters: Annotated[EventFilter, Depends(_filters)],
    limit: Annotated[int, Query(ge=1, le=auditing.MAX_PAGE)] = 100,
    cursor: Annotated[int | None, Query(ge=0)] = None,
) -> Page[auditing.AuditEventOut]:
    """Events by actor, record, name, category, outcome, purpose and time; oldest first."""
    return auditing.list_events(node, user, filters, limit, cursor)


@router.get("/export")
def export_events(
    node: NodeDep,
    user: CurrentUser,
    filters: Annotated[EventFilter, Depends(_filters)],
    format: Literal["jsonl", "csv"] = "jsonl",
) -> StreamingResponse:
    """The matching events as JSON Lines or CSV (the export is itself logged)."""
    lines = auditing.export_events(node, user, filters, format)
    first = next(lines, "")  # runs the checks and logs the export before the response starts
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    body = (line for chunk in ([first], lines) for line in chunk)
    return StreamingResponse(body, media_type=media)


class CheckpointIn(BaseModel):
    """A checkpoint kept outside the node, as ``tabadul audit checkpoint --json`` printed it."""

    checkpoint: dict[str, Any]


@router.get("/checkpoint")
def latest_checkpoint(node: NodeDep, user: CurrentUser) -> dict[str, Any]:
    """The newest checkpoint the node signed."""
    auditing.require_auditor(node, user)
    found = auditing.latest_checkpoint(node)
    if found is None:
        raise NotFound("the node has not signed a checkpoint yet")
    return found.to_dict()


@router.post("/checkpoints", status_code=status.HTTP_201_CREATED)
def new_checkpoint(node: NodeDep, user: CurrentUser) -> dict[str, Any]:
    """Sign a checkpoint of the log now."""
    auditing.require_auditor(node, user)
    return auditing.make_checkpoint(node).to_dict()


@router.post("/verify")
def verify(node: NodeDep, user: CurrentUser, body: CheckpointIn | None = None) -> dict[str, Any]:
    """Recompute the whole log; with a kept checkpoint, also prove the log still extends it."""
    kept = _checkpoint(body) if body else None
    outcome = auditing.verify_log(node, user, kept)
    return auditing.verification_report(outcome)


@router.post("/consistency")
def consistency(node: NodeDep, user: CurrentUser, body: CheckpointIn) -> dict[str, Any]:
    """An RFC 6962 consistency proof from a kept checkpoint to a fresh one, to check elsewhere."""
    auditing.require_auditor(node, user)
    return auditing.consistency(node, _checkpoint(body))


def _checkpoint(body: CheckpointIn) -> Checkpoint:
    try:
        return Checkpoint.from_dict(body.checkpoint)
    except ValueError as exc:
        raise ValidationFailed.field("checkpoint", str(exc)) from None
