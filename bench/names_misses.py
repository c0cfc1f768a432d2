"""Where the planted-recall misses of ``names_speed.py`` go: blocking, re-ranking or scoring.

Usage:
    .venv/bin/python bench/names_misses.py [--size 1000000] [--queries 1000] [--show]

Builds the same synthetic index and planted queries as ``names_speed.py``
(same seed, same generator) and, for every planted record not in the top
ten, says which stage lost it: not among the ``--blocked`` names blocking
returns ("block"), blocked but not among the ``--limit`` the cheap
re-ranking keeps ("rerank"), or scored below ten others ("score"). With
``--show`` it prints each miss with the planted name's own score. Also
prints recall@10 and the search CPU time p50/p95 (thread time, one core).
Every name is synthetic.
"""

from __future__ import annotations

import argparse
import gc
import random
import time

import names_speed as ns
from tabadul.names import NameIndex, compare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--blocked", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    indexed, planted, queries = ns.planted_names(rng, args.size, args.queries)

    index = NameIndex((str(i), name) for i, name in enumerate(indexed))
    index.candidates("warm up")
    gc.freeze()

    cpu: list[float] = []
    hits = 0
    misses = {"block": 0, "rerank": 0, "score": 0}
    for i, query in zip(planted, queries, strict=True):
        started = time.thread_time()
        results = index.search(query, k=10, blocked=args.blocked, limit=args.limit)
        cpu.append((time.thread_time() - started) * 1000)
        if any(r.id == str(i) for r in results):
            hits += 1
            continue
        blocked = index.candidates(query, args.blocked)
        if i not in blocked:
            stage = "block"
        elif i not in index._rerank(query, blocked, args.limit):
            stage = "rerank"
        else:
            stage = "score"
        misses[stage] += 1
        if args.show:
            own = compare(query, indexed[i]).score
            top = f"{results[0].score:.2f} {results[0].name!r}" if results else "-"
            print(f"{stage:6} own={own:.2f} {query!r} -> {indexed[i]!r} | top: {top}")
    cpu.sort()
    print(
        f"recall@10 {hits / len(planted):.3f}; misses {misses}; search CPU ms "
        f"p50 {cpu[len(cpu) // 2]:.1f} p95 {ns.percentile(cpu, 95):.1f}"
    )


if __name__ == "__main__":
    main()
