"""Alembic environment: migrations run on the connection Tabadul hands over.

Run through ``tabadul.storage.migrate`` (the node migrates itself on start);
there is no alembic.ini to keep in step.
"""

from __future__ import annotations

from alembic import context

from tabadul.storage.migrate import include_name
from tabadul.storage.tables import Base

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
