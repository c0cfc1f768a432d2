"""The access policy: one function decides whether a principal may act on a resource.

Every API route, page, list, count and background job that acts for a user
asks :meth:`Policy.can` (or filters with the same rules). No route decides
access on its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tabadul.model.accounts import Role


class Action(enum.Enum):
    """What a principal wants to do."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    WITHDRAW = "withdraw"
    MANAGE = "manage"


class Kind(enum.Enum):
    """The kinds of record the policy knows."""

    REPORT = "report"
    ENTITY = "entity"
    USER = "user"
    TOKEN = "token"  # noqa: S105 (a kind of record, not a secret)
    PARTNER = "partner"
    AGREEMENT = "agreement"
    JOB = "job"


INTELLIGENCE = frozenset({Kind.REPORT, Kind.ENTITY})
ADMINISTRATION = frozenset({Kind.USER, Kind.TOKEN, Kind.PARTNER, Kind.AGREEMENT, Kind.JOB})


@dataclass(frozen=True)
class Principal:
    """Someone acting on the node: a signed-in user or the bearer of a token."""

    user_id: int
    username: str
    role: Role


@dataclass(frozen=True)
class Resource:
    """What an action is about: a kind of record (and, later, its protection)."""

    kind: Kind


class Policy:
    """The node's access rules (DESIGN.md, 'Who uses a node')."""

    def can(self, principal: Principal, action: Action, resource: Resource) -> bool:
        """True when ``principal`` may perform ``action`` on ``resource``."""
        role = principal.role
        if resource.kind in INTELLIGENCE:
            # Separation of duties: administrators run the node and auditors
            # check it; neither reads or writes intelligence content.
            return role.reads_intelligence
        if resource.kind in ADMINISTRATION:
            return role is Role.ADMINISTRATOR
        return False
