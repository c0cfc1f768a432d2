"""Server time per page with 100,000 reports in the database.

    python bench/web_bench.py [--reports 100000] [--requests 200] [--data-dir DIR]

With ``--data-dir``, the node is built there once and reused by later runs (the
reports, index and hits are kept; only the timing is repeated).

A node on SQLite is filled with synthetic reports through the import path
(every entity, mention and audit event as in production), an analyst signs
in through the pages (password and authenticator code), then each main page
is requested ``--requests`` times in process (no network: the time is the
server's) with different reports and entities. Prints p50 and p95 per page.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from tabadul.access.passwords import hash_password
from tabadul.app import create_app
from tabadul.jobs.handlers import handlers
from tabadul.jobs.worker import Worker
from tabadul.search.documents import INDEX_JOB
from tabadul.services import accounts, correlation, imports
from tabadul.services.node import Node, initialise
from tabadul.settings import Settings, load_settings
from tabadul.storage.tables import EntityRow, HitRow, JobRow, ReportRow, UserRow
from tabadul.synthetic import Generator


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(settings: Settings, count: int) -> None:
    """A node with ``count`` imported reports, their search index and a sample's hits."""
    initialise(settings, "Benchmark node", country="MA")
    node = Node.open(settings)
    start = time.perf_counter()
    lines = (json.dumps(r, ensure_ascii=False) for r in Generator(seed=11).reports(count))
    result = imports.import_lines(node, lines)
    print(
        f"imported {result.reports:,} reports, {result.entities_created:,} entities "
        f"in {time.perf_counter() - start:.0f} s"
    )
    # The search index the import queued, then correlation of a sample of the people (enough
    # hits for the hit pages; correlating every entity is bench/correlation_bench.py's subject).
    # The import's correlation jobs are dropped: this bench times pages, not correlation, and
    # the index-only worker would only retry them.
    start = time.perf_counter()
    with node.db.transaction() as session:
        session.execute(delete(JobRow).where(JobRow.kind == correlation.CORRELATE_JOB))
    index_only = {INDEX_JOB: handlers(node)[INDEX_JOB]}
    ran = Worker(node.db, settings, index_only).run_until_idle(limit=10_000_000)
    with node.db.transaction() as session:
        sample = list(
            session.scalars(select(EntityRow.id).where(EntityRow.schema == "Person").limit(3000))
        )
        correlation.correlate(session, node, sample)
    print(f"indexed ({ran:,} jobs) and correlated a sample in {time.perf_counter() - start:.0f} s")
    accounts.add_user(node, None, "bench", "analyst", clearance="SECRET")
    with node.db.transaction() as session:
        session.scalars(
            select(UserRow).where(UserRow.username == "bench")
        ).one().password_hash = hash_password("bench lantern harbour copper")
    node.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, help="build the node here once, then reuse it")
    args = parser.parse_args()

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="tabadul-web-bench-"))
    settings = load_settings(data)
    if not (data / "node.json").exists():
        build(settings, args.reports)
    node = Node.open(settings)
    with node.db.transaction() as session:
        report_ids = list(
            session.scalars(select(ReportRow.id).order_by(ReportRow.id.desc()).limit(5000))
        )
        entity_ids = list(
            session.scalars(select(EntityRow.id).where(EntityRow.schema == "Person").limit(5000))
        )
        hit_ids = list(session.scalars(select(HitRow.id).limit(5000)))
        # A reused node: the analyst enrols an authenticator again, as on the first run.
        user = session.scalars(select(UserRow).where(UserRow.username == "bench")).one()
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = None, None, None
        print(
            f"{session.scalar(select(func.count()).select_from(ReportRow)):,} reports, "
            f"{len(hit_ids):,} hits sampled"
        )
    node.close()

    def csrf(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found is not None
        return found.group(1)

    rng = random.Random(3)
    with TestClient(
        create_app(settings), base_url="https://testserver", follow_redirects=False
    ) as c:
        c.post(
            "/signin",
            data={
                "username": "bench",
                "password": "bench lantern harbour copper",
                "csrf_token": csrf(c.get("/signin").text),
            },
        )
        enrol = c.get("/signin/enrol").text
        secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', enrol)
        assert secret is not None
        c.post(
            "/signin/enrol",
            data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": csrf(enrol)},
        )
        c.post(
            "/context",
            data={"purpose": "benchmark", "next": "/", "csrf_token": csrf(c.get("/context").text)},
        )
        pages = {
            "dashboard": lambda: "/",
            "report list": lambda: "/reports",
            "report list, filtered": lambda: (
                f"/reports?topic={rng.choice(['terrorism', 'financing', 'cyber'])}"
            ),
            "report": lambda: f"/reports/{rng.choice(report_ids)}",
            "report form": lambda: "/reports/new",
            "correction form": lambda: f"/reports/{rng.choice(report_ids)}/edit",
            "entity profile": lambda: f"/entities/{rng.choice(entity_ids)}",
            "link chart data": lambda: f"/entities/{rng.choice(entity_ids)}/graph.json",
            "search": lambda: (
                f"/search?q={rng.choice(['Tarik', 'محمد', 'Saidi', 'طنجة', 'réseau'])}"
            ),
            "search, filtered": lambda: (
                f"/search?q={rng.choice(['Tarik', 'Alaoui'])}&kind=report&tlp=AMBER"
            ),
            "hits": lambda: "/hits",
            "hit review": lambda: f"/hits/{rng.choice(hit_ids)}",
            "watchlists": lambda: "/watchlists",
        }
        if not hit_ids:
            del pages["hit review"]
        print(f"{'page':<24} {'p50 ms':>8} {'p95 ms':>8}  ({args.requests} requests each)")
        for name, path in pages.items():
            timings = []
            for _ in range(args.requests):
                url = path()
                begin = time.perf_counter()
                response = c.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(f"{name:<24} {statistics.median(timings):>8.1f} {percentile(timings, 95):>8.1f}")


if __name__ == "__main__":
    main()
