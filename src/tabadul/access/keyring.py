"""The node's own secret, and the keys derived from it for each purpose.

One random master secret lives in the data directory (``secret.key``,
owner-only). Keys for separate purposes — sealing TOTP secrets, binding CSRF
tokens to sessions — are derived from it with HKDF-SHA256 (RFC 5869), so a
key used for one purpose says nothing about another. Sealing is Fernet
(AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MASTER_BYTES = 32


class Keyring:
    """Purpose-bound keys derived from the node's master secret."""

    def __init__(self, master: bytes) -> None:
        if len(master) < MASTER_BYTES:
            raise ValueError("the node's master secret is too short")
        self._master = master

    def key(self, purpose: str) -> bytes:
        """32 bytes for ``purpose`` and nothing else."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
            self._master
        )

    def seal(self, purpose: str, plaintext: str) -> str:
        """Encrypt and authenticate ``plaintext`` for ``purpose``."""
        return self._fernet(purpose).encrypt(plaintext.encode()).decode()

    def unseal(self, purpose: str, token: str) -> str:
        """Decrypt what :meth:`seal` produced; raises ValueError if it was altered."""
        try:
            return self._fernet(purpose).decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("sealed value altered or sealed with another key") from None

    def mac(self, purpose: str, message: str) -> str:
        """An HMAC-SHA256 of ``message`` under the ``purpose`` key, hex encoded."""
        return hmac.new(self.key(purpose), message.encode(), hashlib.sha256).hexdigest()

    def _fernet(self, purpose: str) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self.key(purpose)))
