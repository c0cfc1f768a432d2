"""Accounts: users, their clearance and compartments, passwords, and API tokens.

Functions that manage accounts take an ``actor``: a principal, whom the
access policy must allow to manage users (administrators), or ``None`` for
the node's operator at the console (the ``tabadul`` command, run by whoever
holds the data directory and therefore the node itself).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tabadul.access.passwords import (
    generate_password,
    hash_password,
    password_problems,
    verify_password,
)
from tabadul.access.policy import ALL_SCOPES, Action, Kind, Principal, Scope
from tabadul.access.tokens import display_prefix, generate_token, token_hash
from tabadul.audit import events as ev
from tabadul.errors import (
    AuthenticationRequired,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tabadul.model.accounts import Role
from tabadul.model.protection import clean_compartments
from tabadul.schemas.accounts import TokenOut, UserOut
from tabadul.services import auditing
from tabadul.services.node import Node
from tabadul.storage import accounts, audit_log
from tabadul.storage.tables import ApiTokenRow, UserRow
from tabadul.storage.types import utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Writing last_used on every request would make every read a write; a minute's
# precision is what an administrator reviewing tokens needs.
TOUCH_INTERVAL = dt.timedelta(seconds=60)
DEFAULT_TOKEN_DAYS = 90


@dataclass(frozen=True)
class NewUser:
    """A created user and the one-time password to hand over."""

    user: UserOut
    password: str


@dataclass(frozen=True)
class NewToken:
    """A created token: shown once, never stored in clear."""

    record: TokenOut
    token: str


# -- users ------------------------------------------------------------------


def add_user(
    node: Node,
    actor: Principal | None,
    username: str,
    role: str,
    *,
    clearance: str | None = None,
    compartments: Iterable[str] = (),
    display_name: str | None = None,
) -> NewUser:
    """Create a user with a generated password."""
    _require_manager(node, actor, Kind.USER)
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise ValidationFailed.field(
            "username", "2-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    parsed = _role(role)
    level = node.classification.parse(clearance or node.classification.lowest, "clearance")
    groups = clean_compartments(compartments)
    password = generate_password()
    now = utcnow()
    with node.db.transaction() as session:
        if accounts.user_by_name(session, name) is not None:
            raise Conflict(f"a user called {name!r} already exists")
        row = UserRow(
            username=name,
            role=parsed.value,
            password_hash=hash_password(password),
            clearance=level,
            display_name=display_name,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        accounts.set_compartments(session, row.id, groups)
        audit_log.add(
            session,
            ev.UserCreated(
                actor=auditing.actor_of(actor),
                username=name,
                role=parsed.value,
                clearance=level,
                compartments=tuple(sorted(groups)),
            ),
        )
        return NewUser(_user_out(row, groups), password)


def list_users(node: Node, actor: Principal | None) -> list[UserOut]:
    """Every user of the node."""
    _require_manager(node, actor, Kind.USER, Action.READ)
    with node.db.reading() as session:
        rows = accounts.users(session)
        groups = accounts.compartments_of(session, [r.id for r in rows])
        return [_user_out(r, groups.get(r.id, frozenset())) for r in rows]


def change_user(
    node: Node,
    actor: Principal | None,
    username: str,
    *,
    role: str | None = None,
    clearance: str | None = None,
    compartments: Iterable[str] | None = None,
    add_compartments: Iterable[str] = (),
    remove_compartments: Iterable[str] = (),
    disabled: bool | None = None,
    display_name: str | None = None,
) -> UserOut:
    """Change a user's role, clearance, compartments, name, or disable them.

    Disabling a user ends their sessions at once; their tokens stop working.
    """
    _require_manager(node, actor, Kind.USER, record=f"user:{username}")
    if actor is not None and actor.username == username.strip().lower() and (disabled or role):
        error = PermissionDenied("administrators cannot disable themselves or change their role")
        raise auditing.refusal(node, actor, "manage", f"user:{username}", error)
    with node.db.transaction() as session:
        row = _user(session, username)
        before = _user_out(
            row, accounts.compartments_of(session, [row.id]).get(row.id, frozenset())
        )
        if role is not None:
            row.role = _role(role).value
        if clearance is not None:
            row.clearance = node.classification.parse(clearance, "clearance")
        if display_name is not None:
            row.display_name = display_name
        groups = frozenset(before.compartments)
        if compartments is not None:
            groups = clean_compartments(compartments)
        groups = (groups | clean_compartments(add_compartments)) - clean_compartments(
            remove_compartments, "remove"
        )
        accounts.set_compartments(session, row.id, groups)
        if disabled is not None:
            row.disabled = disabled
            if disabled:
                accounts.end_sessions(session, row.id, utcnow())
        row.updated_at = utcnow()
        after = _user_out(row, groups)
        changes = {
            name: {"from": getattr(before, name), "to": getattr(after, name)}
            for name in ("role", "clearance", "compartments", "disabled", "display_name")
            if getattr(before, name) != getattr(after, name)
        }
        if changes:
            audit_log.add(
                session,
                ev.UserChanged(
                    actor=auditing.actor_of(actor), username=row.username, changes=changes
                ),
            )
        return after


def reset_password(node: Node, actor: Principal | None, username: str) -> str:
    """Give a user a new generated password (ending their sessions); returns it, once."""
    _require_manager(node, actor, Kind.USER, record=f"user:{username}")
    password = generate_password()
    with node.db.transaction() as session:
        row = _user(session, username)
        row.password_hash = hash_password(password)
        row.password_changed_at = None  # generated, not chosen
        row.updated_at = utcnow()
        accounts.end_sessions(session, row.id, utcnow())
        audit_log.add(
            session, ev.PasswordReset(actor=auditing.actor_of(actor), username=row.username)
        )
    return password


def reset_totp(node: Node, actor: Principal | None, username: str) -> None:
    """Forget a user's authenticator (lost phone): they enrol again at their next sign-in."""
    _require_manager(node, actor, Kind.USER, record=f"user:{username}")
    with node.db.transaction() as session:
        row = _user(session, username)
        row.totp_secret = None
        row.totp_enabled_at = None
        row.totp_last_step = None
        row.updated_at = utcnow()
        accounts.end_sessions(session, row.id, utcnow())
        audit_log.add(
            session, ev.AuthenticatorReset(actor=auditing.actor_of(actor), username=row.username)
        )


def change_password(node: Node, actor: Principal, current: str, new: str) -> None:
    """Change one's own password, checking the old one and the rules for the new one."""
    _require_own(node, actor)
    with node.db.transaction() as session:
        row = _user(session, actor.username)
        if not verify_password(row.password_hash, current):
            raise ValidationFailed.field("current_password", "is not your current password")
        problems = password_problems(new, [row.username, node.identity.name, "tabadul"])
        if problems:
            raise ValidationFailed.field("new_password", problems[0])
        if verify_password(row.password_hash, new):
            raise ValidationFailed.field("new_password", "is the same as the current one")
        row.password_hash = hash_password(new)
        row.password_changed_at = utcnow()
        row.updated_at = utcnow()
        audit_log.add(session, ev.PasswordChanged(actor=auditing.actor_of(actor)))


def principal_named(node: Node, username: str) -> Principal:
    """The principal of a user, for work the operator does on their behalf (exports)."""
    with node.db.reading() as session:
        user = _user(session, username)
        if user.disabled:
            raise PermissionDenied(f"{username!r} is disabled")
        return principal_of(session, user)


# -- tokens -----------------------------------------------------------------


def create_token(
    node: Node,
    actor: Principal | None,
    username: str,
    *,
    scopes: Iterable[str] = ("read",),
    expires_in_days: int | None = DEFAULT_TOKEN_DAYS,
    label: str | None = None,
) -> NewToken:
    """A new API token for ``username``: one's own, or anyone's for an administrator."""
    try:
        wanted = sorted({Scope(s).value for s in scopes})
    except ValueError:
        raise ValidationFailed.field("scopes", "use read, write and/or exchange") from None
    if not wanted:
        raise ValidationFailed.field("scopes", "a token needs at least one scope")
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationFailed.field("expires_in_days", "between 1 and 366 days")
    name = username.strip().lower()
    if actor is not None and actor.username != name:
        _require_manager(node, actor, Kind.TOKEN, record=f"user:{name}")
    elif actor is not None:
        _require_own(node, actor)
        if not {Scope(s) for s in wanted} <= actor.scopes:
            error = PermissionDenied("a token cannot create a token with scopes it does not have")
            raise auditing.refusal(node, actor, "create token", f"user:{name}", error)
    token = generate_token()
    now = utcnow()
    with node.db.transaction() as session:
        user = _user(session, name)
        row = ApiTokenRow(
            user_id=user.id,
            token_hash=token_hash(token),
            prefix=display_prefix(token),
            label=label,
            scopes=wanted,
            created_at=now,
            expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        session.add(row)
        session.flush()
        audit_log.add(
            session,
            ev.TokenCreated(
                actor=auditing.actor_of(actor),
                token_id=row.id,
                username=user.username,
                scopes=tuple(wanted),
                prefix=row.prefix,
            ),
        )
        return NewToken(_token_out(row, user.username), token)


def list_tokens(node: Node, actor: Principal | None, username: str) -> list[TokenOut]:
    """A user's tokens (one's own, or anyone's for an administrator)."""
    with node.db.reading() as session:
        user = _user(session, username)
        if actor is not None and actor.user_id != user.id:
            _require_manager(node, actor, Kind.TOKEN, Action.READ)
        return [_token_out(t, user.username) for t in accounts.tokens_of(session, user.id)]


def revoke_token(node: Node, actor: Principal | None, token_id: int) -> None:
    """Stop a token from working, at once and for good."""
    with node.db.reading() as session:
        owner = session.scalar(select(ApiTokenRow.user_id).where(ApiTokenRow.id == token_id))
    if actor is not None and owner is not None and actor.user_id != owner:
        if not node.policy.allows_role(actor, Action.MANAGE, Kind.TOKEN):
            owner = None  # others' tokens are not to be known: answered as missing
    elif actor is not None:
        _require_own(node, actor)
    if owner is None:
        error = NotFound(f"no token {token_id}")
        raise auditing.refusal(node, actor, "revoke token", f"token:{token_id}", error)
    with node.db.transaction() as session:
        row = session.get(ApiTokenRow, token_id)
        assert row is not None
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit_log.add(
                session, ev.TokenRevoked(actor=auditing.actor_of(actor), token_id=token_id)
            )


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
        scopes = frozenset(Scope(s) for s in row.scopes)
        principal = principal_of(session, user, scopes)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        with node.db.transaction() as session:
            accounts.touch_token(session, row.id, now)
    return principal


def principal_of(
    session: Session, user: UserRow, scopes: frozenset[Scope] = ALL_SCOPES
) -> Principal:
    """The principal a user row stands for."""
    groups = accounts.compartments_of(session, [user.id]).get(user.id, frozenset())
    return Principal(user.id, user.username, Role(user.role), user.clearance, groups, scopes)


# -- helpers ------------------------------------------------------------------


def _require_manager(
    node: Node,
    actor: Principal | None,
    kind: Kind,
    action: Action = Action.MANAGE,
    record: str | None = None,
) -> None:
    if actor is not None and not node.policy.allows_role(actor, action, kind):
        error = PermissionDenied(f"the {actor.role.value} role may not manage {kind.value}s")
        raise auditing.refusal(node, actor, f"{action.value} {kind.value}", record, error)


def _require_own(node: Node, actor: Principal) -> None:
    if not node.policy.allows_role(actor, Action.UPDATE, Kind.ACCOUNT):
        error = PermissionDenied("this token may only read")
        raise auditing.refusal(node, actor, "update own account", f"user:{actor.username}", error)


def _role(value: str) -> Role:
    try:
        return Role.parse(value)
    except ValueError as exc:
        raise ValidationFailed.field("role", str(exc)) from None


def _user(session: Session, username: str) -> UserRow:
    user = accounts.user_by_name(session, username.strip().lower())
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _user_out(row: UserRow, compartments: frozenset[str]) -> UserOut:
    return UserOut(
        username=row.username,
        role=row.role,
        clearance=row.clearance,
        compartments=sorted(compartments),
        display_name=row.display_name,
        disabled=row.disabled,
        totp_enrolled=row.totp_enabled_at is not None,
        created_at=row.created_at,
    )


def _token_out(row: ApiTokenRow, username: str) -> TokenOut:
    return TokenOut(
        id=row.id,
        username=username,
        prefix=row.prefix,
        label=row.label,
        scopes=list(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
