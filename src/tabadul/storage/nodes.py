"""This node's own identity row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tabadul.storage.tables import NodeRow


def get(session: Session) -> NodeRow | None:
    """The node's identity, or None if the database was never initialised."""
    return session.scalars(select(NodeRow)).first()
