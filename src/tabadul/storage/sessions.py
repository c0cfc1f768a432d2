"""Web sessions and sign-in failure counters. Repository functions never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tabadul.storage.tables import SigninFailureRow, UserRow, WebSessionRow


def create(
    session: Session,
    token_hash: str,
    user_id: int,
    stage: str,
    now: dt.datetime,
    address: str | None,
) -> WebSessionRow:
    """A new session row."""
    row = WebSessionRow(
        token_hash=token_hash,
        user_id=user_id,
        stage=stage,
        created_at=now,
        last_seen_at=now,
        address=address,
    )
    session.add(row)
    session.flush()
    return row


def by_hash(session: Session, token_hash: str) -> tuple[WebSessionRow, UserRow] | None:
    """The session stored under ``token_hash`` and its user, or None."""
    row = session.execute(
        select(WebSessionRow, UserRow)
        .join(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def failures(session: Session, keys: list[str]) -> list[SigninFailureRow]:
    """The failure counters stored under ``keys``."""
    return list(session.scalars(select(SigninFailureRow).where(SigninFailureRow.key.in_(keys))))


def clear_failures(session: Session, keys: list[str]) -> None:
    """Forget the failures counted under ``keys`` (after a successful sign-in)."""
    session.execute(delete(SigninFailureRow).where(SigninFailureRow.key.in_(keys)))
