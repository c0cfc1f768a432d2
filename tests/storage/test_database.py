import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tabadul.storage.database import SQLITE_MMAP_BYTES, Database
from tabadul.storage.tables import NodeRow, ReportTopicRow


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with db.reading() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()


def test_sqlite_reads_through_a_memory_map(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with db.reading() as session:
            mapped = session.execute(text("PRAGMA mmap_size")).scalar()
        # As much as asked for, or SQLite's own ceiling: either way, not the default of none.
        assert mapped is not None
        assert 0 < mapped <= SQLITE_MMAP_BYTES
    finally:
        db.dispose()


def test_foreign_keys_are_enforced(node):
    with pytest.raises(IntegrityError), node.db.transaction() as session:
        session.add(ReportTopicRow(report_id="no-such-report", topic="x"))


def test_timestamps_come_back_aware_in_utc(node):
    with node.db.reading() as session:
        row = session.scalars(select(NodeRow)).one()
    assert row.created_at.tzinfo is dt.UTC
    assert abs(dt.datetime.now(dt.UTC) - row.created_at) < dt.timedelta(minutes=5)


def test_a_transaction_that_raises_leaves_nothing(node):
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        session.add(
            NodeRow(id="second", name="x", url="http://x", created_at=dt.datetime.now(dt.UTC))
        )
        session.flush()
        raise RuntimeError("boom")
    with node.db.reading() as session:
        assert session.scalars(select(NodeRow.id)).all() == [node.identity.id]


def test_naive_timestamps_are_refused(node):
    with pytest.raises(Exception, match="timezone-aware"), node.db.transaction() as session:
        session.add(NodeRow(id="n2", name="x", url="http://x", created_at=dt.datetime(2026, 1, 1)))
        session.flush()
