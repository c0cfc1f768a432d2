"""The access policy: one place decides whether a principal may act on a resource.

Every API route, page, list, count and background job that acts for a user
asks :meth:`Policy.can` for single records, or :meth:`Policy.visibility` for
the same rule as a query filter over many. No route decides access on its own.

Three questions, in order:

1. **Role** — what the role is for (DESIGN.md, 'Who uses a node'):
   analysts, liaison officers and supervisors work with intelligence;
   administrators run the node but never read its content (separation of
   duties); auditors read the audit log and nothing else.
2. **Scope** — an API token may be limited to reading, writing or exchange.
3. **Need to know** — for a labelled record: clearance at least its
   classification, and membership of every compartment it carries.

A refusal at step 1 or 2 is a 403 (the caller cannot do this to any such
record); a refusal at step 3 is a 404, so a record one may not read is
indistinguishable from one that does not exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tabadul.model.accounts import Role
from tabadul.model.handling import Classification
from tabadul.model.protection import Protection


class Action(enum.Enum):
    """What a principal wants to do."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    WITHDRAW = "withdraw"
    MANAGE = "manage"
    SHARE = "share"
    APPROVE = "approve"


class Kind(enum.Enum):
    """The kinds of record the policy knows."""

    REPORT = "report"
    ENTITY = "entity"
    USER = "user"
    TOKEN = "token"  # noqa: S105 (a kind of record, not a secret)
    PARTNER = "partner"
    AGREEMENT = "agreement"
    JOB = "job"
    AUDIT = "audit"
    ACCOUNT = "account"  # one's own: password, tokens


class Scope(enum.Enum):
    """What an API token may be used for."""

    READ = "read"
    WRITE = "write"
    EXCHANGE = "exchange"


ALL_SCOPES = frozenset(Scope)
INTELLIGENCE = frozenset({Kind.REPORT, Kind.ENTITY})
ADMINISTRATION = frozenset({Kind.USER, Kind.TOKEN, Kind.PARTNER, Kind.AGREEMENT, Kind.JOB})
_SCOPE_OF = {
    Action.READ: Scope.READ,
    Action.CREATE: Scope.WRITE,
    Action.UPDATE: Scope.WRITE,
    Action.WITHDRAW: Scope.WRITE,
    Action.MANAGE: Scope.WRITE,
    Action.APPROVE: Scope.WRITE,
    Action.SHARE: Scope.EXCHANGE,
}


@dataclass(frozen=True)
class Principal:
    """Someone acting on the node: a signed-in user or the bearer of a token."""

    user_id: int
    username: str
    role: Role
    clearance: str
    compartments: frozenset[str] = frozenset()
    scopes: frozenset[Scope] = ALL_SCOPES


@dataclass(frozen=True)
class Resource:
    """What an action is about: a kind of record and, for labelled records, its protection."""

    kind: Kind
    protection: Protection | None = None


@dataclass(frozen=True)
class Visibility:
    """The need-to-know rule as a filter: the levels and compartments a principal may see."""

    levels: frozenset[str]
    compartments: frozenset[str]


class Policy:
    """The node's access rules."""

    def __init__(self, classification: Classification) -> None:
        self.classification = classification

    def can(self, principal: Principal, action: Action, resource: Resource) -> bool:
        """True when ``principal`` may perform ``action`` on ``resource``."""
        return self.allows_role(principal, action, resource.kind) and (
            resource.protection is None or self.needs_know(principal, resource.protection)
        )

    def allows_role(self, principal: Principal, action: Action, kind: Kind) -> bool:
        """Steps 1 and 2: may this role, with these token scopes, do this to such records?"""
        if _SCOPE_OF[action] not in principal.scopes:
            return False
        role = principal.role
        if kind in INTELLIGENCE:
            if action is Action.SHARE:
                return role in {Role.LIAISON, Role.SUPERVISOR}
            if action is Action.APPROVE:
                return role is Role.SUPERVISOR
            return role.reads_intelligence and action is not Action.MANAGE
        if kind in ADMINISTRATION:
            return role is Role.ADMINISTRATOR and action in {Action.READ, Action.MANAGE}
        if kind is Kind.AUDIT:
            return role is Role.AUDITOR and action is Action.READ
        if kind is Kind.ACCOUNT:
            return action in {Action.READ, Action.UPDATE}
        return False

    def needs_know(self, principal: Principal, protection: Protection) -> bool:
        """Step 3: clearance reaches the classification and every compartment is held."""
        if principal.clearance not in self.classification.levels:
            return False
        if protection.classification not in self.classification.levels:
            return False  # a level this node no longer knows: nobody reads it by accident
        return (
            self.classification.dominates(principal.clearance, protection.classification)
            and protection.compartments <= principal.compartments
        )

    def visibility(self, principal: Principal) -> Visibility:
        """The same need-to-know rule, as what a list query may return."""
        if principal.clearance not in self.classification.levels:
            return Visibility(frozenset(), frozenset())
        rank = self.classification.rank(principal.clearance)
        return Visibility(frozenset(self.classification.levels[: rank + 1]), principal.compartments)
