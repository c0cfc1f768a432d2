"""Users and API tokens on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from tabadul.schemas.common import Strict

ScopeName = Literal["read", "write", "exchange"]


class UserIn(Strict):
    """A user to create (administrators only)."""

    username: str
    role: str
    clearance: str | None = Field(default=None, description="Lowest level if absent.")
    compartments: list[str] = Field(default_factory=list)
    display_name: str | None = Field(default=None, max_length=200)


class UserChange(Strict):
    """A change to a user: any of these fields (administrators only)."""

    role: str | None = None
    clearance: str | None = None
    compartments: list[str] | None = Field(default=None, description="Replaces the set.")
    disabled: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    """A user as administrators see them (never a password or a secret)."""

    username: str
    role: str
    clearance: str
    compartments: list[str]
    display_name: str | None
    disabled: bool
    totp_enrolled: bool
    created_at: dt.datetime


class NewUserOut(UserOut):
    """A created user, with the one-time password to hand over."""

    password: str


class MeOut(BaseModel):
    """Who the caller is, as the node sees them."""

    username: str
    role: str
    clearance: str
    compartments: list[str]
    scopes: list[str]


class TokenIn(Strict):
    """A token to create for oneself."""

    label: str | None = Field(default=None, max_length=200)
    scopes: list[ScopeName] = Field(default_factory=lambda: list[ScopeName](["read"]))
    expires_in_days: int = Field(default=90, ge=1, le=366)


class TokenOut(BaseModel):
    """A token's record (the token itself is shown only once, at creation)."""

    id: int
    username: str
    prefix: str
    label: str | None
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class NewTokenOut(TokenOut):
    """A created token, with the secret shown this once."""

    token: str


class PasswordChange(Strict):
    """Changing one's own password."""

    current_password: str
    new_password: str
