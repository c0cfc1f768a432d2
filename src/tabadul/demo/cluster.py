"""The three demonstration nodes: initialise, serve, link, agree, and stop them.

Each node lives in its own directory under the demonstration's directory
(``var/demo/rabat`` …) and is served by a ``tabadul serve`` process of its
own, detached from the terminal, whose id is kept in ``serve.pid`` so that
``tabadul demo stop`` can end exactly those processes. Linking and agreeing
go through the same services as ``tabadul partner …`` and ``tabadul
agreement …``, on each node's database, as the administrators would.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tabadul.demo import content
from tabadul.errors import Conflict
from tabadul.services import accounts, federation
from tabadul.services.node import Node, initialise
from tabadul.settings import ENV_FILE_NAME, Settings, load_settings

T = TypeVar("T")

# The node processes this process started, kept so that they are not reported as
# leaked while they run on purpose; `stop` waits for them (and reaps them).
_started: dict[int, subprocess.Popen[bytes]] = {}

MARKER = "demo.json"
PID_FILE = "serve.pid"
LOG_FILE = "serve.log"
PURPOSE = "demo case DEMO-1"
# Quicker polling and retries than production's, so that each step shows within a second or two.
NODE_ENV = {
    "TABADUL_JOB_POLL_SECONDS": "0.2",
    "TABADUL_EXCHANGE_RETRY_BASE_SECONDS": "0.5",
    "TABADUL_EXCHANGE_RETRY_MAX_SECONDS": "5",
    "TABADUL_LOG_LEVEL": "warning",
}


# The demonstration's nodes each keep their own SQLite file, whatever the operator's
# shell says: three nodes in one PostgreSQL database would be one node.
EMBEDDED_ONLY = ("TABADUL_DATABASE_URL", "TABADUL_DATA_DIR", "TABADUL_ENVIRONMENT")


def _settings(data_dir: Path) -> Settings:
    return load_settings(data_dir, database_url=None, environment="development")


@dataclass(frozen=True)
class Site:
    """One of the three invented services."""

    key: str
    name: str
    country: str
    port: int


SITES = (
    Site("rabat", "Moroccan service (demonstration)", "MA", 8001),
    Site("madrid", "Spanish partner service (demonstration)", "ES", 8002),
    Site("berlin", "German partner service (demonstration)", "DE", 8003),
)


@dataclass
class DemoNode:
    """One demonstration node: its directory, port, users and the scenario's tokens."""

    site: Site
    data_dir: Path
    port: int
    users: list[content.Credential] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Where the node answers (and where partners reach it)."""
        return f"http://127.0.0.1:{self.port}"

    @contextlib.contextmanager
    def opened(self) -> Iterator[Node]:
        """The node's services, on its database, as its operator."""
        node = Node.open(_settings(self.data_dir))
        try:
            yield node
        finally:
            node.close()

    def api(self, method: str, path: str, who: str, **kwargs: Any) -> httpx.Response:
        """Call the node's API as one of its users."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}", "X-Tabadul-Purpose": PURPOSE}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def ok(self, method: str, path: str, who: str, **kwargs: Any) -> Any:
        """Call the API and return the JSON answer; a refusal stops the demonstration."""
        response = self.api(method, path, who, **kwargs)
        if response.status_code >= 400:
            raise DemoFailed(f"{self.site.key}: {method} {path} → {response.text}")
        return response.json()


class DemoFailed(Exception):
    """A step of the demonstration did not happen as scripted."""


def wait_for(check: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DemoFailed(f"timed out waiting for {what}")
        time.sleep(0.2)


def create(base: Path, ports: tuple[int, int, int] | None = None) -> list[DemoNode]:
    """Initialise the three nodes under ``base`` with users, tokens and content.

    A previous demonstration in ``base`` is removed first, once its nodes
    have stopped; a directory that is not a demonstration's is left alone.
    """
    if base.exists() and any(base.iterdir()):
        if not (base / MARKER).exists():
            raise Conflict(f"{base} exists and is not a demonstration directory")
        if running(base):
            raise Conflict("the demonstration is running; stop it first (make demo-stop)")
        shutil.rmtree(base)
    for port in ports or tuple(site.port for site in SITES):
        _require_free(port)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written first, so that a half-made demonstration is still recognised and replaced.
    (base / MARKER).write_text(
        json.dumps({"nodes": [site.key for site in SITES]}), encoding="utf-8"
    )
    nodes = []
    for index, site in enumerate(SITES):
        port = ports[index] if ports else site.port
        node = DemoNode(site, base / site.key, port)
        node.data_dir.mkdir(mode=0o700)
        (node.data_dir / ENV_FILE_NAME).write_text(
            "".join(f"{k}={v}\n" for k, v in NODE_ENV.items()), encoding="utf-8"
        )
        made = initialise(_settings(node.data_dir), site.name, site.country, node.url)
        with node.opened() as opened:
            node.users = content.add_users(opened, made.admin_password)
            for who in ("analyst", "liaison", "supervisor"):
                node.tokens[who] = accounts.create_token(
                    opened,
                    None,
                    who,
                    scopes=["read", "write", "exchange"],
                    expires_in_days=1,
                    label="demonstration scenario",
                ).token
            content.add_reports(opened, count=12, seed=index + 1)
        nodes.append(node)
    return nodes


def _require_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise Conflict(f"port {port} is in use; choose others with --ports") from None


def start(node: DemoNode) -> int:
    """Serve the node in a detached process; returns once it answers."""
    with (node.data_dir / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            [
                sys.executable,
                "-m",
                "tabadul",
                "serve",
                "--data-dir",
                str(node.data_dir),
                "--port",
                str(node.port),
            ],
            env={k: v for k, v in os.environ.items() if k not in EMBEDDED_ONLY},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # outlives `tabadul demo start`; ended by `demo stop`
        )
    _started[process.pid] = process
    (node.data_dir / PID_FILE).write_text(str(process.pid), encoding="utf-8")

    def healthy() -> bool:
        if process.poll() is not None:
            tail = (node.data_dir / LOG_FILE).read_text(errors="replace")[-2000:]
            raise DemoFailed(f"{node.site.key} exited: {tail}")
        try:
            return httpx.get(node.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(healthy, f"{node.site.key} to answer on {node.url}")
    return process.pid


def link(a: DemoNode, b: DemoNode) -> tuple[str, str]:
    """Invite, accept and confirm fingerprints both ways; (b's id on a, a's id on b)."""
    with a.opened() as na:
        invitation, a_fingerprint = federation.invite(na, None)
    with b.opened() as nb:
        accepted = federation.accept(nb, None, invitation)
        federation.confirm(nb, None, accepted.partner_id, a_fingerprint)
    with a.opened() as na:
        b_on_a = wait_for(
            lambda: next(
                (p for p in federation.list_partners(na, None) if p.url == b.url and p.fingerprint),
                None,
            ),
            f"{b.site.key} to introduce itself to {a.site.key}",
        )
        federation.confirm(na, None, b_on_a.partner_id, b_on_a.fingerprint or "")
    return b_on_a.partner_id, accepted.partner_id


def agree(a: DemoNode, b: DemoNode, b_on_a: str, topics: list[str], max_tlp: str) -> str:
    """Propose on ``a``, accept on ``b`` once the proposal arrives; active on both."""
    with a.opened() as na:
        proposed = federation.propose(na, None, b_on_a, topics, max_tlp)
    agreement_id = proposed.agreement_id

    def arrived(node: DemoNode, status: str | None = None) -> bool:
        with node.opened() as opened:
            return any(
                x.agreement_id == agreement_id and (status is None or x.status == status)
                for x in federation.list_agreements(opened, None)
            )

    wait_for(lambda: arrived(b), "the proposed agreement to arrive")
    with b.opened() as nb:
        federation.accept_agreement(nb, None, agreement_id)
    wait_for(lambda: arrived(a, "active"), "the agreement to be active on both sides")
    return agreement_id


def running(base: Path) -> list[int]:
    """Ids of the demonstration's node processes still alive."""
    alive = []
    for pid_file in sorted(base.glob(f"*/{PID_FILE}")):
        pid = _pid(pid_file)
        if pid is not None and _is_ours(pid):
            alive.append(pid)
    return alive


def stop(base: Path, timeout: float = 30) -> list[str]:
    """End the node processes named by the pid files under ``base``; the nodes stopped."""
    stopped = []
    for pid_file in sorted(base.glob(f"*/{PID_FILE}")):
        pid = _pid(pid_file)
        if pid is not None and _is_ours(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _is_ours(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _is_ours(pid):
                os.kill(pid, signal.SIGKILL)
            stopped.append(pid_file.parent.name)
        child = _started.pop(pid, None) if pid is not None else None
        if child is not None:
            child.wait()
        pid_file.unlink()
    return stopped


def _pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _is_ours(pid: int) -> bool:
    """Whether ``pid`` is still a ``tabadul serve`` process (not a recycled id)."""
    child = _started.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        # No /proc (macOS): fall back on whether the process exists at all.
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return b"tabadul" in cmdline and b"serve" in cmdline
