"""Writing messages to the outbox, in the caller's transaction, and waking the delivery job.

The outbox row is written in the same transaction as the decision to send
(DESIGN.md, 'Between nodes'): a decision is never committed without its
message, and no message exists for a decision that rolled back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tabadul.exchange.messages import Message, MessageType
from tabadul.model.ids import new_id
from tabadul.services.node import Node
from tabadul.storage import exchange as store
from tabadul.storage import jobs as queue
from tabadul.storage.tables import PartnerRow
from tabadul.storage.types import utcnow

DELIVER_JOB = "exchange.deliver"
MAINTAIN_JOB = "exchange.maintain"
# Delivery jobs never run out of attempts: failures are handled by the handler's own backoff.
JOB_ATTEMPTS = 1_000_000


def queue_message(
    session: Session,
    node: Node,
    partner: PartnerRow,
    kind: MessageType,
    body: dict[str, Any],
    *,
    agreement_id: str | None = None,
    report_id: str | None = None,
    version: int | None = None,
    share_id: str | None = None,
) -> Message:
    """Write one message to ``partner`` to the outbox; it is sent once the transaction commits."""
    now = utcnow()
    message = Message(
        id=new_id(),
        type=kind,
        sender=node.identity.id,
        recipient=partner.node_id,
        created_at=now.isoformat(),
        agreement=agreement_id,
        body=body,
    )
    store.add_outbox(
        session,
        [
            {
                "message_id": message.id,
                "partner_id": partner.id,
                "type": kind.value,
                "report_id": report_id,
                "version": version,
                "share_id": share_id,
                "message": message.to_dict(),
                "digest": message.digest,
                "status": store.QUEUED,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        ],
    )
    wake(session)
    return message


def wake(session: Session, run_after: dt.datetime | None = None) -> None:
    """Make sure a delivery job is queued (one is enough: it serves every partner)."""
    if not queue.pending(session, DELIVER_JOB):
        queue.enqueue(session, DELIVER_JOB, {}, max_attempts=JOB_ATTEMPTS, run_after=run_after)
