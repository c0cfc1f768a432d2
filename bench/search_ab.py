"""The bench's queries ranked by FTS5's ``bm25()`` in the walk and by ``search.ranking``, in turn.

    python bench/search_bench.py --reports 1000000 --data-dir DIR   # builds the node once
    python bench/search_ab.py --data-dir DIR [--rounds 3] [--kinds "three words" filtered]

On a machine shared with other work, two bench runs minutes apart differ by
more than the change being measured. This runs the bench's queries (the
same seed, 50 of each kind) through ``tabadul.services.search.search`` in
one process, each query under both ways in turn — the order alternating
from round to round — so both see the same load:

- "fts5 bm25": the walk carries FTS5's ``bm25()`` (the unfiltered
  statement of main before 2026-11-24; for a filtered query, its walk ranked
  as before the third session — main at 2f8884c scored the bounded set in
  a second cursor instead, which ``bench/search_bench.py`` on a checkout
  measures);
- "ranked after": what the service does now (``tabadul.search.ranking``).

The phrase counts ``search.ranking`` keeps are forgotten before each
query of round 0 (the bench's situation: every query new) and kept after.
Per query the median of the rounds; then p50 and p95 over the queries,
wall time and the thread's CPU time. Also compares what both return:
totals and facets must be equal; the pages (20 best, with FTS5's exact
phrase counts against estimated ones) are compared as sets and in order.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from search_bench import KINDS, percentile, queries
from tabadul.logs import configure
from tabadul.search import backends, engine, ranking
from tabadul.search.engine import SearchFilter
from tabadul.services import accounts, search
from tabadul.services.node import Node
from tabadul.settings import load_settings


def fts5_ranked(*args: Any, **kwargs: Any) -> backends.Matching:
    """The walk scored by FTS5's ``bm25()`` as it goes (filter words, if any, weigh nothing)."""
    found = backends.matching(*args, **kwargs)
    if found.rank is None:
        return found
    return dataclasses.replace(found, score=-backends._bm25(), rank=None, texts=())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    analyst = accounts.principal_named(node, "benchmark")
    corpus = json.loads((args.data_dir / "bench-corpus.json").read_text())
    pool = [SimpleNamespace(latin=latin) for latin in corpus["pool"]]
    planned = queries(pool, corpus["samples"], args.queries, args.seed)
    ways = {"fts5 bm25": fts5_ranked, "ranked after": backends.matching}
    gc.collect()
    gc.freeze()  # as the application does
    print(f"{args.rounds} rounds; per query the median; ms")
    print(
        f"{'query':<18} {'way':<13} {'p50':>6} {'p95':>6} {'cpu p50':>8} {'cpu p95':>8}"
        "  same totals+facets, same page set, same page order"
    )
    try:
        for kind in args.kinds:
            items = planned[kind]
            wall: dict[str, list[list[float]]] = {w: [[] for _ in items] for w in ways}
            cpu: dict[str, list[list[float]]] = {w: [[] for _ in items] for w in ways}
            got: dict[str, list[Any]] = {w: [None] * len(items) for w in ways}
            for r in range(args.rounds):
                for i, (q, filters) in enumerate(items):
                    order = list(ways) if (r + i) % 2 == 0 else list(reversed(ways))
                    for way in order:
                        if r == 0:
                            ranking.FREQUENCIES.clear()  # every query new, as in the bench
                        engine.matching = ways[way]  # type: ignore[assignment]
                        t0, c0 = time.perf_counter(), time.thread_time()
                        found = search.search(
                            node, analyst, q, SearchFilter(**filters), "benchmark"
                        )
                        wall[way][i].append((time.perf_counter() - t0) * 1000)
                        cpu[way][i].append((time.thread_time() - c0) * 1000)
                        got[way][i] = (found.total, found.facets, [h.id for h in found.items])
            a, b = (got[w] for w in ways)
            same_counts = sum(x[:2] == y[:2] for x, y in zip(a, b, strict=True))
            same_set = sum(set(x[2]) == set(y[2]) for x, y in zip(a, b, strict=True))
            same_order = sum(x[2] == y[2] for x, y in zip(a, b, strict=True))
            for way in ways:
                w = [statistics.median(v) for v in wall[way]]
                c = [statistics.median(v) for v in cpu[way]]
                print(
                    f"{kind:<18} {way:<13} {statistics.median(w):>6.1f} "
                    f"{percentile(w, 0.95):>6.1f} {statistics.median(c):>8.1f} "
                    f"{percentile(c, 0.95):>8.1f}"
                    + (
                        f"  {same_counts}/{len(items)}, {same_set}/{len(items)},"
                        f" {same_order}/{len(items)}"
                        if way == "ranked after"
                        else ""
                    ),
                    flush=True,
                )
    finally:
        engine.matching = backends.matching  # type: ignore[assignment]
        node.close()


if __name__ == "__main__":
    main()
