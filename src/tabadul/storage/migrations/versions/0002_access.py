"""access: clearances, compartments, token scopes, web sessions, sign-in failures

Rows that exist before this migration get the defaults a careful node would
choose: tokens may read and write, users and entities are at the level
RESTRICTED (the default scheme's lowest), entities are protected by their
reports, report versions carry no compartment.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:31:36.678353
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signin_failures")),
    )
    op.create_table(
        "user_compartments",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("compartment", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_compartments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "compartment", name=op.f("pk_user_compartments")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "entity_compartments",
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("compartment", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_entity_compartments_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "compartment", name=op.f("pk_entity_compartments")),
    )
    with op.batch_alter_table("entity_compartments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entity_compartments_compartment"), ["compartment"], unique=False
        )

    op.create_table(
        "report_compartments",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("compartment", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_compartments_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "compartment", name=op.f("pk_report_compartments")),
    )
    with op.batch_alter_table("report_compartments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_compartments_compartment"), ["compartment"], unique=False
        )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes", JSON, nullable=False, server_default=sa.text('\'["read", "write"]\'')
            )
        )

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "classification", sa.String(length=32), nullable=False, server_default="RESTRICTED"
            )
        )
        batch_op.add_column(
            sa.Column("independent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f("ix_entities_classification"), ["classification"], unique=False
        )

    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("compartments", JSON, nullable=False, server_default=sa.text("'[]'"))
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "clearance", sa.String(length=32), nullable=False, server_default="RESTRICTED"
            )
        )
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("clearance")

    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_column("compartments")

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_classification"))
        batch_op.drop_column("independent")
        batch_op.drop_column("classification")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scopes")

    with op.batch_alter_table("report_compartments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_compartments_compartment"))

    op.drop_table("report_compartments")
    with op.batch_alter_table("entity_compartments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_compartments_compartment"))

    op.drop_table("entity_compartments")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    op.drop_table("user_compartments")
    op.drop_table("signin_failures")
