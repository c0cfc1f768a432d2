"""Real nodes for federation tests: data directories, users, and ``tabadul serve`` processes.

Each node is initialised in its own directory (and, on PostgreSQL, its own
schema), given users with API tokens, and served by a real ``tabadul serve``
process on a free loopback port. Administration goes through the CLI runner
(in process, against the same database), as an administrator would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tabadul.cli import main
from tabadul.model.accounts import Role
from tabadul.services import accounts
from tabadul.services.node import Node, initialise
from tabadul.settings import load_settings, normalise_database_url

# Quick retries and polling, so tests do not wait on production-sized delays.
FAST = {
    "TABADUL_JOB_POLL_SECONDS": "0.1",
    "TABADUL_EXCHANGE_RETRY_BASE_SECONDS": "0.2",
    "TABADUL_EXCHANGE_RETRY_MAX_SECONDS": "1",
    "TABADUL_LOG_LEVEL": "warning",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 90, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class RealNode:
    """One node: its directory, database, tokens and (when started) its server process."""

    name: str
    data_dir: Path
    port: int
    database_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environment(self) -> dict[str, str]:
        env = {**os.environ, **FAST, **self.env}
        if self.database_url:
            env["TABADUL_DATABASE_URL"] = self.database_url
        return env

    def settings(self) -> Any:
        extra = {"database_url": self.database_url} if self.database_url else {}
        return load_settings(self.data_dir, **extra)

    def open(self) -> Node:
        return Node.open(self.settings())

    def start(self) -> None:
        if self.log is None:
            self.log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tabadul",
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
            ],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_for(self._healthy, 60, f"{self.name} to start")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            log = (self.data_dir / "serve.log").read_text()[-3000:]
            raise AssertionError(f"{self.name} exited: {log}")
        try:
            return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self._stop(sig)
        if sig == signal.SIGTERM and self.log is not None:
            self.log.close()
            self.log = None

    def _stop(self, sig: int) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def close(self) -> None:
        self.stop()
        if self.log is not None:
            self.log.close()
            self.log = None

    def cli(self, *args: str, expect: int = 0) -> Any:
        runner = CliRunner()
        full = [*args, "--data-dir", str(self.data_dir)]
        env = {**FAST, **self.env}
        if self.database_url:
            env["TABADUL_DATABASE_URL"] = self.database_url
        result = runner.invoke(main, full, env=env, catch_exceptions=False)
        assert result.exit_code == expect, result.output + (result.stderr or "")
        if "--json" in args and expect == 0:
            return json.loads(result.stdout)
        return result

    def headers(self, who: str = "liaison") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", "X-Tabadul-Purpose": "case FED-1"}

    def api(self, method: str, path: str, who: str = "liaison", **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method, self.url + path, headers=self.headers(who), timeout=30, **kwargs
        )


def make_node(tmp_path: Path, name: str, country: str, pg_url: str | None, **env: str) -> RealNode:
    """Initialise a node with a liaison officer, a supervisor and an analyst (with tokens)."""
    data_dir = tmp_path / name
    port = free_port()
    database_url = None
    if pg_url:
        schema = f"tabadul_fed_{os.getpid()}_{name}"
        admin = create_engine(normalise_database_url(pg_url))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        separator = "&" if "?" in pg_url else "?"
        database_url = f"{pg_url}{separator}options=-csearch_path%3D{schema}"
    node = RealNode(name, data_dir, port, database_url, dict(env))
    settings = node.settings()
    initialise(settings, f"{name.title()} service", country, f"http://127.0.0.1:{port}")
    opened = Node.open(settings)
    try:
        for role in (Role.LIAISON, Role.SUPERVISOR, Role.ANALYST):
            username = role.value
            accounts.add_user(opened, None, username, role.value)
            node.tokens[username] = accounts.create_token(
                opened, None, username, scopes=["read", "write", "exchange"]
            ).token
    finally:
        opened.close()
    return node


def drop_schema(pg_url: str, node: RealNode) -> None:
    if not node.database_url:
        return
    schema = f"tabadul_fed_{os.getpid()}_{node.name}"
    admin = create_engine(normalise_database_url(pg_url))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def link(a: RealNode, b: RealNode) -> tuple[str, str]:
    """Invite, accept and confirm both ways; returns (b's id on a, a's id on b). ``a`` serves."""
    invited = a.cli("partner", "invite", "--json")
    accepted = b.cli("partner", "accept", "--invitation", invited["invitation"], "--json")
    assert accepted["fingerprint"] == invited["fingerprint"]
    a_on_b = accepted["partner_id"]
    b_descriptor = httpx.get(b.url + "/.well-known/tabadul").json() if b.process else None
    listed = a.cli("partner", "list", "--json")
    b_on_a = next(p for p in listed if p["status"] == "unconfirmed" and p["url"] == b.url)
    if b_descriptor is not None:
        assert b_on_a["fingerprint"] == b_descriptor["fingerprint"]
    b.cli("partner", "confirm", "--partner", a_on_b, "--fingerprint", invited["fingerprint"])
    a.cli(
        "partner",
        "confirm",
        "--partner",
        b_on_a["partner_id"],
        "--fingerprint",
        b_on_a["fingerprint"],
    )
    return b_on_a["partner_id"], a_on_b


def agree(
    a: RealNode,
    b: RealNode,
    b_on_a: str,
    topics: str = "terrorism",
    max_tlp: str = "AMBER",
    *,
    auto_answer: bool = False,
) -> str:
    """Propose on ``a``, accept on ``b`` once it arrives, wait until active on both."""
    flags = ["--auto-answer-queries"] if auto_answer else []
    proposed = a.cli(
        "agreement",
        "propose",
        "--partner",
        b_on_a,
        "--topics",
        topics,
        "--max-tlp",
        max_tlp,
        *flags,
        "--json",
    )
    agreement_id = proposed["agreement_id"]

    def arrived() -> bool:
        return any(x["agreement_id"] == agreement_id for x in b.cli("agreement", "list", "--json"))

    wait_for(arrived, what="the proposal to arrive")
    b.cli("agreement", "accept", "--agreement", agreement_id)

    def active() -> bool:
        rows = a.cli("agreement", "list", "--json")
        return any(x["agreement_id"] == agreement_id and x["status"] == "active" for x in rows)

    wait_for(active, what="the agreement to be active on both sides")
    return agreement_id


def report(**overrides: Any) -> dict[str, Any]:
    """A synthetic report (invented person)."""
    body: dict[str, Any] = {
        "title": "Courier seen at the port of Tangier",
        "body": "Yassine Bennani met a courier near the ferry terminal.",
        "language": "en",
        "topics": ["terrorism"],
        "handling": {"tlp": "AMBER", "codes": ["H2"]},
        "grading": {"scheme": "admiralty", "source": "B", "information": "2"},
        "entities": [{"id": "p1", "schema": "Person", "properties": {"name": ["Yassine Bennani"]}}],
        "mentions": [{"entity": "p1", "start": 0, "end": 15}],
    }
    body.update(overrides)
    return body
