"""Demonstration content: a user for every role, synthetic reports, a watchlist."""

from sqlalchemy import func, select

from tabadul.demo import content
from tabadul.model.accounts import Role
from tabadul.services import accounts, watchlists
from tabadul.storage.tables import ReportRow


def test_every_role_gets_a_user_and_only_readers_get_clearance(node):
    made = content.add_users(node, "the-admin-password")
    assert sorted(u.role for u in made) == sorted(r.value for r in Role)
    assert made[0].password == "the-admin-password"
    assert len({u.password for u in made}) == len(made)
    users = {u.username: u for u in accounts.list_users(node, None)}
    top, lowest = node.settings.classification_levels[-1], node.classification.lowest
    assert users["analyst"].clearance == top
    assert users["supervisor"].clearance == top
    assert users["auditor"].clearance == lowest
    assert users["admin"].clearance == lowest


def test_reports_are_recorded_by_the_analyst_with_a_watchlist(node):
    content.add_users(node, "x")
    assert content.add_reports(node, count=5) == 5
    with node.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 5
    analyst = accounts.principal_named(node, "analyst")
    [watchlist] = watchlists.list_watchlists(node, analyst)
    assert len(watchlist.entries) == 1
