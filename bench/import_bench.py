"""Import throughput and memory: N synthetic reports (3-5 entities each) into a fresh node.

    python bench/import_bench.py [--reports 100000] [--backends sqlite,postgres]

Each import runs in its own process (a fresh node, the real `import_lines`
path the CLI uses) and reports wall time, throughput, and resident memory
sampled as the import goes: a flat line is the goal. PostgreSQL runs on a
throw-away schema of TABADUL_TEST_DATABASE_URL (or --pg-url).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, n: int) -> None:
    from tabadul.synthetic import Generator

    with path.open("w", encoding="utf-8") as handle:
        for report in Generator(seed=7).reports(n):
            handle.write(json.dumps(report, ensure_ascii=False) + "\n")


def child(args: argparse.Namespace) -> None:
    """Import the file into a fresh node and print one JSON line of figures."""
    from sqlalchemy import create_engine, text

    from tabadul.services import imports
    from tabadul.services.node import Node, initialise
    from tabadul.settings import load_settings, normalise_database_url

    data_dir = Path(tempfile.mkdtemp(prefix="tabadul-bench-"))
    overrides = {}
    if args.backend == "postgres":
        schema = f"bench_import_{os.getpid()}"
        admin = create_engine(normalise_database_url(args.pg_url))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        overrides["database_url"] = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    settings = load_settings(data_dir, **overrides)
    initialise(settings, "Benchmark node", country="MA")
    node = Node.open(settings)
    samples: list[tuple[int, float]] = []
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        if done % 10_000 < n:
            samples.append((done, round(rss_mib(), 1)))

    base = rss_mib()
    with open(args.file, encoding="utf-8") as handle:
        start = time.perf_counter()
        lines = (line.rstrip("\n") for line in handle)
        result = imports.import_lines(node, lines, progress=progress)
        seconds = time.perf_counter() - start
    node.close()
    if args.backend == "postgres":
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    print(
        json.dumps(
            {
                "backend": args.backend,
                "reports": result.reports,
                "entities": result.entities_created,
                "seconds": round(seconds, 1),
                "reports_per_s": round(result.reports / seconds),
                "rss_before_mib": round(base, 1),
                "rss_samples_mib": samples,
                "peak_rss_mib": round(peak_rss_mib(), 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("TABADUL_TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.jsonl"
        start = time.perf_counter()
        generate(path, args.reports)
        print(
            f"generated {args.reports} reports ({path.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - start:.0f} s"
        )
        print(
            f"{'backend':<10} {'reports':>8} {'entities':>9} {'seconds':>8} {'reports/s':>10} "
            f"{'peak RSS MiB':>13}  RSS MiB every 10k reports"
        )
        for backend in args.backends.split(","):
            out = (
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        "--backend",
                        backend,
                        "--file",
                        str(path),
                        "--pg-url",
                        args.pg_url,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            r = json.loads(out)
            rss = " ".join(f"{mib:.0f}" for _, mib in r["rss_samples_mib"])
            print(
                f"{r['backend']:<10} {r['reports']:>8} {r['entities']:>9} {r['seconds']:>8} "
                f"{r['reports_per_s']:>10} {r['peak_rss_mib']:>13}  {rss}"
            )


if __name__ == "__main__":
    main()
