"""Accounts: adding users, handing out and checking API tokens."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tabadul.access.passwords import generate_password, hash_password
from tabadul.access.policy import Principal
from tabadul.access.tokens import display_prefix, generate_token, token_hash
from tabadul.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from tabadul.model.accounts import Role
from tabadul.services.node import Node
from tabadul.storage import accounts
from tabadul.storage.tables import ApiTokenRow, UserRow
from tabadul.storage.types import utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Writing last_used on every request would make every read a write; a minute's
# precision is what an administrator reviewing tokens needs.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class NewUser:
    """A created user and the one-time password to hand over."""

    username: str
    role: str
    password: str


@dataclass(frozen=True)
class NewToken:
    """A created token: shown once, never stored in clear."""

    id: int
    username: str
    token: str
    prefix: str


def add_user(node: Node, username: str, role: str, display_name: str | None = None) -> NewUser:
    """Create a user with a generated password."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise ValidationFailed.field(
            "username", "2-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        raise ValidationFailed.field("role", str(exc)) from None
    password = generate_password()
    now = utcnow()
    with node.db.transaction() as session:
        if accounts.user_by_name(session, name) is not None:
            raise Conflict(f"a user called {name!r} already exists")
        session.add(
            UserRow(
                username=name,
                role=parsed.value,
                password_hash=hash_password(password),
                display_name=display_name,
                disabled=False,
                created_at=now,
                updated_at=now,
            )
        )
    return NewUser(name, parsed.value, password)


def list_users(node: Node) -> list[UserRow]:
    """Every user of the node."""
    with node.db.reading() as session:
        return accounts.users(session)


def create_token(node: Node, username: str, label: str | None = None) -> NewToken:
    """A new API token for ``username``."""
    token = generate_token()
    with node.db.transaction() as session:
        user = _user(session, username)
        row = ApiTokenRow(
            user_id=user.id,
            token_hash=token_hash(token),
            prefix=display_prefix(token),
            label=label,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return NewToken(row.id, user.username, token, row.prefix)


def revoke_token(node: Node, token_id: int) -> None:
    """Stop a token from working, at once and for good."""
    with node.db.transaction() as session:
        row = session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()


def authenticate_token(node: Node, token: str) -> Principal:
    """The principal a bearer token stands for; one error for every way it can fail."""
    refused = AuthenticationRequired("invalid or expired token")
    now = utcnow()
    with node.db.reading() as session:
        found = accounts.token_with_user(session, token_hash(token))
    if found is None:
        raise refused
    row, user = found
    if row.revoked_at is not None or user.disabled:
        raise refused
    if row.expires_at is not None and row.expires_at <= now:
        raise refused
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        with node.db.transaction() as session:
            accounts.touch_token(session, row.id, now)
    return Principal(user.id, user.username, Role(user.role))


def _user(session: Session, username: str) -> UserRow:
    user = accounts.user_by_name(session, username.strip().lower())
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user
