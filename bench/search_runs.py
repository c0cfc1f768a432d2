"""Medians of `bench/search_bench.py` runs before and after, per sitting, from their output.

    python bench/search_runs.py bench/out/search-sqlite-1000000-session4.txt

The file holds runs of the benchmark (each ending with its JSON line),
each run headed ``### <way> run <n>  <time>  <load>``; a line
``### (…not used)`` or ``### … sitting`` starts a new sitting, and runs of a
sitting marked "not used" are skipped. Prints, per sitting and kind of
query, the median p50 and p95 of each way's runs (and of their CPU time,
when the runs printed it), and the load averages seen.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

HEADER = re.compile(r"^### (\w+) run \d+\s+(\S+)\s+load average: ([\d.]+)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    sittings: list[dict[str, list[dict]]] = [{}]
    loads: list[list[float]] = [[]]
    times: list[list[str]] = [[]]
    skipping = False
    way = None
    for line in args.output.read_text().splitlines():
        if line.startswith("### (") or line.startswith("### third") or "sitting" in line:
            if sittings[-1]:
                sittings.append({})
                loads.append([])
                times.append([])
            skipping = "not used" in line
            continue
        header = HEADER.match(line)
        if header:
            way = header.group(1)
            if not skipping:
                loads[-1].append(float(header.group(3)))
                times[-1].append(header.group(2))
            continue
        if line.startswith("{") and way and not skipping:
            sittings[-1].setdefault(way, []).append(json.loads(line)["queries"])
    for sitting, seen, at in zip(sittings, loads, times, strict=True):
        if not sitting:
            continue
        runs = {w: len(r) for w, r in sitting.items()}
        print(
            f"sitting from {at[0]} UTC: runs {runs}; "
            f"1-minute load average at their starts {min(seen):.1f}–{max(seen):.1f}"
        )
        print(f"{'query':<18}" + "".join(f"{w + ' p50 / p95':>22}" for w in sitting))
        kinds = next(iter(sitting.values()))[0]
        table(sitting, kinds, "")
        if all("cpu_p95_ms" in r[k] for rs in sitting.values() for r in rs for k in kinds):
            print("CPU time of the query's thread (the runs' medians):")
            table(sitting, kinds, "cpu_")


def table(sitting: dict[str, list[dict]], kinds: dict, prefix: str) -> None:
    """One row per kind of query: each way's median p50 / p95 (``prefix`` "cpu_": CPU time)."""
    for kind in kinds:
        cells = []
        for runs_of_way in sitting.values():
            p50 = statistics.median(r[kind][f"{prefix}p50_ms"] for r in runs_of_way)
            p95 = statistics.median(r[kind][f"{prefix}p95_ms"] for r in runs_of_way)
            cells.append(f"{p50:.1f} / {p95:.1f}")
        print(f"{kind:<18}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
