"""From an event to the entry that is hashed and stored."""

from __future__ import annotations

import datetime as dt

from tabadul.audit.events import Event
from tabadul.audit.hashing import Entry


def entry_of(event: Event, seq: int, at: dt.datetime) -> Entry:
    """The hashed form of ``event`` as the ``seq``-th entry of the log."""
    return Entry(
        seq=seq,
        at=at,
        name=event.name,
        category=event.category.value,
        actor=event.actor.to_dict(),
        purpose=event.purpose,
        outcome=event.outcome.value,
        reason=event.reason,
        address=event.address,
        records=event.records(),
        recipients=event.recipients(),
        details=event.details(),
    )
