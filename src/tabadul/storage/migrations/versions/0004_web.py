"""web: interface language per user, working context per session, relationship ends

Existing users get English; existing relationships get their ends from their
properties (FollowTheMoney source and target properties).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:25:29.387562
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entity_links",
        sa.Column("relationship_id", sa.String(length=128), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["entities.id"],
            name=op.f("fk_entity_links_relationship_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "relationship_id", "source_id", "target_id", name=op.f("pk_entity_links")
        ),
    )
    with op.batch_alter_table("entity_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_links_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_links_target_id"), ["target_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=500), nullable=True))

    _link_existing_relationships()


def _link_existing_relationships() -> None:
    from followthemoney import model

    bind = op.get_bind()
    entities = sa.table(
        "entities",
        sa.column("id", sa.String),
        sa.column("schema", sa.String),
        sa.column("properties", sa.JSON),
    )
    links = sa.table(
        "entity_links",
        sa.column("relationship_id", sa.String),
        sa.column("source_id", sa.String),
        sa.column("target_id", sa.String),
    )
    rows = []
    for entity_id, schema_name, properties in bind.execute(sa.select(entities)):
        schema = model.get(schema_name)
        if schema is None or not schema.edge or not schema.source_prop or not schema.target_prop:
            continue
        for source in properties.get(schema.source_prop.name, []):
            for target in properties.get(schema.target_prop.name, []):
                rows.append(
                    {"relationship_id": entity_id, "source_id": source, "target_id": target}
                )
    if rows:
        bind.execute(links.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_column("purpose")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")

    with op.batch_alter_table("entity_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_entity_links_source_id"))

    op.drop_table("entity_links")
