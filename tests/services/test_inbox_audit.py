"""Reading what partners sent is a consultation, and the audit log says so."""

from sqlalchemy import select

from tabadul.model.accounts import Role
from tabadul.services import queries, sharing
from tabadul.storage.tables import AuditEventRow
from tests.conftest import make_person


def test_listing_the_inbox_and_partners_questions_is_audited(node):
    liaison = make_person(node, Role.LIAISON, "liaison")
    assert sharing.inbox(node, liaison.principal, "rfi.request") == []
    assert queries.received(node, liaison.principal) == []
    with node.db.reading() as session:
        rows = session.scalars(
            select(AuditEventRow).where(AuditEventRow.name == "exchange.inbox_read")
        ).all()
    assert [(r.actor_name, r.details["kind"]) for r in rows] == [
        ("liaison", "rfi.request"),
        ("liaison", "query.hitnohit"),
    ]
