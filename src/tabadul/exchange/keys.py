"""A node's long-term keys: Ed25519 to sign, X25519 to receive encrypted messages.

Public keys travel as JWKs (RFC 8037). The fingerprint people compare out of
band is a SHA-256 over the RFC 7638 thumbprints of both public keys, so it
changes if either key changes; it is shown as eight groups of four hex digits.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from joserfc.jwk import OKPKey

FINGERPRINT_GROUPS = 8


@dataclass(frozen=True)
class NodeKeys:
    """The private keys of this node."""

    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    def signing_jwk(self) -> dict[str, Any]:
        """The public signing key as a JWK."""
        return public_jwk(OKPKey.import_key(self.signing))

    def encryption_jwk(self) -> dict[str, Any]:
        """The public encryption key as a JWK."""
        return public_jwk(OKPKey.import_key(self.encryption))

    @property
    def fingerprint(self) -> str:
        """This node's fingerprint, as partners will see it."""
        return fingerprint(self.signing_jwk(), self.encryption_jwk())

    # Cached: importing a key costs as much as a signature, and every message needs one.
    @functools.cached_property
    def _signing_okp(self) -> OKPKey:
        return OKPKey.import_key(self.signing)

    @functools.cached_property
    def _encryption_okp(self) -> OKPKey:
        return OKPKey.import_key(self.encryption)

    def signing_key(self) -> OKPKey:
        """The private signing key for joserfc."""
        return self._signing_okp

    def encryption_key(self) -> OKPKey:
        """The private decryption key for joserfc."""
        return self._encryption_okp


def public_jwk(key: OKPKey) -> dict[str, Any]:
    """The public half of an OKP key, with the members RFC 8037 requires only."""
    data = key.as_dict(private=False)
    return {"kty": data["kty"], "crv": data["crv"], "x": data["x"]}


def import_public(jwk: dict[str, Any], curve: str) -> OKPKey:
    """A partner's public key from its JWK; refuses a key of the wrong curve."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != curve or "d" in jwk:
        raise ValueError(f"expected a public OKP key on {curve}")
    return _public(curve, str(jwk["x"]))


@functools.lru_cache(maxsize=1024)
def _public(curve: str, x: str) -> OKPKey:
    return OKPKey.import_key({"kty": "OKP", "crv": curve, "x": x})


def fingerprint(signing_jwk: dict[str, Any], encryption_jwk: dict[str, Any]) -> str:
    """The human-comparable fingerprint of a node's two public keys."""
    sign = import_public(signing_jwk, "Ed25519").thumbprint()
    enc = import_public(encryption_jwk, "X25519").thumbprint()
    digest = hashlib.sha256(f"{sign}.{enc}".encode()).hexdigest().upper()
    return "-".join(digest[i * 4 : i * 4 + 4] for i in range(FINGERPRINT_GROUPS))


def same_fingerprint(a: str, b: str) -> bool:
    """Compare fingerprints as people type them (case, spaces and dashes do not matter)."""

    def norm(value: str) -> str:
        return "".join(c for c in value.upper() if c.isalnum())

    return norm(a) == norm(b)
