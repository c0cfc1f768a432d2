"""Filtered searches narrowed by the separate filter words and by the combined ones, one process.

    python bench/search_bench.py --reports 1000000 --data-dir DIR
    tabadul reindex --data-dir DIR        # so that every document has the combined words
    python bench/search_narrowing.py --data-dir DIR [--rounds 3]

For the benchmark's filtered queries (one word with a topic, a TLP and six
months; ``search_bench.queries``), each round runs every query both ways,
interleaved: narrowed by the separate words (``topicfinancing``,
``tlpamber``, seven month words) and by the combined ones
(``ttmfinancingamber202403`` …), as ``tabadul.search.engine.narrowing``
writes them. Prints, per way, the median over the queries of each
query's median CPU time (and its p95) for:

- FTS5 alone, the query's expression walked newest first to the bound;
- the whole search (``tabadul.services.search.search``: walk, rank, page,
  audit), with the way forced on the engine.

The results of the two ways are compared too: the same total and page for
every query, or the script says which differ.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from search_bench import percentile, queries
from tabadul.logs import configure
from tabadul.search import backends, engine
from tabadul.search.backends import filter_expression, fts5
from tabadul.search.documents import name_keys
from tabadul.search.engine import COUNT_BOUND, SearchFilter, narrowing
from tabadul.search.query import parse
from tabadul.services import accounts, search
from tabadul.services.node import Node
from tabadul.settings import load_settings

WAYS = ("separate", "combined")


def cpu_ms(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.thread_time()
    result = run()
    return (time.thread_time() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=8, help="as search_bench.py's")
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    analyst = accounts.principal_named(node, "benchmark")
    corpus = json.loads((args.data_dir / "bench-corpus.json").read_text())
    pool = [SimpleNamespace(latin=latin) for latin in corpus["pool"]]
    planned = [
        (q, SearchFilter(**f))
        for q, f in queries(pool, corpus["samples"], args.queries, args.seed)["filtered"]
    ]
    with node.db.reading() as session:
        how = backends.narrowable(session, node.db.dialect)
    if how != "combined":
        raise SystemExit(f"narrowing here is {how!r}: run `tabadul reindex --data-dir DIR` first")
    original = engine.narrowable
    gc.collect()
    gc.freeze()  # as the application does
    fts: dict[str, list[list[float]]] = {w: [[] for _ in planned] for w in WAYS}
    served: dict[str, list[list[float]]] = {w: [[] for _ in planned] for w in WAYS}
    seen: dict[str, list[Any]] = {w: [None] * len(planned) for w in WAYS}
    walk = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
    try:
        for _ in range(args.rounds):
            for i, (q, f) in enumerate(planned):
                for way in WAYS:
                    narrow = narrowing(f, ["report"], combine=way == "combined")
                    expression = f"{fts5(parse(q), name_keys)} AND {filter_expression(narrow)}"
                    with node.db.reading() as session:
                        conn = session.connection()
                        ms, _ = cpu_ms(
                            lambda e=expression, c=conn: c.exec_driver_sql(
                                walk, (e, COUNT_BOUND + 1)
                            ).all()
                        )
                    fts[way][i].append(ms)
                    engine.narrowable = lambda _s, _d, w=way: w  # type: ignore[assignment]
                    ms, found = cpu_ms(
                        lambda q=q, f=f: search.search(node, analyst, q, f, "benchmark")
                    )
                    engine.narrowable = original
                    served[way][i].append(ms)
                    seen[way][i] = (found.total, [(h.kind, h.id) for h in found.items])
    finally:
        engine.narrowable = original
        node.close()
    print(f"{len(planned)} filtered queries, {args.rounds} rounds; CPU ms, median / p95")
    print(f"{'narrowed by':<12} {'FTS5 alone':>16} {'the search':>16}")
    for way in WAYS:
        cells = []
        for timings in (fts[way], served[way]):
            per_query = [statistics.median(t) for t in timings]
            cells.append(f"{statistics.median(per_query):.1f} / {percentile(per_query, 0.95):.1f}")
        print(f"{way:<12} {cells[0]:>16} {cells[1]:>16}")
    differ = [q for i, (q, _) in enumerate(planned) if seen["separate"][i] != seen["combined"][i]]
    print(f"same total and page both ways: {len(planned) - len(differ)} of {len(planned)}")
    for q in differ:
        print(f"  differs: {q!r}")


if __name__ == "__main__":
    main()
