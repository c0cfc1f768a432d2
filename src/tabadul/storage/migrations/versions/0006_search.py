"""search: analysed documents, and their full-text index on each database

SQLite: an FTS5 table over ``search_documents`` (external content), kept in
step by triggers. PostgreSQL: a GIN index over the weighted ``tsvector`` of
the three token columns (the search code queries exactly this expression).
The index is not a model: ``tabadul.storage.migrate.include_name`` keeps it
out of the comparison between models and migrations. Existing records are
indexed by ``tabadul reindex``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept identical to tabadul.search.backends.PG_VECTOR (a test compares them): the
# planner uses the index only for queries written with the same expression.
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, words), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, stems), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, names), 'C'))"
)


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index("ix_search_documents_record", ["kind", "record_id"], unique=True)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "words, stems, names, content='search_documents', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, words, stems, names) "
            "VALUES (new.id, new.words, new.stems, new.names); END"
        )
        op.execute(
            "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, words, stems, names) "
            "VALUES ('delete', old.id, old.words, old.stems, old.names); END"
        )
        op.execute(
            "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, words, stems, names) "
            "VALUES ('delete', old.id, old.words, old.stems, old.names); "
            "INSERT INTO search_fts(rowid, words, stems, names) "
            "VALUES (new.id, new.words, new.stems, new.names); END"
        )
    else:
        op.execute(f"CREATE INDEX search_fts_vector ON search_documents USING gin ({PG_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS search_fts_vector")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_record")
    op.drop_table("search_documents")
