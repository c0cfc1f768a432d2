"""How an audit event becomes bytes and hashes, exactly the same way every time.

An entry is canonical JSON (sorted keys, no spaces, UTF-8, timestamps in UTC
with microseconds). Its **leaf hash** is the RFC 6962 leaf hash of those
bytes, ``SHA-256(0x00 || entry)``; its **chain hash** is
``SHA-256(previous chain hash || leaf hash)``, starting from 32 zero bytes.
The chain says "nothing was removed, inserted or reordered before me"; the
Merkle tree over the leaves lets a signed checkpoint be checked by anyone
holding it (see ``merkle.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)


@dataclass(frozen=True)
class Entry:
    """One audit event as it is hashed and stored."""

    seq: int
    at: dt.datetime
    name: str
    category: str
    actor: dict[str, Any]
    purpose: str | None
    outcome: str
    reason: str | None
    address: str | None
    records: list[str]
    recipients: list[str]
    details: dict[str, Any]

    def canonical(self) -> bytes:
        """The entry's canonical bytes: what the leaf hash is computed over."""
        document = {
            "seq": self.seq,
            "at": timestamp(self.at),
            "name": self.name,
            "category": self.category,
            "actor": self.actor,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "reason": self.reason,
            "address": self.address,
            "records": self.records,
            "recipients": self.recipients,
            "details": self.details,
        }
        return canonical_json(document)


def canonical_json(document: Any) -> bytes:
    """JSON with sorted keys and no whitespace, as UTF-8."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def timestamp(at: dt.datetime) -> str:
    """A timestamp as hashed: UTC, microseconds, 'Z'."""
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_hash(entry_bytes: bytes) -> bytes:
    """RFC 6962 §2.1 leaf hash: SHA-256 of 0x00 followed by the entry."""
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    """The next link of the hash chain."""
    return hashlib.sha256(previous + leaf).digest()
