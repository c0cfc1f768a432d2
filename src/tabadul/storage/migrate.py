"""Bringing a database to the schema this version of Tabadul expects.

The node calls :func:`upgrade` on every start. On PostgreSQL an advisory
lock makes concurrent starts (a server and several workers) take turns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from tabadul.storage import matching
from tabadul.storage.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x7ABAD01  # any constant; only Tabadul's migrations take this advisory lock


# Database objects that are not models: the full-text index of ``search_documents``
# (an FTS5 table and its shadow tables on SQLite, an expression index on PostgreSQL).
NON_MODEL_PREFIX = "search_fts"


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's filter: leave the objects that are not models out of comparisons."""
    return not (
        type_ in {"table", "index"} and name is not None and name.startswith(NON_MODEL_PREFIX)
    )


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at our migrations (and, if given, a connection)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Apply every migration the database lacks (a no-op when it is up to date)."""
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        command.upgrade(alembic_config(connection), revision)
        if revision == "head":
            # A first full correlation run drops the key lookup index while it writes the
            # keys; if it was interrupted and not resumed, lookups need it back. (When the
            # index is there this reads the schema and writes nothing: no write lock.)
            matching.ensure_lookup_index(connection)
