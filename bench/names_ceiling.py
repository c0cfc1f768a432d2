"""What any name-only matcher can reach on the UN data: positives that share no name element.

Usage:
    .venv/bin/python bench/names_ceiling.py [--data DIR] [--split test|dev|all] [--show]

The UN labels are person-level: a "good" alias may be another name of the
person (a nom de guerre, another identity) with no element in common with
the Arabic name. Counted here, per split (the halves of ``names_eval.py``):

* positive person pairs whose names share nothing the engine can align
  (score below 0.1): pair recall cannot include them, so it is at most
  ``1 - share``, and F1 at most what that recall gives with perfect precision;
* Latin→Arabic queries (each primary or good spelling, as ``names_eval.py``
  asks them) whose own record's Arabic names all score below 0.1 against
  them: such a query cannot rank its record first, so recall@1 is at most
  ``1 - share``.

``--show`` prints those pairs, to check by eye that they share no name
(they are real, publicly listed people: evaluation only).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from names_eval import load_pairs, load_records
from tabadul.names import compare

NOTHING = 0.1  # below this, no element of the two names aligned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/names"))
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()

    rows = load_pairs(args.data, "Person", args.split)
    positives = [r for r in rows if r["label"] == "1"]
    unmatched = [r for r in positives if compare(r["arabic"], r["latin"]).score < NOTHING]
    recall = 1 - len(unmatched) / len(positives)
    print(f"split: {args.split}")
    print(
        f"positive pairs: {len(positives)}, sharing no name element: {len(unmatched)}; "
        f"pair recall at most {recall:.3f}, F1 at most {2 * recall / (1 + recall):.3f}"
    )

    queries = unreachable = 0
    lost: list[tuple[str, str]] = []
    for record in load_records(args.data, args.split):
        if not record["query"]:
            continue
        arabic = [record["arabic"], *record["arabic_aliases"]]
        for variant in record["variants"]:
            if variant["kind"] not in ("primary", "good"):
                continue
            queries += 1
            if max(compare(a, variant["name"]).score for a in arabic) < NOTHING:
                unreachable += 1
                lost.append((record["arabic"], variant["name"]))
    print(
        f"Latin→Arabic queries: {queries}, sharing no name element with their own record: "
        f"{unreachable}; recall@1 at most {1 - unreachable / queries:.3f}"
    )
    if args.show:
        for r in unmatched:
            print(f"pair   {r['arabic']} | {r['latin']}")
        for arabic, latin in lost:
            print(f"query  {latin} → {arabic}")


if __name__ == "__main__":
    main()
