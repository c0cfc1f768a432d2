"""Precision and recall of the hit rules on a sample of a large node, without a full run.

    python bench/correlation_bench.py --persons 1000000 --links 5000 --data-dir DIR
        (it may be stopped once its keys pass is done: the keys are what this needs)
    python bench/correlation_sample.py --data-dir DIR [--sample 20000] [--pairs FILE]

A full re-correlation of a million records takes most of an hour; the hit
rules' precision can be read off a part of it. This runs the correlation's
own read path (:func:`tabadul.services.correlation.find`, on the keys a run
stored) for

- a seeded random sample of ``--sample`` held records: the hits found from
  them, true or false by the synthetic person their ids name, estimate the
  precision of the hits a full run would store;
- every planted second record (``p…-1``): whether the hit with its first
  record is found estimates recall.

Nothing is written to the node. ``--hits FILE`` writes every hit found
(JSON lines, sorted: the pair, its score, its reasons and shared selectors),
so that two versions of the code can be compared hit for hit (``cmp``).
``--pairs FILE`` also writes every pair the
correlation scored on the way (JSON lines: both profiles, the score and its
reasons, whether it became a hit, whether it is true, and which records —
``sample`` or ``planted`` — it was scored for), to study other rules offline.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from tabadul.logs import configure
from tabadul.matching.scoring import Profile, Score
from tabadul.services import correlation
from tabadul.services.node import Node
from tabadul.settings import load_settings
from tabadul.storage import matching as store
from tabadul.storage.tables import EntityRow

CHUNK = 500


def person(entity_id: str) -> str:
    """The synthetic person a bench record is of: ``p0001234-1`` → ``p0001234``."""
    return entity_id.split("-")[0]


def plain(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "names": list(profile.names),
        "birth_dates": list(profile.birth_dates),
        "nationalities": sorted(profile.nationalities),
        "genders": sorted(profile.genders),
    }


class Scored:
    """Every pair the correlation scores, kept as it goes (the module's ``score``, wrapped)."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], tuple[Profile, Profile, Score]] = {}
        self._score = correlation.score

    def __enter__(self) -> Scored:
        def keep(a: Profile, b: Profile, *args: Any) -> Score:
            result = self._score(a, b, *args)
            self.pairs[(a.id, b.id)] = (a, b, result)
            return result

        correlation.score = keep  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        correlation.score = self._score  # type: ignore[assignment]


def correlate(
    node: Node,
    entity_ids: list[str],
    out: IO[str] | None,
    label: str,
    scores: dict[tuple[str, str], Score] | None = None,
) -> set[tuple[str, str]]:
    """The hits :func:`correlation.find` finds for these records (read only).

    ``scores``: where to keep each hit's score, too.
    """
    region = node.identity.country
    threshold = node.settings.match_threshold
    hits: set[tuple[str, str]] = set()
    for start in range(0, len(entity_ids), CHUNK):
        chunk = entity_ids[start : start + CHUNK]
        with Scored() as scored, node.db.reading() as session:
            rows = store.held_entities(session, chunk)
            profiles = {e: correlation.profile_of(row, region) for e, row in rows.items()}
            stored = store.keys_of_entities(session, list(profiles))
            keys = {e: stored.get(e, set()) for e in profiles}
            found = correlation.find(session, profiles, keys, threshold)
        hits.update(found.scored)
        if scores is not None:
            scores.update(found.scored)
        if out is None:
            continue
        for pair, (a, b, result) in scored.pairs.items():
            out.write(
                json.dumps(
                    {
                        "left": plain(a),
                        "right": plain(b),
                        "shared": len(result.shared),
                        "score": round(result.value, 4),
                        "reasons": result.explanation(),
                        "hit": pair in found.scored,
                        "true": person(a.id) == person(b.id),
                        "records": label,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return hits


def write_hits(path: Path, scores: dict[tuple[str, str], Score]) -> None:
    """Every hit, sorted, with its score, reasons and shared selectors: one JSON line each."""
    with path.open("w", encoding="utf-8") as out:
        for pair, result in sorted(scores.items()):
            shared = sorted(str(s) for s in result.shared)
            line = [list(pair), round(result.value, 6), result.explanation(), shared]
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(json.dumps({"hits_written": len(scores), "to": str(path)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pairs", type=Path, default=None, help="write every scored pair here")
    parser.add_argument("--hits", type=Path, default=None, help="write every hit found here")
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    out = args.pairs.open("w", encoding="utf-8") if args.pairs else None
    try:
        with node.db.reading() as session:
            ids = sorted(session.scalars(select(EntityRow.id).where(EntityRow.id.like("p%"))))
        planted = [e for e in ids if e.endswith("-1")]
        sample = sorted(random.Random(args.seed).sample(ids, min(args.sample, len(ids))))

        scores: dict[tuple[str, str], Score] | None = {} if args.hits else None
        start = time.perf_counter()
        hits = correlate(node, sample, out, "sample", scores)
        took = time.perf_counter() - start
        false = [h for h in hits if person(h[0]) != person(h[1])]
        print(
            json.dumps(
                {
                    "sample": len(sample),
                    "hits_found": len(hits),
                    "false": len(false),
                    "precision": round(1 - len(false) / len(hits), 3) if hits else None,
                    "hits_per_sampled_record": round(len(hits) / len(sample), 4),
                    "records_per_s": round(len(sample) / took),
                }
            ),
            flush=True,
        )
        start = time.perf_counter()
        found = correlate(node, planted, out, "planted", scores)
        took = time.perf_counter() - start
        recalled = sum((person(e) + "-0", e) in found for e in planted)
        print(
            json.dumps(
                {
                    "planted": len(planted),
                    "found": recalled,
                    "recall": round(recalled / len(planted), 3) if planted else None,
                    "records_per_s": round(len(planted) / took),
                }
            ),
            flush=True,
        )
        if args.hits and scores is not None:
            write_hits(args.hits, scores)
    finally:
        if out is not None:
            out.close()
        node.close()


if __name__ == "__main__":
    main()
