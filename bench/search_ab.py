"""The search bench's filtered queries, ranked in the walk (as before) and apart, interleaved.

    python bench/search_bench.py --reports 1000000 --data-dir DIR   # builds the node once
    python bench/search_ab.py --data-dir DIR [--rounds 5]

On a machine shared with other work, two bench runs minutes apart differ by
more than the change being measured. This runs the bench's 50 filtered
queries (the same seed) through ``tabadul.services.search.search`` in one
process, each query under both ways in turn — the order alternating from
round to round — so both see the same load: "walk-ranked" is the narrowed
walk scored by FTS5's BM25 as it goes (filter words among the phrases BM25
counts, as before 2026-11-24), "ranked apart" the bounded set scored by a
second cursor over the query's own expression (what the service does). Per
query the median of the rounds; then p50 and p95 over the queries, wall
time and the thread's CPU time. Also checks both give the same page, total
and facets.
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

from search_bench import percentile, queries
from tabadul.logs import configure
from tabadul.search import backends, engine
from tabadul.search.engine import SearchFilter
from tabadul.services import accounts, search
from tabadul.services.node import Node
from tabadul.settings import load_settings


def walk_ranked(*args: Any, **kwargs: Any) -> backends.Matching:
    """The matching of before: the narrowed walk carries FTS5's BM25 over its whole expression."""
    found = backends.matching(*args, **kwargs)
    if found.scores is None:
        return found
    return dataclasses.replace(found, score=-backends._bm25(), scores=None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    analyst = accounts.principal_named(node, "benchmark")
    corpus = json.loads((args.data_dir / "bench-corpus.json").read_text())
    pool = [SimpleNamespace(latin=latin) for latin in corpus["pool"]]
    items = queries(pool, corpus["samples"], args.queries, args.seed)["filtered"]
    ways = {"walk-ranked": walk_ranked, "ranked apart": backends.matching}
    gc.collect()
    gc.freeze()  # as the application does
    wall: dict[str, list[list[float]]] = {w: [[] for _ in items] for w in ways}
    cpu: dict[str, list[list[float]]] = {w: [[] for _ in items] for w in ways}
    pages: dict[str, list[Any]] = {w: [None] * len(items) for w in ways}
    try:
        for r in range(args.rounds + 1):  # round 0 warms the cache and is not counted
            for i, (q, filters) in enumerate(items):
                order = list(ways) if (r + i) % 2 == 0 else list(reversed(ways))
                for way in order:
                    engine.matching = ways[way]  # type: ignore[assignment]
                    t0, c0 = time.perf_counter(), time.thread_time()
                    found = search.search(node, analyst, q, SearchFilter(**filters), "benchmark")
                    if r == 0:
                        pages[way][i] = (
                            [(h.id, h.score) for h in found.items],
                            found.total,
                            found.facets,
                        )
                        continue
                    wall[way][i].append((time.perf_counter() - t0) * 1000)
                    cpu[way][i].append((time.thread_time() - c0) * 1000)
    finally:
        engine.matching = backends.matching  # type: ignore[assignment]
        node.close()
    same = pages["walk-ranked"] == pages["ranked apart"]
    print(f"{len(items)} filtered queries x {args.rounds} rounds;", end=" ")
    print(f"same pages, totals, facets: {same}")
    print(f"{'':<14} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8}")
    for way in ways:
        w = [statistics.median(v) for v in wall[way]]
        c = [statistics.median(v) for v in cpu[way]]
        print(
            f"{way:<14} {statistics.median(w):>8.1f} {percentile(w, 0.95):>8.1f} "
            f"{statistics.median(c):>8.1f} {percentile(c, 0.95):>8.1f}"
        )


if __name__ == "__main__":
    main()
