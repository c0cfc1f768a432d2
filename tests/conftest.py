"""Test set-up: real nodes on SQLite and, when TABADUL_TEST_DATABASE_URL is set, PostgreSQL.

Tests that take the ``backend`` fixture (directly or through ``node``,
``client``…) run once per database. On PostgreSQL every xdist worker gets
its own schema, migrated once and emptied between tests.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tabadul.access.policy import Principal
from tabadul.app import create_app
from tabadul.cli import main
from tabadul.model.accounts import Role
from tabadul.services import accounts
from tabadul.services.node import Node, initialise
from tabadul.settings import SQLITE_FILE_NAME, Settings, load_settings, normalise_database_url
from tabadul.storage import migrate
from tabadul.storage.database import Database
from tabadul.storage.tables import Base

PG_URL = os.environ.get("TABADUL_TEST_DATABASE_URL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgres"] if PG_URL else [])
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """'sqlite' or 'postgres': the database this test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def pg_schema_url(worker_id: str) -> Iterator[str | None]:
    """A PostgreSQL URL whose search path is a schema of this xdist worker's own."""
    if not PG_URL:
        yield None
        return
    # The process id too: several checkouts may run their suites on one database at once.
    schema = f"tabadul_test_{worker_id}_{os.getpid()}"
    admin = create_engine(normalise_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    db = Database(normalise_database_url(url))
    migrate.upgrade(db)
    db.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database that each test copies instead of migrating."""
    path = tmp_path_factory.mktemp("template") / SQLITE_FILE_NAME
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def empty_postgres(url: str) -> None:
    """Remove every row from the test schema (keeping the migrated tables)."""
    engine = create_engine(normalise_database_url(url))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def make_settings(
    backend: str, tmp_path: Path, sqlite_template: Path, pg_schema_url: str | None
) -> Any:
    """A factory of settings for fresh data directories on this test's database."""
    made: list[Path] = []

    def factory(name: str = "node", **overrides: Any) -> Settings:
        data_dir = tmp_path / name
        data_dir.mkdir(mode=0o700)
        if backend == "postgres":
            assert pg_schema_url is not None
            if made:
                raise RuntimeError("one PostgreSQL node per test (they share the schema)")
            empty_postgres(pg_schema_url)
            overrides.setdefault("database_url", pg_schema_url)
        else:
            shutil.copy(sqlite_template, data_dir / SQLITE_FILE_NAME)
        made.append(data_dir)
        return load_settings(data_dir, **overrides)

    return factory


@pytest.fixture
def settings(make_settings: Any) -> Settings:
    """Settings of an initialised node (on this test's database)."""
    s: Settings = make_settings()
    initialise(s, "Test node", country="MA")
    return s


@pytest.fixture
def node(settings: Settings) -> Iterator[Node]:
    """An opened node."""
    opened = Node.open(settings)
    yield opened
    opened.close()


@dataclass(frozen=True)
class Person:
    """A test user: their principal and an API token."""

    principal: Principal
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Bearer token and a stated purpose, as a well-behaved client sends them."""
        return {"Authorization": f"Bearer {self.token}", "X-Tabadul-Purpose": "case TEST-1"}


def make_person(
    node: Node,
    role: Role = Role.ANALYST,
    username: str | None = None,
    *,
    clearance: str | None = None,
    compartments: tuple[str, ...] = (),
    scopes: tuple[str, ...] = ("read", "write", "exchange"),
) -> Person:
    """A user of ``role`` with a fresh API token (all scopes unless told otherwise)."""
    name = username or f"{role.value}{os.urandom(3).hex()}"
    accounts.add_user(node, None, name, role.value, clearance=clearance, compartments=compartments)
    token = accounts.create_token(node, None, name, scopes=scopes)
    return Person(accounts.authenticate_token(node, token.token), token.token)


@pytest.fixture
def analyst(node: Node) -> Person:
    """An analyst with a token."""
    return make_person(node, Role.ANALYST, "analyst")


def report_body(**overrides: Any) -> dict[str, Any]:
    """The smallest report that shows most of the model: the issue's example (synthetic person)."""
    body: dict[str, Any] = {
        "title": "Meeting observed in Tangier",
        "body": "طارق السعيدي was seen in Tangier with an associate.",
        "language": "en",
        "topics": ["terrorism"],
        "classification": "RESTRICTED",
        "handling": {"tlp": "AMBER", "codes": ["H2"]},
        "grading": {"scheme": "admiralty", "source": "B", "information": "2"},
        "entities": [
            {
                "id": "p1",
                "schema": "Person",
                "properties": {
                    "name": ["طارق السعيدي", "Tarik Saidi"],
                    "birthDate": ["1990-03-01"],
                    "nationality": ["ma"],
                },
                "category": "suspect",
            }
        ],
        "mentions": [{"entity": "p1", "start": 0, "end": 12}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def client(settings: Settings, node: Node) -> Iterator[TestClient]:
    """An HTTP client for the node's application (its own Node over the same database)."""
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def cli():
    """Run ``tabadul …`` in process against a node's settings; returns the click result."""
    runner = CliRunner()

    def run(settings, *args, expect=0, env=None):
        environment = (
            {"TABADUL_DATABASE_URL": settings.database_url} if settings.database_url else {}
        )
        environment.update(env or {})
        full = [str(a) for a in args]
        if "--data-dir" not in full and full[0] not in {"--help"}:
            full += ["--data-dir", str(settings.data_dir)]
        result = runner.invoke(main, full, env=environment, catch_exceptions=False)
        assert result.exit_code == expect, result.output + (result.stderr or "")
        return result

    return run


def as_json(result):
    return json.loads(result.stdout)


def person_row(entity_id: str, properties: dict[str, list[str]]) -> dict[str, Any]:
    """The stored row of a person recorded on their own, as a bulk insert takes it."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    return {
        "id": entity_id,
        "schema": "Person",
        "properties": properties,
        "caption": properties["name"][0],
        "category": "suspect",
        "created_at": now,
        "created_by": None,
        "updated_at": now,
        "classification": "RESTRICTED",
        "independent": True,
    }
