"""search facets: a document's filterable values as words, so filters narrow the full-text walk

SQLite: the FTS5 table gains a fourth column, ``facets``; the table and its
triggers are made again and the index rebuilt from ``search_documents``
(minutes for a million documents). Documents written before this carry the
word ``pending``, which passes every narrowing, until ``tabadul reindex``
rewrites them. PostgreSQL keeps its index; the column is written for both.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("words", "stems", "names", "facets")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_fts()
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facets", sa.Text(), server_default="", nullable=False))
    op.execute("UPDATE search_documents SET facets = 'pending'")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_documents_pending",
            ["id"],
            sqlite_where=sa.text("facets = 'pending'"),
            postgresql_where=sa.text("facets = 'pending'"),
        )
    if sqlite:
        _create_fts(COLUMNS)
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_fts()
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_pending")
        batch_op.drop_column("facets")
    if sqlite:
        _create_fts(COLUMNS[:3])
        op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def _drop_fts() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS search_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")


def _create_fts(columns: Sequence[str]) -> None:
    """The FTS5 table over ``search_documents`` and the triggers that keep it in step."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({names}, content='search_documents', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "  # noqa: S608 (constant column names)
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "  # noqa: S608 (constant column names)
        f"INSERT INTO search_fts(search_fts, rowid, {names}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "  # noqa: S608 (constant column names)
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
