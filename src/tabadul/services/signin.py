"""Signing in to the web interface: password, then a TOTP code; sessions; lockouts.

The flow:

1. ``password_step`` checks the username and password. Failures are counted
   per account and per address: after ``signin_delay_after`` failures each
   further try must wait longer (2, 4, 8 … seconds, at most a minute), and
   after ``signin_lockout_after`` the account or address is locked for
   ``signin_lockout_minutes``. Unknown users and wrong passwords get the same
   answer, in the same time. Success opens a session at the "password" stage.
2. A user without an authenticator enrols (``enrolment`` shows the secret and
   a QR code the node draws itself; ``confirm_enrolment`` checks a first
   code); others give a code (``code_step``). TOTP is RFC 6238 (30-second
   steps, ±1 step of clock drift), and a code is accepted once only.
3. Either way the session is then "full", under a new token (the one from
   the password stage stops working), with an idle and an absolute timeout.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy.orm import Session

from tabadul.access.passwords import verify_password
from tabadul.access.policy import Principal
from tabadul.access.tokens import token_hash
from tabadul.audit import events as ev
from tabadul.errors import AuthenticationRequired, TooManyAttempts, ValidationFailed
from tabadul.services import auditing
from tabadul.services.accounts import principal_of
from tabadul.services.node import Node
from tabadul.storage import accounts, audit_log, sessions
from tabadul.storage.tables import SigninFailureRow, UserRow, WebSessionRow
from tabadul.storage.types import utcnow

PASSWORD_STAGE = "password"  # noqa: S105 (a stage name, not a password)
FULL_STAGE = "full"
PASSWORD_STAGE_MINUTES = 5
TOTP_PURPOSE = "totp-secret"
TOUCH_INTERVAL = dt.timedelta(seconds=30)
FAILED = "sign-in failed: wrong username, password or code"


@dataclass(frozen=True)
class Started:
    """After the password: the session token and what the user must do next."""

    token: str
    next_step: str  # "enrol" or "code"


@dataclass(frozen=True)
class Enrolment:
    """What a user needs to set up an authenticator app."""

    secret: str
    uri: str
    qr_svg: str


@dataclass(frozen=True)
class SignedIn:
    """A full session: who it is, and its token (new after each stage)."""

    principal: Principal
    token: str
    session_id: int
    language: str = "en"
    purpose: str | None = None


def password_step(node: Node, username: str, password: str, address: str | None) -> Started:
    """Check username and password; open a session at the password stage."""
    name = username.strip().lower()[:64]
    keys = [f"user:{name}", f"address:{address or 'unknown'}"]
    now = utcnow()
    try:
        _refuse_if_throttled(node, keys, now)
    except TooManyAttempts as exc:
        failure = ev.SigninFailed(
            actor=ev.Actor("user", name),
            outcome=ev.Outcome.REFUSED,
            reason=exc.message,
            address=address,
            username=name,
            step="password",
        )
        raise auditing.refusal_event(node, failure, exc) from None
    with node.db.reading() as session:
        user = accounts.user_by_name(session, name)
    usable = user is not None and not user.disabled
    # The hash is checked even for unknown users, so both take the same time.
    ok = verify_password(user.password_hash if user is not None else None, password) and usable
    if not ok or user is None:
        _count_failure(
            node,
            keys,
            now,
            ev.SigninFailed(
                actor=ev.Actor(
                    "user", name, user.id if user else None, user.role if user else None
                ),
                outcome=ev.Outcome.REFUSED,
                reason="wrong username or password"
                if usable or user is None
                else "account disabled",
                address=address,
                username=name,
                step="password",
            ),
        )
        raise AuthenticationRequired(FAILED)
    token = secrets.token_urlsafe(32)
    with node.db.transaction() as session:
        sessions.clear_failures(session, keys[:1])
        sessions.create(session, token_hash(token), user.id, PASSWORD_STAGE, now, address)
    return Started(token, "code" if user.totp_enabled_at is not None else "enrol")


def enrolment(node: Node, token: str) -> Enrolment:
    """A new authenticator secret for a password-stage session's user (kept until confirmed)."""
    with node.db.transaction() as session:
        _row, user = _session(session, node, token, PASSWORD_STAGE)
        if user.totp_enabled_at is not None:
            raise AuthenticationRequired("this account already has an authenticator")
        if user.totp_secret is None:
            user.totp_secret = node.keyring.seal(TOTP_PURPOSE, pyotp.random_base32())
        secret = node.keyring.unseal(TOTP_PURPOSE, user.totp_secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=_issuer(node))
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff")
    return Enrolment(secret, uri, qr)


def confirm_enrolment(node: Node, token: str, code: str, address: str | None) -> SignedIn:
    """Check the first code from a newly set-up authenticator, then sign in fully."""
    return _second_factor(node, token, code, address, enrolling=True)


def code_step(node: Node, token: str, code: str, address: str | None) -> SignedIn:
    """Check a TOTP code after the password, then sign in fully."""
    return _second_factor(node, token, code, address, enrolling=False)


def current(node: Node, token: str) -> SignedIn:
    """The signed-in principal behind a session token, or AuthenticationRequired."""
    now = utcnow()
    with node.db.reading() as session:
        row, user = _session(session, node, token, FULL_STAGE)
        principal = principal_of(session, user)
        seen, session_id, purpose, language = row.last_seen_at, row.id, row.purpose, user.language
    if now - seen > TOUCH_INTERVAL:
        with node.db.transaction() as session:
            live = session.get(WebSessionRow, session_id)
            if live is not None:
                live.last_seen_at = now
    return SignedIn(principal, token, session_id, language, purpose)


def set_purpose(node: Node, token: str, purpose: str) -> None:
    """Set the working context (case reference) that the session's consultations are logged with."""
    with node.db.transaction() as session:
        row, _user = _session(session, node, token, FULL_STAGE)
        row.purpose = purpose


def set_language(node: Node, principal: Principal, code: str) -> None:
    """Remember a user's interface language."""
    with node.db.transaction() as session:
        user = session.get(UserRow, principal.user_id)
        if user is not None:
            user.language = code


def pending_user(node: Node, token: str) -> str:
    """The username of a password-stage session (for the code page)."""
    with node.db.reading() as session:
        return _session(session, node, token, PASSWORD_STAGE)[1].username


def sign_out(node: Node, token: str, address: str | None = None) -> None:
    """End a session on the server; its cookie is worthless from now on."""
    with node.db.transaction() as session:
        found = sessions.by_hash(session, token_hash(token))
        if found is not None and found[0].ended_at is None:
            found[0].ended_at = utcnow()
            user = found[1]
            actor = ev.Actor("user", user.username, user.id, user.role)
            audit_log.add(session, ev.SignedOut(actor=actor, address=address))


def _second_factor(
    node: Node, token: str, code: str, address: str | None, *, enrolling: bool
) -> SignedIn:
    now = utcnow()
    with node.db.reading() as session:
        _row, user = _session(session, node, token, PASSWORD_STAGE)
        keys = [f"user:{user.username}", f"address:{address or 'unknown'}"]
    _refuse_if_throttled(node, keys, now)
    new_token = secrets.token_urlsafe(32)
    with node.db.transaction() as session:
        row, user = _session(session, node, token, PASSWORD_STAGE)
        if enrolling != (user.totp_enabled_at is None) or user.totp_secret is None:
            raise AuthenticationRequired(FAILED)
        step = _accepted_step(node, user, code, now)
        actor = ev.Actor("user", user.username, user.id, user.role)
        if step is None:
            failed = True
        else:
            failed = False
            user.totp_last_step = step
            if enrolling:
                user.totp_enabled_at = now
                audit_log.add(session, ev.AuthenticatorEnrolled(actor=actor, address=address))
            audit_log.add(session, ev.SignedIn(actor=actor, address=address))
            sessions.clear_failures(session, keys[:1])
            # A new token for the full session: the password-stage one dies here.
            row.ended_at = now
            full = sessions.create(
                session, token_hash(new_token), user.id, FULL_STAGE, now, address
            )
            principal = principal_of(session, user)
    if failed:
        _count_failure(
            node,
            keys,
            now,
            ev.SigninFailed(
                actor=actor,
                outcome=ev.Outcome.REFUSED,
                reason="wrong or reused code",
                address=address,
                username=actor.name,
                step="enrolment" if enrolling else "code",
            ),
        )
        raise ValidationFailed.field("code", "the code is not valid; check the time on your device")
    return SignedIn(principal, new_token, full.id)


def _accepted_step(node: Node, user: UserRow, code: str, now: dt.datetime) -> int | None:
    """The time step ``code`` is valid for (±1 step), if it was not used before."""
    assert user.totp_secret is not None
    digits = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(node.keyring.unseal(TOTP_PURPOSE, user.totp_secret))
    current_step = int(now.timestamp()) // totp.interval
    for step in (current_step - 1, current_step, current_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue  # a code is good once: replaying it fails
        expected = totp.generate_otp(step)
        if len(digits) == len(expected) and hmac.compare_digest(digits, expected):
            return step
    return None


def _session(session: Session, node: Node, token: str, stage: str) -> tuple[WebSessionRow, UserRow]:
    """A live session of ``stage`` and its user; AuthenticationRequired otherwise."""
    found = sessions.by_hash(session, token_hash(token))
    refused = AuthenticationRequired("please sign in")
    if found is None:
        raise refused
    row, user = found
    now = utcnow()
    settings = node.settings
    if row.ended_at is not None or row.stage != stage or user.disabled:
        raise refused
    if stage == PASSWORD_STAGE:
        if now - row.created_at > dt.timedelta(minutes=PASSWORD_STAGE_MINUTES):
            raise refused
    elif now - row.last_seen_at > dt.timedelta(
        minutes=settings.session_idle_minutes
    ) or now - row.created_at > dt.timedelta(hours=settings.session_absolute_hours):
        raise AuthenticationRequired("your session has expired; please sign in again")
    return row, user


def _refuse_if_throttled(node: Node, keys: list[str], now: dt.datetime) -> None:
    with node.db.reading() as session:
        rows = sessions.failures(session, keys)
    wait = max((_wait(node, row, now) for row in rows), default=0)
    if wait > 0:
        raise TooManyAttempts(wait)


def _wait(node: Node, row: SigninFailureRow, now: dt.datetime) -> int:
    """Seconds before ``row``'s account or address may try again (0: now)."""
    settings = node.settings
    if row.locked_until is not None and row.locked_until > now:
        return int((row.locked_until - now).total_seconds()) + 1
    if now - row.last_failure_at > dt.timedelta(minutes=settings.signin_lockout_minutes):
        return 0  # old failures have expired
    over = row.failures - settings.signin_delay_after
    if over < 0:
        return 0
    delay = dt.timedelta(seconds=min(2 ** (over + 1), 60))
    return max(0, int((row.last_failure_at + delay - now).total_seconds()))


def _count_failure(node: Node, keys: list[str], now: dt.datetime, failure: ev.Event) -> None:
    settings = node.settings
    window = dt.timedelta(minutes=settings.signin_lockout_minutes)
    with node.db.transaction() as session:
        audit_log.add(session, failure)
        existing = {row.key: row for row in sessions.failures(session, keys)}
        for key in keys:
            row = existing.get(key)
            if row is None:
                row = SigninFailureRow(key=key, failures=0, last_failure_at=now)
                session.add(row)
            elif now - row.last_failure_at > window:
                row.failures = 0  # a fresh run of failures
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= settings.signin_lockout_after:
                row.locked_until = now + window
                row.failures = 0


def _issuer(node: Node) -> str:
    return f"Tabadul {node.identity.name}"[:60]
