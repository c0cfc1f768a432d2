"""API tokens: random secrets handed out once; only their SHA-256 is stored.

A token carries 256 random bits, so a fast hash is enough to keep it safe at
rest (unlike a password, it cannot be guessed from a list).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "tbd_"  # noqa: S105 (a public prefix, not a secret)


def generate_token() -> str:
    """A new token, e.g. ``tbd_Xk3…`` (the prefix makes leaked tokens easy to scan for)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The first characters of a token, enough for a person to tell tokens apart."""
    return token[: len(TOKEN_PREFIX) + 6]


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a, b)
