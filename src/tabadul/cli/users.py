"""``tabadul user …`` and ``tabadul token …``: accounts, clearances, compartments, API tokens.

These commands act as the node's operator (whoever holds the data directory).
"""

from __future__ import annotations

from pathlib import Path

import click

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.model.accounts import Role
from tabadul.schemas.accounts import TokenOut, UserOut
from tabadul.services import accounts

username_option = click.option("--username", required=True, help="The user's login name.")


@click.group()
def user() -> None:
    """Manage the node's users."""


@user.command("add")
@data_dir_option
@username_option
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--clearance", default=None, help="Classification level (default: the lowest).")
@click.option("--compartment", "compartments", multiple=True, help="Repeat for several.")
@click.option("--display-name", default=None, help="Full name, for people reading the audit log.")
@json_option
@reports_errors
def user_add(
    data_dir: Path,
    username: str,
    role: str,
    clearance: str | None,
    compartments: tuple[str, ...],
    display_name: str | None,
    as_json: bool,
) -> None:
    """Add a user; prints the generated password once."""
    with opened(data_dir) as node:
        created = accounts.add_user(
            node,
            None,
            username,
            role,
            clearance=clearance,
            compartments=compartments,
            display_name=display_name,
        )
    u = created.user
    emit(
        {**u.model_dump(mode="json"), "password": created.password},
        as_json,
        f"User {u.username} ({u.role}, {u.clearance}) created.\n"
        f"Password (shown once): {created.password}",
    )


@user.command("list")
@data_dir_option
@json_option
@reports_errors
def user_list(data_dir: Path, as_json: bool) -> None:
    """List users, their roles, clearances and compartments."""
    with opened(data_dir) as node:
        rows = accounts.list_users(node, None)
    emit(
        [u.model_dump(mode="json") for u in rows],
        as_json,
        "\n".join(map(_line, rows)) or "no users",
    )


@user.command("disable")
@data_dir_option
@username_option
@json_option
@reports_errors
def user_disable(data_dir: Path, username: str, as_json: bool) -> None:
    """Disable a user: sessions end at once, tokens stop working."""
    _change(data_dir, username, as_json, disabled=True)


@user.command("enable")
@data_dir_option
@username_option
@json_option
@reports_errors
def user_enable(data_dir: Path, username: str, as_json: bool) -> None:
    """Enable a disabled user again."""
    _change(data_dir, username, as_json, disabled=False)


@user.command("set-clearance")
@data_dir_option
@username_option
@click.option("--level", required=True, help="A classification level of the node.")
@json_option
@reports_errors
def user_set_clearance(data_dir: Path, username: str, level: str, as_json: bool) -> None:
    """Set a user's clearance."""
    _change(data_dir, username, as_json, clearance=level)


@user.command("set-role")
@data_dir_option
@username_option
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@json_option
@reports_errors
def user_set_role(data_dir: Path, username: str, role: str, as_json: bool) -> None:
    """Change a user's role."""
    _change(data_dir, username, as_json, role=role)


@user.command("add-compartment")
@data_dir_option
@username_option
@click.option("--compartment", required=True, help="A need-to-know group, e.g. op-nour.")
@json_option
@reports_errors
def user_add_compartment(data_dir: Path, username: str, compartment: str, as_json: bool) -> None:
    """Give a user a compartment."""
    _change(data_dir, username, as_json, add_compartments=[compartment])


@user.command("remove-compartment")
@data_dir_option
@username_option
@click.option("--compartment", required=True)
@json_option
@reports_errors
def user_remove_compartment(data_dir: Path, username: str, compartment: str, as_json: bool) -> None:
    """Take a compartment away from a user."""
    _change(data_dir, username, as_json, remove_compartments=[compartment])


@user.command("reset-password")
@data_dir_option
@username_option
@json_option
@reports_errors
def user_reset_password(data_dir: Path, username: str, as_json: bool) -> None:
    """Give a user a new generated password (shown once); their sessions end."""
    with opened(data_dir) as node:
        password = accounts.reset_password(node, None, username)
    emit({"username": username, "password": password}, as_json, f"New password: {password}")


@user.command("reset-totp")
@data_dir_option
@username_option
@json_option
@reports_errors
def user_reset_totp(data_dir: Path, username: str, as_json: bool) -> None:
    """Forget a user's authenticator (lost device); they enrol again at next sign-in."""
    with opened(data_dir) as node:
        accounts.reset_totp(node, None, username)
    emit({"username": username, "totp_enrolled": False}, as_json, "Authenticator reset.")


@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@data_dir_option
@click.option("--user", "username", required=True, help="Whose token it is.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["read", "write", "exchange"]),
    help="Repeat for several (default: read).",
)
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, 366),
    default=accounts.DEFAULT_TOKEN_DAYS,
    show_default=True,
)
@click.option("--label", default=None, help="What the token is for.")
@json_option
@reports_errors
def token_create(
    data_dir: Path,
    username: str,
    scopes: tuple[str, ...],
    expires_in_days: int,
    label: str | None,
    as_json: bool,
) -> None:
    """Create an API token; prints it once."""
    with opened(data_dir) as node:
        created = accounts.create_token(
            node,
            None,
            username,
            scopes=scopes or ("read",),
            expires_in_days=expires_in_days,
            label=label,
        )
    r = created.record
    emit(
        {**r.model_dump(mode="json"), "token": created.token},
        as_json,
        f"Token {r.id} for {r.username} ({', '.join(r.scopes)}; expires {r.expires_at:%Y-%m-%d}) "
        f"(shown once): {created.token}",
    )


@token.command("list")
@data_dir_option
@click.option("--user", "username", required=True)
@json_option
@reports_errors
def token_list(data_dir: Path, username: str, as_json: bool) -> None:
    """A user's tokens: prefix, scopes, expiry, last use (never the secret)."""
    with opened(data_dir) as node:
        rows = accounts.list_tokens(node, None, username)
    text = "\n".join(f"{t.id:>5} {t.prefix:<12} {','.join(t.scopes):<20} {_state(t)}" for t in rows)
    emit([t.model_dump(mode="json") for t in rows], as_json, text or "no tokens")


@token.command("revoke")
@data_dir_option
@click.option("--id", "token_id", required=True, type=int, help="The token's number.")
@json_option
@reports_errors
def token_revoke(data_dir: Path, token_id: int, as_json: bool) -> None:
    """Revoke an API token at once."""
    with opened(data_dir) as node:
        accounts.revoke_token(node, None, token_id)
    emit({"id": token_id, "revoked": True}, as_json, f"Token {token_id} revoked.")


def _change(data_dir: Path, username: str, as_json: bool, **changes: object) -> None:
    with opened(data_dir) as node:
        changed = accounts.change_user(node, None, username, **changes)  # type: ignore[arg-type]
    emit(changed.model_dump(mode="json"), as_json, _line(changed))


def _state(t: TokenOut) -> str:
    if t.revoked_at is not None:
        return "revoked"
    return f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "never expires"


def _line(u: UserOut) -> str:
    groups = ",".join(u.compartments) or "-"
    state = "disabled" if u.disabled else ("totp" if u.totp_enrolled else "no totp yet")
    return f"{u.username:<24} {u.role:<14} {u.clearance:<14} {groups:<24} {state}"
