"""Password hashing with argon2id, and generated passwords for new accounts."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id,
# 64 MiB, 3 passes); they are what OWASP recommends as well.
_hasher = PasswordHasher()

# A dummy hash to verify against when the user does not exist, so that a
# wrong username costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, with its salt and parameters encoded in it."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; takes the same time when there is no hash to check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def generate_password(length: int = 20) -> str:
    """A random password for a new account (about 117 bits), without look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


MIN_LENGTH = 12
MAX_LENGTH = 256


def password_problems(password: str, context: Sequence[str] = ()) -> list[str]:
    """Why a chosen password is refused (empty when it is acceptable).

    The rules follow NIST SP 800-63B §3.1.1.2: at least 12 characters, no
    composition rules, and no password that is common, a dictionary word, a
    repetition or sequence, or built from context (the username, the node's
    name) — judged by zxcvbn, whose bundled lists hold the 30,000 most common
    leaked passwords.
    """
    if len(password) < MIN_LENGTH:
        return [f"use at least {MIN_LENGTH} characters"]
    if len(password) > MAX_LENGTH:
        return [f"use at most {MAX_LENGTH} characters"]
    if password.lower() in _common_passwords():
        return ["this password is on the list of commonly used passwords"]
    result = zxcvbn(password[:100], user_inputs=[c for c in context if c])
    if result["score"] < 3:
        warning = result["feedback"]["warning"] or "it is too easy to guess"
        return [f"choose a harder password: {warning.rstrip('.').lower()}"]
    return []


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])
