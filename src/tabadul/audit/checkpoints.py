"""Signed checkpoints of the audit log: the tree size and root hash, signed by the node.

A checkpoint is small enough to print, mail to the data-protection officer
or hand to a partner. Whoever keeps one can later ask the node for a
consistency proof and check, with nothing but the checkpoint and the node's
public key, that every event it covered is still there, unchanged.
Signatures are Ed25519 (RFC 8032) over the checkpoint's canonical JSON.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tabadul.audit.hashing import canonical_json, timestamp

VERSION = "tabadul-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """The audit log of ``node_id`` had ``tree_size`` events with Merkle root ``root_hash``."""

    node_id: str
    tree_size: int
    root_hash: str  # hex
    signed_at: dt.datetime
    signature: str  # base64
    public_key: str  # base64 of the raw 32-byte Ed25519 key

    def signed_bytes(self) -> bytes:
        """What the signature covers."""
        return _payload(self.node_id, self.tree_size, self.root_hash, self.signed_at)

    def verify(self, public_key: Ed25519PublicKey | None = None) -> bool:
        """True when the signature is good under ``public_key`` (default: the one it carries)."""
        key = public_key or Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
        try:
            key.verify(base64.b64decode(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint as JSON, to keep elsewhere."""
        return {
            "format": VERSION,
            "node_id": self.node_id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "signed_at": timestamp(self.signed_at),
            "signature": self.signature,
            "public_key": self.public_key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        """Read a checkpoint kept as JSON; raises ValueError when it is not one."""
        try:
            if data.get("format") != VERSION:
                raise ValueError(f"not a {VERSION} document")
            return cls(
                node_id=str(data["node_id"]),
                tree_size=int(data["tree_size"]),
                root_hash=str(data["root_hash"]),
                signed_at=dt.datetime.fromisoformat(str(data["signed_at"]).replace("Z", "+00:00")),
                signature=str(data["signature"]),
                public_key=str(data["public_key"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"incomplete checkpoint: {exc}") from None


def sign(
    key: Ed25519PrivateKey, node_id: str, tree_size: int, root_hash: bytes, at: dt.datetime
) -> Checkpoint:
    """A new checkpoint, signed with the node's key."""
    hex_root = root_hash.hex()
    signature = key.sign(_payload(node_id, tree_size, hex_root, at))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Checkpoint(
        node_id,
        tree_size,
        hex_root,
        at,
        base64.b64encode(signature).decode(),
        base64.b64encode(public).decode(),
    )


def _payload(node_id: str, tree_size: int, root_hash: str, at: dt.datetime) -> bytes:
    return canonical_json(
        {
            "format": VERSION,
            "node_id": node_id,
            "tree_size": tree_size,
            "root_hash": root_hash,
            "signed_at": timestamp(at),
        }
    )
