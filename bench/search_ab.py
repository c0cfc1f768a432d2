"""The bench's queries ranked by FTS5's ``bm25()`` in the walk and by ``search.ranking``, in turn.

    python bench/search_bench.py --reports 1000000 --data-dir DIR   # builds the node once
    python bench/search_ab.py --data-dir DIR [--rounds 3] [--kinds "three words" filtered]

On a machine shared with other work, two bench runs minutes apart differ by
more than the change being measured. This runs the bench's queries (the
same seed, 50 of each kind) through ``tabadul.services.search.search`` in
one process, each query under both ways in turn — the order alternating
from round to round — so both see the same load:

- "fts5 bm25": FTS5's ``bm25()`` as main at 2f8884c used it — carried by
  the walk, or for a filtered (narrowed) walk computed by a second FTS5
  cursor over the query's own expression, between the bounded set's
  smallest and largest id and only for its rows (main ran that cursor
  inside its one statement; here it runs just after it, on the same rows);
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

# Main's second cursor (backends._fts5_scores at 2f8884c), for the bounded set's ids.
SECOND_CURSOR = (
    "SELECT rowid, -bm25(search_fts, 1.0, 1.0, 1.0, 0.0) FROM search_fts"
    " WHERE search_fts MATCH ? AND rowid >= ? AND rowid <= ?"
    " AND +search_fts.rowid IN (SELECT value FROM json_each(?))"
)


def fts5_ranked(dialect: str, tree: Any, keys: Any, narrow: Any = ()) -> backends.Matching:
    """FTS5's ``bm25()``: in the walk, or for a narrowed walk in a second cursor (main)."""
    found = backends.matching(dialect, tree, keys, narrow)
    if found.rank is None:
        return found
    if not narrow:
        return dataclasses.replace(found, score=-backends._bm25(), rank=None, texts=())
    expression = backends.fts5(tree, keys)

    def second_cursor(session: Any, rows: Any) -> dict[int, float]:
        docs = [row[0] for row in rows]
        if not docs:
            return {}
        params = (expression, min(docs), max(docs), json.dumps(docs))
        return dict(session.connection().exec_driver_sql(SECOND_CURSOR, params).all())

    return dataclasses.replace(found, rank=second_cursor, texts=())


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
