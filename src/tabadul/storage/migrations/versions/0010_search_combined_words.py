"""search combined words: documents written before the combined filter words are found quickly

A report's document now also carries words that combine topic, TLP and
month (``tabadul.search.facets``), and every document the mark
``combined1``. Documents written before carry no mark; while any does, a
filtered search narrows by the separate words only. This partial index
holds exactly those documents, so asking whether any is left costs one
lookup, and it is empty once ``tabadul reindex`` (or each record's next
change) has rewritten them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_documents_uncombined",
            ["id"],
            sqlite_where=sa.text("instr(facets, 'combined1') = 0"),
            postgresql_where=sa.text("strpos(facets, 'combined1') = 0"),
        )


def downgrade() -> None:
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_uncombined")
