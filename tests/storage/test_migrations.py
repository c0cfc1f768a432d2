"""The migrations build exactly the tables the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tabadul.services.node import Node
from tabadul.storage import migrate
from tabadul.storage.database import Database
from tabadul.storage.tables import Base


def test_upgrade_from_empty_reaches_head_and_matches_the_models(make_settings):
    settings = make_settings()
    db = Database(settings.sqlalchemy_url)
    try:
        migrate.upgrade(db)  # from empty on SQLite; a no-op re-run on the migrated PG schema
        assert migrate.current_revision(db) == migrate.head_revision()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": migrate.include_name}
                ),
                Base.metadata,
            )
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
    finally:
        db.dispose()


def test_sqlite_upgrade_really_starts_from_an_empty_file(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert migrate.current_revision(db) is None
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_node_migrates_itself_on_open(settings):
    node = Node.open(settings)
    try:
        assert migrate.current_revision(node.db) == migrate.head_revision()
    finally:
        node.close()


def test_search_documents_indexed_before_filter_words_stay_findable(tmp_path):
    """0009 rebuilds SQLite's FTS5 table with a fourth column; older documents are ``pending``."""
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrate.upgrade(db, "0008")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO search_documents (kind, record_id, language, words, stems, names) "
                "VALUES ('report', 'r1', 'fr', 'reunion a tanger', 'reunion a tang', '')"
            )
        migrate.upgrade(db)
        with db.engine.connect() as conn:
            facets = conn.exec_driver_sql("SELECT facets FROM search_documents").scalar_one()
            assert facets == "pending"
            found = conn.exec_driver_sql(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH "
                "'words:tanger AND (facets:tlpamber OR facets:pending)'"
            ).all()
            assert len(found) == 1
    finally:
        db.dispose()
