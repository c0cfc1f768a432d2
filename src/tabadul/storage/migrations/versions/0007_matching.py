"""matching: correlation keys, hits, "same as" clusters, watchlists, alerts, re-correlation
runs, partner hit/no-hit queries

Existing entities are correlated by `tabadul correlate --all`, not here: a
migration only builds the tables.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 19:27:38.218490
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correlation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.String(length=128), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_runs")),
    )
    op.create_table(
        "partner_queries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["asked_by"], ["users.id"], name=op.f("fk_partner_queries_asked_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_queries")),
    )
    with op.batch_alter_table("partner_queries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_queries_asked_by"), ["asked_by"], unique=False)

    op.create_table(
        "query_references",
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column(
            "entity_ids",
            JSON,
            nullable=False,
        ),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_query_references_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_query_references")),
    )
    with op.batch_alter_table("query_references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_query_references_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_watchlists_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
    )
    with op.batch_alter_table("watchlists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watchlists_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "entity_clusters",
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("cluster_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_entity_clusters_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entity_clusters")),
    )
    with op.batch_alter_table("entity_clusters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entity_clusters_cluster_id"), ["cluster_id"], unique=False
        )

    op.create_table(
        "hits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("left_id", sa.String(length=128), nullable=False),
        sa.Column("right_id", sa.String(length=128), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "reasons",
            JSON,
            nullable=False,
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_hits_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["left_id"], ["entities.id"], name=op.f("fk_hits_left_id_entities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["entities.id"],
            name=op.f("fk_hits_right_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hits")),
        sa.UniqueConstraint("left_id", "right_id", name="uq_hits_pair"),
    )
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hits_right_id"), ["right_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hits_state"), ["state"], unique=False)

    op.create_table(
        "match_keys",
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_match_keys_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "kind", "value", name=op.f("pk_match_keys")),
    )
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.create_index("ix_match_keys_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "partner_query_targets",
        sa.Column("query_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=True),
        sa.Column("refused", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_query_targets_partner_id_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["query_id"],
            ["partner_queries.id"],
            name=op.f("fk_partner_query_targets_query_id_partner_queries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("query_id", "partner_id", name=op.f("pk_partner_query_targets")),
    )
    with op.batch_alter_table("partner_query_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_query_targets_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "watch_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_watch_entries_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_watch_entries_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_watch_entries_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_entries")),
    )
    with op.batch_alter_table("watch_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watch_entries_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_watch_entries_watchlist_id"), ["watchlist_id"], unique=False
        )

    op.create_table(
        "watchlist_members",
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_watchlist_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_watchlist_members_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "user_id", name=op.f("pk_watchlist_members")),
    )
    with op.batch_alter_table("watchlist_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watchlist_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "reasons",
            JSON,
            nullable=False,
        ),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_alerts_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["watch_entries.id"],
            name=op.f("fk_alerts_entry_id_watch_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_alerts_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_watchlist_id"), ["watchlist_id"], unique=False)

    op.create_table(
        "watch_keys",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["watch_entries.id"],
            name=op.f("fk_watch_keys_entry_id_watch_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "kind", "value", name=op.f("pk_watch_keys")),
    )
    with op.batch_alter_table("watch_keys", schema=None) as batch_op:
        batch_op.create_index("ix_watch_keys_kind_value", ["kind", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("watch_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_watch_keys_kind_value")

    op.drop_table("watch_keys")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_watchlist_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_entity_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("watchlist_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlist_members_user_id"))

    op.drop_table("watchlist_members")
    with op.batch_alter_table("watch_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watch_entries_watchlist_id"))
        batch_op.drop_index(batch_op.f("ix_watch_entries_entity_id"))

    op.drop_table("watch_entries")
    with op.batch_alter_table("partner_query_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_query_targets_message_id"))

    op.drop_table("partner_query_targets")
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_match_keys_kind_value")

    op.drop_table("match_keys")
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hits_state"))
        batch_op.drop_index(batch_op.f("ix_hits_right_id"))

    op.drop_table("hits")
    with op.batch_alter_table("entity_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_clusters_cluster_id"))

    op.drop_table("entity_clusters")
    with op.batch_alter_table("watchlists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlists_owner_id"))

    op.drop_table("watchlists")
    with op.batch_alter_table("query_references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_query_references_message_id"))

    op.drop_table("query_references")
    with op.batch_alter_table("partner_queries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_queries_asked_by"))

    op.drop_table("partner_queries")
    op.drop_table("correlation_runs")
