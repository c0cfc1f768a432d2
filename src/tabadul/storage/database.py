"""The database connection and the unit of work.

``Database`` owns the engine. Services open a unit of work with
:meth:`Database.transaction` (writes) or :meth:`Database.reading` (reads);
repositories take the session they are given and never commit.

On SQLite (the embedded default) the file runs in WAL mode with foreign keys
on; every writing transaction starts with ``BEGIN IMMEDIATE`` so that two
writers queue on SQLite's lock (with a busy timeout) instead of failing
half-way with "database is locked". Readers never block the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from tabadul.errors import ConfigurationError
from tabadul.storage import audit_log

SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLite reads the database through a memory map of up to this many bytes, not a copy of
# each page per read: a search at a million reports looks up thousands of rows spread
# over gigabytes (docs/benchmarks.md, search). Address space, not memory: the pages
# are the operating system's file cache, shared by every connection. SQLite caps it at
# its own compile-time limit (2 GiB unless built otherwise); the rest is read as before.
SQLITE_MMAP_BYTES = 1 << 34
_WRITE_OPTION = "tabadul_write"


class Database:
    """One node's database: engine, sessions, and the dialect name for the few differences."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5) -> None:
        self.url = url
        self.engine = _make_engine(url, echo=echo, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        if self.dialect not in {"sqlite", "postgresql"}:
            raise ConfigurationError(
                f"unsupported database {self.dialect!r}: use SQLite or PostgreSQL"
            )
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._writes = sessionmaker(writer, expire_on_commit=False, autoflush=False)
        audit_log.install(self._writes)  # audit events are written with the change they record
        self._reads = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        """True on the embedded database."""
        return self.dialect == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing unit of work: commits when the block ends, rolls back if it raises."""
        with self._writes() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; closing it rolls back whatever was begun.

        Rows read stay usable after the block (closing detaches, it does not expire).
        """
        with self._reads() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _make_engine(url: str, *, echo: bool, pool_size: int) -> Engine:
    # JSON columns are read by orjson (C), not the standard library's decoder: a full
    # correlation run decodes the properties of every candidate it meets, about eleven
    # per entity. They are still written by the standard library's encoder.
    options: dict[str, Any] = {
        "echo": echo,
        "pool_size": pool_size,
        "json_deserializer": orjson.loads,
    }
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not Path(path).parent.is_dir():
            raise ConfigurationError(f"the data directory {Path(path).parent} does not exist")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **options,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module, so that BEGIN is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL + NORMAL never corrupts the database; an OS crash may lose the last
    # commits, which the exchange's reconciliation repairs. FULL would fsync
    # on every commit and halve single-row write throughput.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
