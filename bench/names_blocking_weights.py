"""Blocking weights on the synthetic index of ``names_speed.py``: one build, several settings.

Usage:
    .venv/bin/python bench/names_blocking_weights.py [--size 1000000] [--rough 0.5 0.7]

Builds the same index and planted queries as ``names_speed.py`` (same seed,
same generator) once, then for each weight of a key shared only on the
rough alphabet (``tabadul.names.posting._ROUGH``; the posting lists do not
depend on it, only the ranking of the blocked names does) prints how often
the planted name is among the ``--blocked`` names blocking returns, and
recall@10 with search CPU time p50/p95 (thread time, one core). Every name
is synthetic.
"""

from __future__ import annotations

import argparse
import gc
import random
import time

import names_speed as ns
from tabadul.names import NameIndex, posting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--blocked", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rough", type=float, nargs="+", default=[0.5, 0.7])
    args = parser.parse_args()
    rng = random.Random(args.seed)
    indexed, planted, queries = ns.planted_names(rng, args.size, args.queries)

    index = NameIndex((str(i), name) for i, name in enumerate(indexed))
    index.candidates("warm up")
    gc.freeze()

    for rough in args.rough:
        posting._ROUGH = rough
        posting.keys_of.cache_clear()  # the keys carry their weights
        blocked = sum(
            i in index.candidates(q, args.blocked) for i, q in zip(planted, queries, strict=True)
        )
        hits = 0
        cpu: list[float] = []
        for i, query in zip(planted, queries, strict=True):
            started = time.thread_time()
            results = index.search(query, k=10, blocked=args.blocked)
            cpu.append((time.thread_time() - started) * 1000)
            hits += any(r.id == str(i) for r in results)
        print(
            f"rough key weight {rough}: planted among the {args.blocked} blocked "
            f"{blocked / len(planted):.3f}; recall@10 {hits / len(planted):.3f}; search CPU ms "
            f"p50 {ns.percentile(cpu, 50):.1f} p95 {ns.percentile(cpu, 95):.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
