"""What auditing costs: its overhead on imports, and the time to verify a million events.

    python bench/audit_bench.py [--reports 20000] [--rounds 3] [--events 1000000]

1. The import benchmark's synthetic reports are imported into fresh SQLite
   nodes, alternately with auditing as shipped and with the audit writes
   switched off (``audit_log.add`` replaced by a no-op in that process only),
   ``--rounds`` times each; the medians are compared.
2. A node's log is filled with ``--events`` events (in transactions of
   20,000, the way a busy node writes them), a checkpoint is signed, and
   ``audit verify`` — every hash recomputed, the chain followed, the Merkle
   root checked against the checkpoint — is timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(path: Path, n: int) -> None:
    from tabadul.synthetic import Generator

    with path.open("w", encoding="utf-8") as handle:
        for report in Generator(seed=7).reports(n):
            handle.write(json.dumps(report, ensure_ascii=False) + "\n")


def child_import(file: str, audited: bool) -> None:
    from tabadul.services import imports
    from tabadul.services.node import Node, initialise
    from tabadul.settings import load_settings
    from tabadul.storage import audit_log

    if not audited:
        audit_log.add = lambda session, *events: None  # type: ignore[assignment]
    settings = load_settings(Path(tempfile.mkdtemp(prefix="tabadul-audit-bench-")))
    initialise(settings, "Benchmark node", country="MA")
    node = Node.open(settings)
    with open(file, encoding="utf-8") as handle:
        start = time.perf_counter()
        result = imports.import_lines(node, (line.rstrip("\n") for line in handle))
        seconds = time.perf_counter() - start
    with node.db.reading() as session:
        events = audit_log.size(session)
    node.close()
    print(json.dumps({"seconds": seconds, "reports": result.reports, "events": events}))


def run_import(file: Path, audited: bool) -> dict[str, float]:
    out = (
        subprocess.run(
            [sys.executable, __file__, "--child-import", str(file), "--audited", str(int(audited))],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return dict(json.loads(out))


def verify_million(n: int) -> None:
    from tabadul.audit import events as ev
    from tabadul.services import auditing
    from tabadul.services.node import Node, initialise
    from tabadul.settings import load_settings
    from tabadul.storage import audit_log

    settings = load_settings(Path(tempfile.mkdtemp(prefix="tabadul-audit-verify-")))
    initialise(settings, "Benchmark node", country="MA")
    node = Node.open(settings)
    actor = ev.Actor("user", "bench-analyst", 2, "analyst")
    start = time.perf_counter()
    done = 0
    while done < n:
        batch = min(20_000, n - done)
        with node.db.transaction() as session:
            audit_log.add(
                session,
                *(
                    ev.ReportViewed(
                        actor=actor, purpose=f"case {i % 97}", report_id=f"r-{i:08d}", version=1
                    )
                    for i in range(done, done + batch)
                ),
            )
        done += batch
    filled = time.perf_counter() - start
    auditing.make_checkpoint(node)
    start = time.perf_counter()
    outcome = auditing.verify_log(node, None)
    seconds = time.perf_counter() - start
    node.close()
    size = outcome.result.tree_size
    print(f"filled {done:,} events in {filled:.0f} s ({done / filled:,.0f} events/s)")
    print(
        f"audit verify: {size:,} events, {outcome.result.checkpoints_checked} checkpoint(s), "
        f"intact={outcome.intact}: {seconds:.1f} s ({size / seconds:,.0f} events/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--audited", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        child_import(args.child_import, bool(args.audited))
        return

    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "reports.jsonl"
        generate(file, args.reports)
        timings: dict[bool, list[float]] = {True: [], False: []}
        events = 0
        for _ in range(args.rounds):
            for audited in (False, True):  # alternated, so drift hits both alike
                result = run_import(file, audited)
                timings[audited].append(result["seconds"])
                if audited:
                    events = int(result["events"])
        plain, audited_s = statistics.median(timings[False]), statistics.median(timings[True])
        print(f"import of {args.reports:,} reports (SQLite), median of {args.rounds} rounds each:")
        print(f"  without audit writes: {plain:.1f} s ({args.reports / plain:,.0f} reports/s)")
        print(
            f"  with auditing:        {audited_s:.1f} s "
            f"({args.reports / audited_s:,.0f} reports/s), {events:,} events"
        )
        print(f"  overhead: {(audited_s / plain - 1) * 100:+.1f} %")
    if args.events:
        verify_million(args.events)


if __name__ == "__main__":
    main()
