"""Where the false hits of a correlation benchmark come from.

    python bench/correlation_bench.py --persons 100000 --links 2000 --data-dir DIR
    python bench/correlation_false_hits.py --data-dir DIR

Reads the hits a ``correlation_bench.py`` run stored (its entity ids say
which synthetic person each record is: ``p0001234-0`` and ``p0001234-1`` are
one person) and prints: the reasons behind the false hits, what keeping
name-only hits only for records with at most N of them would do to
precision, and how the name score of date-supported hits separates true
from false.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tabadul.logs import configure
from tabadul.services.node import Node
from tabadul.settings import load_settings
from tabadul.storage.tables import HitRow


def person(entity_id: str) -> str:
    return entity_id.split("-")[0]


def true(hit: HitRow) -> bool:
    return person(hit.left_id) == person(hit.right_id)


def weight(hit: HitRow, kind: str) -> float | None:
    return next((r["weight"] for r in hit.reasons if r["kind"] == kind), None)


def name_only(hit: HitRow) -> bool:
    """Nothing but the name supports it (a shared nationality corroborates nothing)."""
    return all(
        r["kind"] in ("name", "nationality") or r["effect"] != "supports" for r in hit.reasons
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    try:
        with node.db.reading() as session:
            hits = [h for h in session.scalars(select(HitRow)) if h.left_id.startswith("p")]
    finally:
        node.close()
    false = [h for h in hits if not true(h)]
    print(f"hits between held records: {len(hits):,}, false: {len(false):,}")
    print("reasons of the false hits (kind, effect):")
    signatures = collections.Counter(
        tuple(sorted((r["kind"], r["effect"]) for r in h.reasons)) for h in false
    )
    for signature, count in signatures.most_common(8):
        print(f"  {count:>6,}  {signature}")

    per_entity: dict[str, list[Any]] = collections.defaultdict(list)
    for h in hits:
        per_entity[h.left_id].append(h)
        per_entity[h.right_id].append(h)
    only = [h for h in hits if name_only(h)]
    print(f"name-only hits: {len(only):,}, true among them: {sum(map(true, only)):,}")
    for most in (5, 3, 2, 1):
        kept = [
            h
            for h in hits
            if not name_only(h)
            or all(sum(map(name_only, per_entity[e])) <= most for e in (h.left_id, h.right_id))
        ]
        right = sum(map(true, kept))
        print(f"  name-only kept for records with <= {most}: precision {right / len(kept):.3f}")

    dated = [h for h in hits if (weight(h, "birth_date") or 0) > 0]
    wrong = sum(not true(h) for h in dated)
    print(f"hits a date of birth supports: {len(dated):,}, false: {wrong:,}")
    for cut in (0.75, 0.8, 0.85, 0.9):
        below = [h for h in dated if (weight(h, "name") or 0) < cut]
        dropped_false = sum(not true(h) for h in below)
        print(f"  name score < {cut}: {dropped_false:,} false, {len(below) - dropped_false:,} true")
    selectors = [
        h
        for h in hits
        if any(
            r["effect"] == "supports"
            and r["kind"] not in ("name", "nationality", "birth_date", "gender")
            for r in h.reasons
        )
    ]
    right = sum(map(true, selectors))
    print(f"hits a shared selector supports: {len(selectors):,}, true: {right:,}")


if __name__ == "__main__":
    main()
