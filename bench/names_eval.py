"""Evaluate the name engine beside open baselines on ../shared/data/names (one table).

Usage:
    .venv/bin/python bench/names_eval.py [--data DIR] [--split test|dev|all]
                                         [--no-nomenklatura] [--json FILE]

UN figures are computed on one half of the UN records (``--split``), chosen by
a hash of the record id: the engine's few hand-set constants were tuned on
the ``dev`` half only, so ``test`` (the default) is the figure to quote.
Token figures use the test slices, which nothing in the engine was fitted on.

Baselines, in the same run:
* ``baseline``: anyascii + rapidfuzz ``token_sort_ratio`` (``ratio`` for single
  tokens), threshold tuned *on the evaluated pairs themselves* (its best case);
* ``nomenklatura``: OpenSanctions' logic-v2, names only, at its 0.7 default
  and at its best threshold on the evaluated pairs (only if it is installed:
  ``pip install '.[bench]'``). Its recall@k is not computed (too slow
  for an all-against-all ranking).
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process

from tabadul.names import THRESHOLD, NameIndex, compare

Scorer = Callable[..., float]


def half(record_id: str) -> str:
    digest = hashlib.sha256(record_id.encode()).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def latin(text: str) -> str:
    return anyascii(text).lower()


def baseline_pair(a: str, b: str) -> float:
    return fuzz.token_sort_ratio(latin(a), latin(b)) / 100


def nomenklatura_scorer() -> Scorer | None:
    try:
        from followthemoney import model
        from nomenklatura.matching.logic_v2.model import LogicV2
    except ImportError:
        return None
    config = LogicV2.default_config()

    def entity(schema: str, name: str, side: str) -> object:
        proxy = model.make_entity(schema)
        # nomenklatura caches by entity id: every name needs its own.
        proxy.id = side + hashlib.sha256(name.encode()).hexdigest()[:24]
        proxy.add("name", name)
        return proxy

    @functools.cache
    def score(a: str, b: str, schema: str = "Person") -> float:
        return float(LogicV2.compare(entity(schema, a, "q"), entity(schema, b, "r"), config).score)

    return score


def prf(scores: Sequence[float], labels: Sequence[int], threshold: float) -> dict[str, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def best_threshold(scores: Sequence[float], labels: Sequence[int]) -> float:
    candidates = sorted(set(scores))
    return max(candidates, key=lambda t: prf(scores, labels, t)["f1"])


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve (Mann–Whitney, ties counted half)."""
    pos = np.array([s for s, y in zip(scores, labels, strict=True) if y])
    neg = np.array([s for s, y in zip(scores, labels, strict=True) if not y])
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def pair_figures(
    rows: list[dict[str, str]], scorer: Scorer, threshold: float | None
) -> dict[str, float]:
    scores = [scorer(r["arabic"], r["latin"]) for r in rows]
    labels = [int(r["label"]) for r in rows]
    tuned = threshold is None
    t = best_threshold(scores, labels) if threshold is None else threshold
    out = prf(scores, labels, t)
    hard = [s for s, r in zip(scores, rows, strict=True) if r["kind"] == "neg_hard"]
    out["fpr_hard"] = sum(1 for s in hard if s >= t) / len(hard) if hard else 0.0
    out["auc"] = auc(scores, labels)
    out["threshold"] = t
    out["tuned_on_test"] = float(tuned)
    return out


def load_pairs(data: Path, schema: str, split: str) -> list[dict[str, str]]:
    with (data / "un_sc_pairs.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    keep = {"primary", "good", "neg_hard", "neg_random"}
    if schema == "Organization":
        keep.add("fka")  # acronyms (AQAP) are not spellings of the name
    return [
        r
        for r in rows
        if r["schema"] == schema
        and r["kind"] in keep
        and (split == "all" or half(r["ar_id"]) == split)
    ]


def load_records(data: Path, split: str) -> list[dict[str, object]]:
    records = []
    with (data / "un_sc_arabic_names.jsonl").open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["schema"] == "Person":
                records.append(record)
    # Candidates are all UN person names; queries come from the chosen half.
    for record in records:
        record["query"] = split == "all" or half(str(record["id"])) == split
    return records


def recall_at(ranked: list[list[str]], truth: list[set[str]], k: int) -> float:
    hits = sum(1 for r, t in zip(ranked, truth, strict=True) if t & set(r[:k]))
    return hits / len(truth) if truth else 0.0


def engine_rank(pool: list[tuple[str, str]], queries: list[str], k: int = 10) -> list[list[str]]:
    index = NameIndex(pool)
    return [[c.id for c in index.search(q, k=k)] for q in queries]


def baseline_rank(
    pool: list[tuple[str, str]], queries: list[str], scorer: Callable[..., float], k: int = 10
) -> list[list[str]]:
    choices = [latin(name) for _, name in pool]
    ids = [i for i, _ in pool]
    out = []
    for start in range(0, len(queries), 512):
        chunk = [latin(q) for q in queries[start : start + 512]]
        matrix = process.cdist(chunk, choices, scorer=scorer, dtype=np.uint8, workers=1)
        for row in matrix:
            order = np.argsort(-row.astype(np.int16), kind="stable")
            seen: list[str] = []
            for position in order:
                if ids[position] not in seen:
                    seen.append(ids[position])
                if len(seen) == k:
                    break
            out.append(seen)
    return out


Ranker = Callable[[list[tuple[str, str]], list[str], bool], list[list[str]]]


def engine_ranker(pool: list[tuple[str, str]], queries: list[str], tokens: bool) -> list[list[str]]:
    return engine_rank(pool, queries)


def baseline_ranker(
    pool: list[tuple[str, str]], queries: list[str], tokens: bool
) -> list[list[str]]:
    return baseline_rank(pool, queries, fuzz.ratio if tokens else fuzz.token_sort_ratio)


Pooled = list[tuple[str, str]]  # (record id, name)


def un_pools(records: list[dict[str, object]]) -> dict[str, tuple[Pooled, Pooled]]:
    """The UN recall tasks: for each direction, the names searched and the queries asked.

    Arabic→Latin asks each queried record's Arabic name among every good Latin
    spelling; Latin→Arabic asks each good spelling of a queried record among
    every Arabic name and alias.
    """
    latin_pool: Pooled = []
    arabic_pool: Pooled = []
    primary: set[tuple[str, str]] = set()
    for r in records:
        rid = str(r["id"])
        arabic_pool.append((rid, str(r["arabic"])))
        arabic_pool.extend((rid, str(a)) for a in r["arabic_aliases"])  # type: ignore[attr-defined]
        for v in r["variants"]:  # type: ignore[attr-defined]
            if v["kind"] in ("primary", "good"):
                latin_pool.append((rid, v["name"]))
            if v["kind"] == "primary":
                primary.add((rid, v["name"]))
    queried = {str(r["id"]) for r in records if r["query"]}
    a2l = [(str(r["id"]), str(r["arabic"])) for r in records if r["query"]]
    l2a = [(rid, name) for rid, name in latin_pool if rid in queried]
    # The same queries apart: the listed name's own spelling, and the aliases (often
    # another name of the person: bench/names_ceiling.py).
    return {
        "ar→lat": (latin_pool, a2l),
        "lat→ar": (arabic_pool, l2a),
        "lat→ar, primary spellings": (arabic_pool, [q for q in l2a if q in primary]),
        "lat→ar, good aliases": (arabic_pool, [q for q in l2a if q not in primary]),
    }


def un_recall(
    records: list[dict[str, object]], rankers: dict[str, Ranker]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for label, (pool, queries) in un_pools(records).items():
        truth = [{rid} for rid, _ in queries]
        names = [q for _, q in queries]
        for system, ranker in rankers.items():
            ranked = ranker(pool, names, False)
            out.setdefault(system, {})[f"{label} recall@1"] = recall_at(ranked, truth, 1)
            out[system][f"{label} recall@10"] = recall_at(ranked, truth, 10)
    return out


def load_tokens(path: Path) -> tuple[list[str], list[set[str]], list[str]]:
    forms: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            forms[row["arabic"]].add(row["latin"].lower())
    pool = sorted({la for s in forms.values() for la in s})
    queries = sorted(forms)
    return queries, [forms[q] for q in queries], pool


def token_recall(data: Path, rankers: dict[str, Ranker]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for label, file in (
        ("Wikidata", "tokens_wikidata_test.tsv"),
        ("ANETAC", "tokens_anetac_test.tsv"),
        ("Google", "tokens_google_test.tsv"),
    ):
        queries, truth, pool_names = load_tokens(data / file)
        pool = [(n, n) for n in pool_names]
        for system, ranker in rankers.items():
            ranked = ranker(pool, queries, True)
            out.setdefault(system, {})[f"{label} tokens recall@1"] = recall_at(ranked, truth, 1)
            out[system][f"{label} tokens recall@10"] = recall_at(ranked, truth, 10)
    return out


def engine_pair(a: str, b: str, schema: str = "Person") -> float:
    return compare(a, b, organisation=schema == "Organization").score


def rules_only() -> None:
    """Switch the engine's learnt-spellings table off (the ablation column)."""
    from tabadul.names import scoring, variants

    variants._table = lambda: ({}, {})  # type: ignore[assignment]
    variants._common.cache_clear()
    scoring.prepare.cache_clear()
    scoring._similarities.clear()


def evaluate(
    args: argparse.Namespace,
    systems: list[tuple[str, Scorer, float | None]],
    rankers: dict[str, Ranker],
    table: dict[str, dict[str, float]],
) -> None:
    for schema, tag in (("Person", "persons"), ("Organization", "organisations")):
        rows = load_pairs(args.data, schema, args.split)
        for system, scorer, threshold in systems:
            figures = pair_figures(rows, lambda a, b, f=scorer, s=schema: f(a, b, s), threshold)
            for key in ("precision", "recall", "f1", "auc", "fpr_hard", "threshold"):
                if tag == "organisations" and key in ("precision", "recall", "auc", "fpr_hard"):
                    continue
                table[system][f"{tag} {key}"] = figures[key]
        table["pairs"][f"{tag} pairs"] = len(rows)
    records = load_records(args.data, args.split)
    for system, figures in un_recall(records, rankers).items():
        table[system].update(figures)
    if not args.no_tokens:
        for system, figures in token_recall(args.data, rankers).items():
            table[system].update(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/names"))
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--no-nomenklatura", action="store_true")
    parser.add_argument("--no-tokens", action="store_true")
    parser.add_argument("--no-ablation", action="store_true", help="skip the rules-only column")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    nk = None if args.no_nomenklatura else nomenklatura_scorer()
    table: dict[str, dict[str, float]] = defaultdict(dict)
    engine: Scorer = lambda a, b, s="Person": engine_pair(a, b, s)  # noqa: E731
    evaluate(args, [("engine", engine, THRESHOLD)], {"engine": engine_ranker}, table)
    others: list[tuple[str, Scorer, float | None]] = [
        ("baseline", lambda a, b, s="": baseline_pair(a, b), None)
    ]
    if nk is not None:
        others.append(("nomenklatura@0.7", nk, 0.7))
        others.append(("nomenklatura", nk, None))
    evaluate(args, others, {"baseline": baseline_ranker}, table)
    if not args.no_ablation:
        rules_only()
        evaluate(
            args,
            [("engine, rules only", engine, THRESHOLD)],
            {"engine, rules only": engine_ranker},
            table,
        )

    systems = [s for s in table if s != "pairs"]
    metrics = list(dict.fromkeys(m for s in systems for m in table[s]))
    print(f"split: {args.split}; engine threshold {THRESHOLD}; pairs: {dict(table['pairs'])}")
    print(f"| metric | {' | '.join(systems)} |")
    print(f"|---|{'---|' * len(systems)}")
    for metric in metrics:
        cells = [f"{table[s][metric]:.3f}" if metric in table[s] else "–" for s in systems]
        print(f"| {metric} | {' | '.join(cells)} |")
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(table, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
