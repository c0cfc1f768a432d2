"""listing order: a report list filtered by topic walks its topic's reports newest first

The index on ``report_topics.topic`` alone gave SQLite no order: a topic
shared by a third of the reports was collected and sorted in full before the
first page could be shown. ``(topic, report_id)`` is walked in order and the
walk stops at the page's end.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_topics", schema=None) as batch_op:
        batch_op.drop_index("ix_report_topics_topic")
        batch_op.create_index("ix_report_topics_topic_report", ["topic", "report_id"])


def downgrade() -> None:
    with op.batch_alter_table("report_topics", schema=None) as batch_op:
        batch_op.drop_index("ix_report_topics_topic_report")
        batch_op.create_index("ix_report_topics_topic", ["topic"], unique=False)
