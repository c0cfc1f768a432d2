"""Search: indexing throughput through the job queue, then query latency, on N synthetic reports.

    python bench/search_bench.py [--reports 1000000] [--queries 100] [--backend sqlite]
                                 [--out bench/out/search-sqlite-1000000.json]

1. Load N synthetic reports (``tabadul.synthetic``: Arabic, French and
   English; about half Arabic) into a fresh node with bulk inserts — the
   rows the import writes (reports, versions, topics, mentions of a pool of
   5,000 invented people), without the FollowTheMoney checking the import
   benchmark already measures — and queue one index job per 500 reports,
   as an import does.
2. **Indexing**: a job worker (the code ``tabadul serve`` runs) empties
   the queue: analysis, name forms of the mention spans, documents and the
   FTS5 / GIN index. Reports per second over the whole queue.
3. **Queries**: ``tabadul.services.search.search`` — the function behind
   the API and the CLI, with the total, all facets, snippets, the policy
   check and the audit event — as an analyst cleared to SECRET, for five
   kinds of query drawn at random from the corpus's own vocabulary:
   one word, three words, a phrase, a person's name in a Latin spelling
   (cross-script: it must also find Arabic reports), and one word with
   topic, TLP and date filters; and, for contrast, a selector an analyst
   types every day — a phone number (a rare word). p50 and p95 per kind,
   with the median number of matches (the synthetic corpus has a small
   vocabulary — 20 given names, 8 places, 3 sentence templates per
   language — so its words are far commoner than in real reporting).

With ``--data-dir DIR`` (SQLite), the node is built in DIR on the first run and
reused by later ones: only the queries run again.

PostgreSQL (``--backend postgres``) runs on a throw-away schema of
TABADUL_TEST_DATABASE_URL (or --pg-url).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
CHUNK = 5000
JOB_REPORTS = 500
KINDS = ("one word", "three words", "phrase", "cross-script name", "filtered", "phone number")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def load(node: Any, n: int, seed: int) -> tuple[list[Any], list[dict[str, Any]]]:
    """Bulk-insert N reports mentioning a pool of people; queue their index jobs."""
    from tabadul.model.ids import new_id
    from tabadul.search import documents
    from tabadul.storage.tables import (
        EntityRow,
        MentionRow,
        ReportRow,
        ReportTopicRow,
        ReportVersionRow,
        table,
    )
    from tabadul.storage.types import utcnow
    from tabadul.synthetic import Generator

    gen = Generator(seed=seed)
    pool = gen.people(5000)
    now = utcnow()
    person_ids = [new_id() for _ in pool]
    by_person = {id(p): pid for p, pid in zip(pool, person_ids, strict=True)}
    with node.db.transaction() as session:
        session.execute(
            table(EntityRow).insert(),
            [
                {
                    "id": pid,
                    "schema": "Person",
                    "properties": {"name": [p.arabic, *p.latin]},
                    "caption": p.latin[0],
                    "category": "suspect",
                    "created_at": now,
                    "created_by": None,
                    "updated_at": now,
                    "classification": "RESTRICTED",
                    "independent": True,
                }
                for p, pid in zip(pool, person_ids, strict=True)
            ],
        )
        documents.enqueue(session, entities=person_ids)
    samples: list[dict[str, Any]] = []
    done = 0
    while done < n:
        size = min(CHUNK, n - done)
        reports, versions, topics, mentions = [], [], [], []
        ids = []
        for _ in range(size):
            pair = gen.rng.sample(pool, 2)
            r = gen.report(pair)
            rid = new_id()
            ids.append(rid)
            date = dt.date.fromisoformat(r["date_of_information"])
            reports.append(
                {
                    "id": rid,
                    "version": 1,
                    "status": "released",
                    "originator": node.identity.id,
                    "classification": r["classification"],
                    "tlp": r["handling"]["tlp"],
                    "date_of_information": date,
                    "review_by": date + dt.timedelta(days=1095),
                    "recorded_at": now,
                    "recorded_by": None,
                    "updated_at": now,
                }
            )
            versions.append(
                {
                    "report_id": rid,
                    "version": 1,
                    "status": "released",
                    "title": r["title"],
                    "body": r["body"],
                    "language": r["language"],
                    "topics": r["topics"],
                    "date_of_information": date,
                    "classification": r["classification"],
                    "compartments": [],
                    "handling": {"tlp": r["handling"]["tlp"], "codes": r["handling"]["codes"]},
                    "grading": r["grading"],
                    "nature": r["nature"],
                    "review_by": date + dt.timedelta(days=1095),
                    "note": None,
                    "recorded_at": now,
                    "recorded_by": None,
                }
            )
            topics.extend({"report_id": rid, "topic": t} for t in r["topics"])
            refs = {"p0": by_person[id(pair[0])], "p1": by_person[id(pair[1])]}
            mentions.extend(
                {
                    "report_id": rid,
                    "version": 1,
                    "entity_id": refs[m["entity"]],
                    "start": m["start"],
                    "end": m["end"],
                }
                for m in r["mentions"]
                if m["entity"] in refs
            )
            if len(samples) < 2000 and gen.rng.random() < 0.01:
                samples.append(r)
        with node.db.transaction() as session:
            session.execute(table(ReportRow).insert(), reports)
            session.execute(table(ReportVersionRow).insert(), versions)
            session.execute(table(ReportTopicRow).insert(), topics)
            session.execute(table(MentionRow).insert(), mentions)
            for start in range(0, len(ids), JOB_REPORTS):
                documents.enqueue(session, reports=ids[start : start + JOB_REPORTS])
        done += size
    return pool, samples


def queries(pool: list[Any], samples: list[dict[str, Any]], count: int, seed: int) -> dict:
    """Query texts of each kind, from the corpus's own words and people."""
    from tabadul.search.analysis import raw_words

    rng = random.Random(seed)
    texts = [raw_words(f"{s['title']} {s['body']}") for s in samples]
    long_words = [[w for w in t if len(w) > 3 and not w.isdigit()] for t in texts]
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {k: [] for k in KINDS}
    for _ in range(count):
        words = rng.choice(long_words)
        out["one word"].append((rng.choice(words), {}))
        out["three words"].append((" ".join(rng.sample(words, min(3, len(words)))), {}))
        text = rng.choice(texts)
        at = rng.randrange(max(1, len(text) - 1))
        out["phrase"].append((f'"{" ".join(text[at : at + 2])}"', {}))
        person = rng.choice(pool)
        spelling = rng.choice(person.latin).split()
        out["cross-script name"].append((f"{spelling[0]} {spelling[-1]}", {}))
        with_phone = [s["body"] for s in samples if "+212" in s["body"]]
        body = rng.choice(with_phone)
        phone = body[body.index("+212") : body.index("+212") + 13]
        out["phone number"].append((phone, {}))
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(500))
        out["filtered"].append(
            (
                rng.choice(rng.choice(long_words)),
                {
                    "topic": rng.choice(["terrorism", "financing", "trafficking"]),
                    "tlp": "AMBER",
                    "date_from": start,
                    "date_to": start + dt.timedelta(days=180),
                },
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100, help="per kind of query")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("TABADUL_TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="SQLite: build the node here once, then reuse it",
    )
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from tabadul.logs import configure

    configure("warning")

    from tabadul.jobs.handlers import handlers
    from tabadul.jobs.worker import Worker
    from tabadul.model.accounts import Role
    from tabadul.services import accounts, search
    from tabadul.services.node import Node, initialise
    from tabadul.services.search import SearchFilter
    from tabadul.settings import load_settings, normalise_database_url

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tabadul-search-bench-"))
    # A node built by an earlier run with --data-dir: its corpus and the queries drawn from it.
    kept = data_dir / "bench-corpus.json"
    reuse = args.backend == "sqlite" and kept.exists()
    overrides: dict[str, Any] = {}
    schema = f"bench_search_{os.getpid()}"
    admin = None
    if args.backend == "postgres":
        admin = create_engine(normalise_database_url(args.pg_url))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        overrides["database_url"] = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    settings = load_settings(data_dir, **overrides)
    if not reuse:
        initialise(settings, "Search benchmark node", country="MA")
    node = Node.open(settings)
    try:
        if reuse:
            corpus = json.loads(kept.read_text())
            pool = [SimpleNamespace(latin=latin) for latin in corpus["pool"]]
            samples, load_s, index_s = corpus["samples"], corpus["load_s"], corpus["index_s"]
            print(f"reusing the node in {data_dir} ({args.reports:,} reports assumed)")
        else:
            started = time.perf_counter()
            pool, samples = load(node, args.reports, args.seed)
            load_s = time.perf_counter() - started
            print(f"loaded {args.reports:,} reports in {load_s:.0f} s", flush=True)

            worker = Worker(node.db, settings, handlers(node))
            started = time.perf_counter()
            jobs = worker.run_until_idle(limit=10**9)
            index_s = time.perf_counter() - started
            print(
                f"indexed {args.reports:,} reports ({jobs} jobs) in {index_s:.1f} s: "
                f"{args.reports / index_s:,.0f} reports/s",
                flush=True,
            )
            if args.data_dir is not None and node.db.is_sqlite:
                corpus = {
                    "pool": [p.latin for p in pool],
                    "samples": samples,
                    "load_s": load_s,
                    "index_s": index_s,
                }
                kept.write_text(json.dumps(corpus, ensure_ascii=False, default=str))
        rate = args.reports / index_s
        if node.db.is_sqlite:
            with node.db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # What autovacuum does soon after a bulk load; without statistics the
            # planner's guesses for the label joins cost tens of ms per statement.
            with node.db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")

        if not reuse:
            accounts.add_user(node, None, "benchmark", Role.ANALYST.value, clearance="SECRET")
        analyst = accounts.principal_named(node, "benchmark")
        planned = queries(pool, samples, args.queries, args.seed)
        # As the application does once a node has started (tabadul.app): what lives as long
        # as the node leaves the cyclic collector's sight, or full collections land in p95.
        gc.collect()
        gc.freeze()
        results: dict[str, Any] = {}
        print(
            f"{'query':<18} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8} "
            f"{'median hits':>12} {'at bound':>9}  example"
        )
        for kind, items in planned.items():
            search.search(node, analyst, items[0][0], SearchFilter(**items[0][1]), "warm-up")
            times, cpu, totals, bounded = [], [], [], 0
            for q, filters in items:
                t0, c0 = time.perf_counter(), time.thread_time()
                found = search.search(node, analyst, q, SearchFilter(**filters), "benchmark")
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
                totals.append(found.total)
                bounded += not found.total_exact
            results[kind] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                # What the query cost this thread (SQLite runs in it): steadier than wall
                # time on a shared machine, and blind to waiting on the disk.
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
                # A total at the bound reads "1,000+": the count stopped there.
                "median_hits": int(statistics.median(totals)),
                "at_bound": bounded,
                "example": items[0][0],
            }
            r = results[kind]
            print(
                f"{kind:<18} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['cpu_p50_ms']:>8} "
                f"{r['cpu_p95_ms']:>8} {r['median_hits']:>12,} "
                f"{bounded:>9}  {r['example']}",
                flush=True,
            )
        figures = {
            "backend": args.backend,
            "reports": args.reports,
            "load_s": round(load_s, 1),
            "index_s": round(index_s, 1),
            "index_reports_per_s": round(rate),
            "queries_per_kind": args.queries,
            "queries": results,
        }
        if node.db.is_sqlite:
            size = sum(p.stat().st_size for p in data_dir.glob("tabadul.sqlite3*"))
            figures["database_mib"] = round(size / 2**20)
        print(json.dumps(figures, ensure_ascii=False))
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    finally:
        node.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if args.data_dir is None:
            for path in data_dir.glob("*"):
                path.unlink()
            data_dir.rmdir()


if __name__ == "__main__":
    main()
