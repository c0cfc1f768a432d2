"""Users and API tokens in the database. Repository functions never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tabadul.storage.tables import (
    ApiTokenRow,
    UserCompartmentRow,
    UserRow,
    WebSessionRow,
    table,
)


def user_by_name(session: Session, username: str) -> UserRow | None:
    """The user called ``username``, or None."""
    return session.scalars(select(UserRow).where(UserRow.username == username)).first()


def users(session: Session) -> list[UserRow]:
    """Every user, by username."""
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    """The username of each user id among ``ids``."""
    if not ids:
        return {}
    rows = session.execute(select(UserRow.id, UserRow.username).where(UserRow.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def token_with_user(session: Session, digest: str) -> tuple[ApiTokenRow, UserRow] | None:
    """The token stored under ``digest`` and its owner, or None."""
    query = (
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == digest)
    )
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def tokens_of(session: Session, user_id: int) -> list[ApiTokenRow]:
    """A user's tokens, newest first."""
    query = (
        select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id.desc())
    )
    return list(session.scalars(query))


def touch_token(session: Session, token_id: int, when: dt.datetime) -> None:
    """Record when a token was last used."""
    session.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=when))


def compartments_of(session: Session, user_ids: list[int]) -> dict[int, frozenset[str]]:
    """The compartments of each user among ``user_ids``."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserCompartmentRow.user_id, UserCompartmentRow.compartment).where(
            UserCompartmentRow.user_id.in_(user_ids)
        )
    )
    found: dict[int, set[str]] = {}
    for user_id, compartment in rows:
        found.setdefault(user_id, set()).add(compartment)
    return {user_id: frozenset(groups) for user_id, groups in found.items()}


def set_compartments(session: Session, user_id: int, compartments: frozenset[str]) -> None:
    """Replace a user's compartments."""
    session.execute(delete(UserCompartmentRow).where(UserCompartmentRow.user_id == user_id))
    if compartments:
        session.execute(
            table(UserCompartmentRow).insert(),
            [{"user_id": user_id, "compartment": c} for c in sorted(compartments)],
        )


def end_sessions(session: Session, user_id: int, when: dt.datetime) -> None:
    """End every open web session of a user (disabled, password reset, authenticator reset)."""
    session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == user_id, WebSessionRow.ended_at.is_(None))
        .values(ended_at=when)
    )
