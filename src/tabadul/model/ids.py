"""Identifiers for records that travel between nodes: time-ordered UUIDs (RFC 9562, version 7).

Version 7 puts the creation time in the first 48 bits, so new rows land at
the end of B-tree indexes (fast inserts) and ids sort by age, while 74
random bits keep them unique across every node without coordination.
"""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    """A new UUIDv7 as a lower-case string."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)  # 62 random bits
    return str(uuid.UUID(int=value))
