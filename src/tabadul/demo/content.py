"""Demonstration content for one node: a user for every role, synthetic reports, a watchlist.

The reports come from :class:`tabadul.synthetic.Generator` and are recorded
through the same service as an analyst's (``reports.record``), so they are
audited, indexed and correlated like any other: the hits they raise appear
on the dashboard once ``tabadul serve`` has run the correlation jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabadul.model.accounts import Role
from tabadul.schemas.matching import EntryIn, WatchlistIn
from tabadul.schemas.reports import ReportIn
from tabadul.services import accounts, reports, watchlists
from tabadul.services.node import ADMIN_USERNAME, Node
from tabadul.synthetic import Generator

PURPOSE = "demonstration content"
REPORTS = 40
# The people who use a node, one per role (the administrator is created by `tabadul init`).
USERS = (
    ("analyst", Role.ANALYST, "Demonstration analyst"),
    ("liaison", Role.LIAISON, "Demonstration liaison officer"),
    ("supervisor", Role.SUPERVISOR, "Demonstration supervisor"),
    ("auditor", Role.AUDITOR, "Demonstration auditor"),
)


@dataclass(frozen=True)
class Credential:
    """A user and the one-time password to hand over."""

    username: str
    role: str
    password: str


def add_users(node: Node, admin_password: str) -> list[Credential]:
    """A user for every role; those who read intelligence get the node's highest clearance.

    The administrator and the auditor keep the lowest clearance: neither reads
    intelligence content (separation of duties, DESIGN.md 'Who uses a node').
    """
    top = node.settings.classification_levels[-1]
    made = [Credential(ADMIN_USERNAME, Role.ADMINISTRATOR.value, admin_password)]
    for username, role, display in USERS:
        reads = role in (Role.ANALYST, Role.LIAISON, Role.SUPERVISOR)
        new = accounts.add_user(
            node,
            None,
            username,
            role.value,
            clearance=top if reads else None,
            display_name=display,
        )
        made.append(Credential(username, role.value, new.password))
    return made


def add_reports(
    node: Node, count: int = REPORTS, seed: int = 20261123, author: str = "analyst"
) -> int:
    """Record ``count`` synthetic reports as ``author``, about a small population that recurs.

    A population of about two-thirds the number of reports makes the same
    people turn up in several reports and scripts, so correlation has links
    to find. Returns the number recorded.
    """
    actor = accounts.principal_named(node, author)
    generator = Generator(seed=seed)
    pool = generator.people(max(2, count * 2 // 3))
    for _ in range(count):
        item = generator.report(generator.rng.sample(pool, 2))
        reports.record(node, actor, ReportIn.model_validate(item), PURPOSE)
    watched = pool[0]
    watchlist = watchlists.create(
        node,
        actor,
        WatchlistIn(
            name="Demonstration watchlist",
            description="Alerts whenever this invented person appears.",
            members=["liaison", "supervisor"],
        ),
    )
    watchlists.add_entry(
        node,
        actor,
        watchlist.id,
        EntryIn(kind="name", value=watched.latin[0], note="synthetic person"),
    )
    return count


def seed(node: Node, admin_password: str, count: int = REPORTS) -> list[Credential]:
    """Users for every role and ``count`` synthetic reports; returns the credentials."""
    made = add_users(node, admin_password)
    add_reports(node, count)
    return made
