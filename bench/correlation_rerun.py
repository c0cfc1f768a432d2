"""Time a re-correlation of a node ``correlation_bench.py`` built, pass by pass.

    python bench/correlation_bench.py --persons 100000 --links 2000 --data-dir DIR
    python bench/correlation_rerun.py --data-dir DIR [--processes 2] [--pairs-only | --keys-only]
    python bench/correlation_rerun.py --data-dir DIR --pairs-only --entities 100000
    python bench/correlation_rerun.py --data-dir DIR --reports 100

Runs ``correlate_all`` (the code of ``tabadul correlate --all``) on the
node's holdings as they are: its stored hits are deleted first, so the run
raises them again. ``--pairs-only`` starts the run at its second pass, on
the keys a run stored before (to compare ways of running that pass, e.g.
``--processes 1`` against ``2`` in one sitting); ``--keys-only`` stops the
run after its first pass (to store the keys of a newer version of the code,
for ``correlation_sample.py``); ``--entities N`` stops the pairs pass after
its first N entities (a sample of its rate at a million, where the whole
pass takes half an hour; the CPU time then includes the chunks the workers
had begun ahead). ``--reports N`` times
instead the correlation of N new reports of 10 entities, as the bench does.
Prints JSON lines: each pass's time (and the CPU time of the run's
processes, workers included: steadier than wall time on a shared machine;
and the part of it spent in the run's own process, which writes),
and after a whole run the recall and precision of the planted links (as
``correlation_bench.py`` counts them); or the reports' p50/p95.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from sqlalchemy import delete, func, select

from correlation_bench import new_reports, quality, reset
from tabadul.logs import configure
from tabadul.services import correlation
from tabadul.services.node import Node
from tabadul.settings import load_settings
from tabadul.storage import matching as store
from tabadul.storage.tables import CorrelationRunRow, EntityRow, HitRow
from tabadul.storage.types import utcnow


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--processes", type=int, default=2)
    passes = parser.add_mutually_exclusive_group()
    passes.add_argument("--pairs-only", action="store_true")
    passes.add_argument("--keys-only", action="store_true")
    parser.add_argument(
        "--entities",
        type=int,
        help="with --pairs-only: stop after this many entities (a sample of the pass's rate)",
    )
    parser.add_argument("--reports", type=int, default=0)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    if args.entities and not args.pairs_only:
        parser.error("--entities samples the pairs pass: use it with --pairs-only")
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    try:
        held = reset(node)
        if args.reports:
            print(
                json.dumps({"one_report_of_10": new_reports(node, args.reports, args.seed, held)})
            )
            return
        with node.db.transaction() as session:
            session.execute(delete(HitRow))
            if args.pairs_only:
                now = utcnow()
                session.add(
                    CorrelationRunRow(
                        started_at=now,
                        updated_at=now,
                        phase="pairs",
                        cursor=None,
                        done=0,
                        total=store.count_entities(session),
                    )
                )
        start = time.perf_counter()
        cpu_before = _cpu()
        ended: dict[str, float] = {}

        def progress(p: correlation.Progress) -> None:
            ended[p.phase] = time.perf_counter() - start

        correlation.correlate_all(
            node,
            restart=not args.pairs_only,
            chunk=1_000,
            processes=args.processes,
            on_progress=progress,
            stop_after=(
                -(-held // 1_000)
                if args.keys_only
                else -(-args.entities // 1_000)
                if args.entities
                else None
            ),
        )
        passes = {k: round(v, 1) for k, v in ended.items() if k != "finished"}
        used = [
            r.ru_utime + r.ru_stime - (c.ru_utime + c.ru_stime)
            for r, c in zip(_cpu(), cpu_before, strict=True)
        ]
        print(
            json.dumps(
                {
                    "entities": held,
                    "processes": args.processes,
                    **(
                        {"sampled": args.entities, "per_s": round(args.entities / passes["pairs"])}
                        if args.entities
                        else {}
                    ),
                    "passes_end_s": passes,
                    "cpu_s": round(sum(used), 1),
                    "main_cpu_s": round(used[0], 1),
                }
            )
        )
        if not (args.keys_only or args.entities):
            # The planted second records are the ids ending "-1" (correlation_bench.py).
            with node.db.reading() as session:
                links = session.scalar(
                    select(func.count()).select_from(EntityRow).where(EntityRow.id.like("%-1"))
                )
            print(json.dumps(quality(node, links or 0)))
    finally:
        node.close()


def _cpu() -> tuple[resource.struct_rusage, resource.struct_rusage]:
    """This process's and its ended children's (the run's worker processes') usage."""
    return resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)


if __name__ == "__main__":
    main()
