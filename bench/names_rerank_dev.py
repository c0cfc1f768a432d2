"""The index's ranking on the *dev* data only: choosing search settings without the test data.

Usage:
    .venv/bin/python bench/names_rerank_dev.py [--data DIR] [--limit 30 50]

Recall@1 and @10 of ``NameIndex.search`` for each ``--limit`` (how many
re-ranked candidates are compared in full): UN persons Arabic→Latin and
Latin→Arabic on the dev half of the records (as ``names_eval.py --split
dev``), and tokens on the dev slices that are fitted on nothing, Google
``ar2en-eval.txt`` and ANETAC ``translit_dev`` (each Arabic token against
all Latin tokens of its slice, a hit when any of its Latin forms is ranked).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import names_eval as ev
from tabadul.names import NameIndex


def ranked(pool: list[tuple[str, str]], queries: list[str], limit: int) -> list[list[str]]:
    index = NameIndex(pool)
    return [[c.id for c in index.search(q, k=10, limit=limit)] for q in queries]


def token_sets(data: Path) -> dict[str, dict[str, set[str]]]:
    raw = data / "raw"
    google: dict[str, set[str]] = defaultdict(set)
    for line in (raw / "google_ar2en" / "ar2en-eval.txt").read_text(encoding="utf-8").splitlines():
        arabic, _, latin = line.partition("\t")
        if arabic and latin:
            google[arabic].add(latin.lower())
    anetac: dict[str, set[str]] = defaultdict(set)
    ar = (raw / "anetac" / "translit_dev.ar").read_text(encoding="utf-8").splitlines()
    en = (raw / "anetac" / "translit_dev.en").read_text(encoding="utf-8").splitlines()
    for arabic, latin in zip(ar, en, strict=True):
        for a, la in zip(arabic.split(), latin.split(), strict=False):
            anetac[a].add(la.lower())
    return {"Google dev": google, "ANETAC dev": anetac}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/names"))
    parser.add_argument("--limit", type=int, nargs="+", default=[30, 50])
    args = parser.parse_args()
    records = ev.load_records(args.data, "dev")
    tasks: list[tuple[str, list[tuple[str, str]], list[str], list[set[str]]]] = [
        (f"UN dev {direction}", pool, [q for _, q in asked], [{rid} for rid, _ in asked])
        for direction, (pool, asked) in ev.un_pools(records).items()
    ]
    for label, forms in token_sets(args.data).items():
        pool = sorted({la for s in forms.values() for la in s})
        queries = sorted(forms)
        tasks.append((label, [(n, n) for n in pool], queries, [forms[q] for q in queries]))
    print("| task | queries | " + " | ".join(f"limit {n} @1 / @10" for n in args.limit) + " |")
    for label, pool, queries, truth in tasks:
        cells = []
        for limit in args.limit:
            got = ranked(pool, queries, limit)
            cells.append(f"{ev.recall_at(got, truth, 1):.3f} / {ev.recall_at(got, truth, 10):.3f}")
        print(f"| {label} | {len(queries)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
