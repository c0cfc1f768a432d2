"""Partners (other nodes) and the bilateral agreements that let information flow to them.

Only the records live here; the exchange package gives them behaviour.
"""

from __future__ import annotations

import enum


class PartnerStatus(enum.Enum):
    """How far linking a partner node has come; nothing flows before ``confirmed``."""

    INVITED = "invited"
    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    SUSPENDED = "suspended"


class AgreementStatus(enum.Enum):
    """The life of a bilateral agreement; only ``active`` lets messages pass."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"
