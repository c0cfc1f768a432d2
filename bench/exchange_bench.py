"""Federation throughput and latency: two real nodes on loopback, SQLite.

    python bench/exchange_bench.py [--reports 10000] [--latency-samples 100]

1. Sustained delivery: Rabat and Madrid are linked and agreed (the CLI, as
   administrators do it). Madrid is stopped; ``--reports`` synthetic reports
   are imported into Rabat and each is shared with Madrid (10,000 outbox
   messages waiting). Madrid is started again; delivered messages per second
   are counted from the first receipt to the last (each message signed,
   encrypted, posted, verified, decrypted, checked, stored with its entities,
   audited and answered with a signed receipt).
2. Latency at low load: with both nodes up, a liaison officer shares one
   report every 100 ms through Rabat's API; the latency of each is the time
   from the share's commit (outbox row written) to Madrid's commit (inbox row
   written). Both clocks are the same machine's.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

FAST = {"TABADUL_EXCHANGE_RETRY_MAX_SECONDS": "0.5", "TABADUL_LOG_LEVEL": "warning"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(data_dir: Path, *args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "tabadul", *args, "--data-dir", str(data_dir), "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **FAST},
    ).stdout
    return json.loads(out)


class Served:
    """A node in a data directory, served by ``tabadul serve`` on a free port."""

    def __init__(self, base: Path, name: str, country: str) -> None:
        self.data_dir = base / name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        cli(
            self.data_dir,
            "init",
            "--name",
            f"{name.title()} service",
            "--country",
            country,
            "--url",
            self.url,
        )

    def start(self) -> None:
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
            env={**os.environ, **FAST},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.data_dir} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = None


def wait(check: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.1)


def link_and_agree(rabat: Served, madrid: Served) -> str:
    invited = cli(rabat.data_dir, "partner", "invite")
    accepted = cli(madrid.data_dir, "partner", "accept", "--invitation", invited["invitation"])
    [madrid_on_rabat] = cli(rabat.data_dir, "partner", "list")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tabadul",
            "partner",
            "confirm",
            "--data-dir",
            str(madrid.data_dir),
            "--partner",
            accepted["partner_id"],
            "--fingerprint",
            invited["fingerprint"],
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tabadul",
            "partner",
            "confirm",
            "--data-dir",
            str(rabat.data_dir),
            "--partner",
            madrid_on_rabat["partner_id"],
            "--fingerprint",
            madrid_on_rabat["fingerprint"],
        ],
        check=True,
        capture_output=True,
    )
    proposed = cli(
        rabat.data_dir,
        "agreement",
        "propose",
        "--partner",
        madrid_on_rabat["partner_id"],
        "--topics",
        "terrorism,financing,trafficking,radicalisation,cyber,foreign-fighters",
        "--max-tlp",
        "AMBER",
    )
    wait(lambda: cli(madrid.data_dir, "agreement", "list"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tabadul",
            "agreement",
            "accept",
            "--data-dir",
            str(madrid.data_dir),
            "--agreement",
            proposed["agreement_id"],
        ],
        check=True,
        capture_output=True,
    )
    wait(lambda: cli(rabat.data_dir, "agreement", "list")[0]["status"] == "active")
    return str(madrid_on_rabat["partner_id"])


def liaison(node: Any) -> Any:
    from tabadul.services import accounts

    accounts.add_user(node, None, "liaison", "liaison", clearance=node.classification.levels[-1])
    return accounts.principal_named(node, "liaison")


def queue_shares(rabat: Served, partner_id: str, n: int) -> float:
    """Import ``n`` synthetic reports into Rabat and share each with Madrid; returns seconds."""
    from tabadul.services import imports, sharing
    from tabadul.services.node import Node
    from tabadul.settings import load_settings
    from tabadul.synthetic import Generator

    node = Node.open(load_settings(rabat.data_dir))
    actor = liaison(node)
    lines = []
    for report in Generator(seed=11).reports(n):
        report["handling"] = {"tlp": "AMBER", "codes": ["H2"]}
        report["status"] = "released"
        lines.append(json.dumps(report, ensure_ascii=False))
    imports.import_lines(node, iter(lines))
    from tabadul.storage.tables import ReportRow

    with node.db.reading() as session:
        ids = list(session.scalars(select(ReportRow.id)))
    start = time.perf_counter()
    refused: dict[str, int] = {}
    for report_id in ids:
        [share] = sharing.share(node, actor, report_id, [partner_id])
        if share.status != "queued":
            refused[share.reason or ""] = refused.get(share.reason or "", 0) + 1
    seconds = time.perf_counter() - start
    node.close()
    if refused:
        print(f"  shares refused by the policy: {refused}")
    return seconds


def delivered_times(data_dir: Path) -> list[dt.datetime]:
    from tabadul.services.node import Node
    from tabadul.settings import load_settings
    from tabadul.storage.tables import OutboxRow

    node = Node.open(load_settings(data_dir))
    with node.db.reading() as session:
        times = list(
            session.scalars(
                select(OutboxRow.delivered_at).where(
                    OutboxRow.type == "report.share", OutboxRow.delivered_at.is_not(None)
                )
            )
        )
    node.close()
    return sorted(times)


def count_queued(data_dir: Path) -> int:
    """Outbox rows still queued (read straight from the SQLite file: polled often, kept cheap)."""
    return _count(data_dir, "SELECT count(*) FROM outbox WHERE status = 'queued'")


def count_jobs(data_dir: Path) -> int:
    """Indexing and correlation jobs not yet done (the recurring jobs always wait: not those)."""
    return _count(
        data_dir,
        "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') "
        "AND kind IN ('search.index', 'matching.correlate')",
    )


def _count(data_dir: Path, sql: str) -> int:
    from tabadul.settings import SQLITE_FILE_NAME

    with contextlib.closing(sqlite3.connect(data_dir / SQLITE_FILE_NAME, timeout=30)) as db:
        return int(db.execute(sql).fetchone()[0])


def cpu_seconds(process: subprocess.Popen[bytes] | None) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    assert process is not None
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency(rabat: Served, madrid: Served, partner_id: str, samples: int) -> list[float]:
    from tabadul.services import accounts
    from tabadul.services.node import Node
    from tabadul.settings import load_settings
    from tabadul.storage.tables import InboxRow, OutboxRow

    node = Node.open(load_settings(rabat.data_dir))
    token = accounts.create_token(node, None, "liaison", scopes=["read", "write", "exchange"])
    node.close()
    headers = {"Authorization": f"Bearer {token.token}", "X-Tabadul-Purpose": "benchmark"}
    report = {
        "title": "Courier seen at the port",
        "body": "A courier met a contact near the ferry terminal.",
        "language": "en",
        "topics": ["terrorism"],
        "handling": {"tlp": "AMBER"},
    }
    shared: list[str] = []
    with httpx.Client(base_url=rabat.url, headers=headers, timeout=30) as client:
        for _ in range(samples):
            report_id = client.post("/api/v1/reports", json=report).json()["id"]
            response = client.post(
                f"/api/v1/reports/{report_id}/shares", json={"partners": [partner_id]}
            )
            shared.append(response.json()["shares"][0]["message_id"])
            time.sleep(0.1)
    wait(lambda: count_queued(rabat.data_dir) == 0, timeout=120)
    sender = Node.open(load_settings(rabat.data_dir))
    receiver = Node.open(load_settings(madrid.data_dir))
    with sender.db.reading() as s, receiver.db.reading() as r:
        sent = dict(
            s.execute(
                select(OutboxRow.message_id, OutboxRow.created_at).where(
                    OutboxRow.message_id.in_(shared)
                )
            ).all()
        )
        got = dict(
            r.execute(
                select(InboxRow.message_id, InboxRow.received_at).where(
                    InboxRow.message_id.in_(shared)
                )
            ).all()
        )
    sender.close()
    receiver.close()
    return [(got[m] - sent[m]).total_seconds() * 1000 for m in shared]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--latency-samples", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tabadul-exchange-bench-") as tmp:
        base = Path(tmp)
        rabat, madrid = Served(base, "rabat", "MA"), Served(base, "madrid", "ES")
        rabat.start()
        madrid.start()
        try:
            partner_id = link_and_agree(rabat, madrid)
            madrid.stop()
            seconds = queue_shares(rabat, partner_id, args.reports)
            queued = count_queued(rabat.data_dir)
            print(f"queued {queued:,} shares in {seconds:.0f} s ({queued / seconds:,.0f} shares/s)")
            print(f"load average before delivery: {os.getloadavg()}")
            madrid.start()
            cpu = cpu_seconds(rabat.process), cpu_seconds(madrid.process)
            wait(lambda: count_queued(rabat.data_dir) == 0, timeout=3600)
            sent_cpu = cpu_seconds(rabat.process) - cpu[0]
            received_cpu = cpu_seconds(madrid.process) - cpu[1]
            times = delivered_times(rabat.data_dir)
            span = (times[-1] - times[0]).total_seconds()
            print(
                f"sustained delivery: {len(times):,} reports in {span:.1f} s "
                f"= {len(times) / span:,.0f} messages/s (each signed, encrypted, checked, "
                "stored, receipted)"
            )
            print(
                f"CPU per message while delivering: Rabat (sending) "
                f"{sent_cpu / len(times) * 1000:.2f} ms, Madrid (receiving, and its "
                f"background jobs) {received_cpu / len(times) * 1000:.2f} ms; "
                f"load average {os.getloadavg()}"
            )
            started = time.monotonic()
            wait(lambda: count_jobs(madrid.data_dir) == 0, timeout=3600)
            jobs_cpu = cpu_seconds(madrid.process) - cpu[1] - received_cpu
            print(
                f"Madrid's background jobs (indexing, correlation) finished "
                f"{time.monotonic() - started:.0f} s after the last delivery, "
                f"using {jobs_cpu:.1f} s more CPU"
            )
            samples = latency(rabat, madrid, partner_id, args.latency_samples)
            q = statistics.quantiles(samples, n=100)
            print(
                f"latency at low load ({len(samples)} shares, one per 100 ms): "
                f"p50 {statistics.median(samples):.0f} ms, p95 {q[94]:.0f} ms, "
                f"max {max(samples):.0f} ms"
            )
        finally:
            rabat.stop()
            madrid.stop()


if __name__ == "__main__":
    main()
