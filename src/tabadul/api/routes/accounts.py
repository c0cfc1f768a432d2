"""``/api/v1/me``, ``/api/v1/tokens`` and ``/api/v1/users``: who one is, one's tokens, users."""

from __future__ import annotations

from fastapi import APIRouter, status

from tabadul.api.deps import CurrentUser, NodeDep
from tabadul.schemas.accounts import (
    MeOut,
    NewTokenOut,
    NewUserOut,
    PasswordChange,
    TokenIn,
    TokenOut,
    UserChange,
    UserIn,
    UserOut,
)
from tabadul.services import accounts

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.get("/me")
def who_am_i(user: CurrentUser) -> MeOut:
    """The caller's username, role, clearance, compartments and token scopes."""
    return MeOut(
        username=user.username,
        role=user.role.value,
        clearance=user.clearance,
        compartments=sorted(user.compartments),
        scopes=sorted(s.value for s in user.scopes),
    )


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, node: NodeDep, user: CurrentUser) -> None:
    """Change one's own password (at least 12 characters, not a common one)."""
    accounts.change_password(node, user, body.current_password, body.new_password)


@router.get("/tokens")
def my_tokens(node: NodeDep, user: CurrentUser) -> list[TokenOut]:
    """One's own API tokens (never the secrets)."""
    return accounts.list_tokens(node, user, user.username)


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, node: NodeDep, user: CurrentUser) -> NewTokenOut:
    """A new token for oneself, with at most the scopes of the token used to ask."""
    created = accounts.create_token(
        node,
        user,
        user.username,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        label=body.label,
    )
    return NewTokenOut(**created.record.model_dump(), token=created.token)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: int, node: NodeDep, user: CurrentUser) -> None:
    """Revoke one of one's tokens (administrators: anyone's)."""
    accounts.revoke_token(node, user, token_id)


@router.get("/users")
def list_users(node: NodeDep, user: CurrentUser) -> list[UserOut]:
    """Every user (administrators)."""
    return accounts.list_users(node, user)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(body: UserIn, node: NodeDep, user: CurrentUser) -> NewUserOut:
    """Create a user with a generated one-time password (administrators)."""
    created = accounts.add_user(
        node,
        user,
        body.username,
        body.role,
        clearance=body.clearance,
        compartments=body.compartments,
        display_name=body.display_name,
    )
    return NewUserOut(**created.user.model_dump(), password=created.password)


@router.patch("/users/{username}")
def change_user(username: str, body: UserChange, node: NodeDep, user: CurrentUser) -> UserOut:
    """Change a user's role, clearance, compartments or name, or disable them (administrators)."""
    return accounts.change_user(
        node,
        user,
        username,
        role=body.role,
        clearance=body.clearance,
        compartments=body.compartments,
        disabled=body.disabled,
        display_name=body.display_name,
    )
