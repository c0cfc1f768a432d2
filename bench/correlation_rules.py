"""Stricter hit rules tried on the pairs a sample scored: what each would keep.

    python bench/correlation_sample.py --data-dir DIR --sample 20000 --pairs FILE
    python bench/correlation_rules.py FILE

Reads the pairs ``correlation_sample.py --pairs`` wrote and, for the hits
among them, prints what three stricter rules would keep: precision of the
hits found from the sampled records, and recall of the planted links
(found from the planted records). Stricter rules only remove hits, so
applying them to the hits found is exact (a pair with a shared selector is
always kept):

- ``agree``: the names must agree at this or better (now 0.8);
- ``weighty``: the aligned element that weighs most must agree at this or
  better (read off the name reason: an element without "weighs" weighs 1);
- ``nationality``: a different nationality counts this much (now −0.2; −0.08 before the
  seventh session).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

THRESHOLD = 0.75
ELEMENT = re.compile(r"\[(\d\.\d\d)\](?: \(common among the names held, weighs (\d\.\d\d)\))?")


def weight(pair: dict[str, Any], kind: str) -> float | None:
    return next((r["weight"] for r in pair["reasons"] if r["kind"] == kind), None)


def weighty(pair: dict[str, Any]) -> float:
    """The agreement of the aligned element that weighs most (ties: the best agreement)."""
    detail = next(r["detail"] for r in pair["reasons"] if r["kind"] == "name")
    elements = [(float(w or 1.0), float(sim)) for sim, w in ELEMENT.findall(detail)]
    return max(elements)[1] if elements else 0.0


def kept(pair: dict[str, Any], agree: float, heavy: float, nationality: float) -> bool:
    if pair["shared"]:
        return True
    name = weight(pair, "name")
    if name is None or name < agree or weighty(pair) < heavy:
        return False
    other = weight(pair, "nationality") or 0.0
    value = pair["score"] - other + (nationality if other < 0 else other)
    return value >= THRESHOLD


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--links", type=int, default=5_000, help="links planted in the node")
    args = parser.parse_args()
    hits: dict[str, dict[tuple[str, str], dict[str, Any]]] = {"sample": {}, "planted": {}}
    with args.pairs.open(encoding="utf-8") as lines:
        for line in lines:
            pair = json.loads(line)
            if pair["hit"]:
                hits[pair["records"]][(pair["left"]["id"], pair["right"]["id"])] = pair

    def link(key: tuple[str, str], pair: dict[str, Any]) -> bool:
        return bool(pair["true"]) and key[1].endswith("-1")

    rules: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("as now (a different nationality -0.2)", lambda p: kept(p, 0.8, 0.0, -0.2)),
        ("names agree at 0.85", lambda p: kept(p, 0.85, 0.0, -0.2)),
        ("names agree at 0.9", lambda p: kept(p, 0.9, 0.0, -0.2)),
        ("the weightiest element agrees at 0.85", lambda p: kept(p, 0.8, 0.85, -0.2)),
        ("a different nationality -0.25", lambda p: kept(p, 0.8, 0.0, -0.25)),
    ]
    print(f"{'rule':<40} {'sample hits':>11} {'false':>6} {'precision':>9} {'recall':>7}")
    for name, rule in rules:
        sample = [p for p in hits["sample"].values() if rule(p)]
        false = sum(1 for p in sample if not p["true"])
        found = sum(1 for k, p in hits["planted"].items() if link(k, p) and rule(p))
        precision = 1 - false / len(sample) if sample else 1.0
        recall = found / args.links
        print(f"{name:<40} {len(sample):>11} {false:>6} {precision:>9.3f} {recall:>7.3f}")


if __name__ == "__main__":
    main()
