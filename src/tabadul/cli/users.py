"""``tabadul user …`` and ``tabadul token …``: accounts and API tokens."""

from __future__ import annotations

from pathlib import Path

import click

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.model.accounts import Role
from tabadul.services import accounts


@click.group()
def user() -> None:
    """Manage the node's users."""


@user.command("add")
@data_dir_option
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--display-name", default=None, help="Full name, for people reading the audit log.")
@json_option
@reports_errors
def user_add(
    data_dir: Path, username: str, role: str, display_name: str | None, as_json: bool
) -> None:
    """Add a user; prints the generated password once."""
    with opened(data_dir) as node:
        created = accounts.add_user(node, username, role, display_name)
    emit(
        {"username": created.username, "role": created.role, "password": created.password},
        as_json,
        f"User {created.username} ({created.role}) created.\n"
        f"Password (shown once): {created.password}",
    )


@user.command("list")
@data_dir_option
@json_option
@reports_errors
def user_list(data_dir: Path, as_json: bool) -> None:
    """List users and their roles."""
    with opened(data_dir) as node:
        rows = accounts.list_users(node)
    data = [{"username": u.username, "role": u.role, "disabled": u.disabled} for u in rows]
    text = "\n".join(
        f"{u['username']:<24} {u['role']:<14} {'disabled' if u['disabled'] else ''}" for u in data
    )
    emit(data, as_json, text or "no users")


@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@data_dir_option
@click.option("--user", "username", required=True, help="Whose token it is.")
@click.option("--label", default=None, help="What the token is for.")
@json_option
@reports_errors
def token_create(data_dir: Path, username: str, label: str | None, as_json: bool) -> None:
    """Create an API token; prints it once."""
    with opened(data_dir) as node:
        created = accounts.create_token(node, username, label)
    emit(
        {"id": created.id, "user": created.username, "token": created.token},
        as_json,
        f"Token {created.id} for {created.username} (shown once): {created.token}",
    )


@token.command("revoke")
@data_dir_option
@click.option("--id", "token_id", required=True, type=int, help="The token's number.")
@json_option
@reports_errors
def token_revoke(data_dir: Path, token_id: int, as_json: bool) -> None:
    """Revoke an API token at once."""
    with opened(data_dir) as node:
        accounts.revoke_token(node, token_id)
    emit({"id": token_id, "revoked": True}, as_json, f"Token {token_id} revoked.")
