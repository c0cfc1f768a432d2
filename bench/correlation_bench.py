"""Correlation at scale: holdings of N synthetic persons with planted true links.

    python bench/correlation_bench.py [--persons 1000000] [--links 5000] [--reports 100]
        [--processes 2] [--data-dir DIR]

Builds a fresh SQLite node holding ``--persons`` persons, each with a phone
number and a passport number (two selectors per person), each recorded once
in Arabic script or in one Latin spelling. For ``--links`` of them a second
record of the same person is planted: another script or spelling, a full,
partial or missing date of birth, and only sometimes a shared selector —
so most planted links must be found through names.

Prints, as JSON lines:

- the full re-correlation (``tabadul correlate --all``'s code path): time,
  entities per second, hits stored per entity;
- recall and precision of the planted links (a hit between records of two
  different synthetic persons counts against precision);
- the time to correlate one new report with 10 entities (p50, p95), the
  ``matching.correlate`` job's work, measured over ``--reports`` reports.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tabadul.services import correlation
from tabadul.services.node import Node, initialise
from tabadul.settings import load_settings
from tabadul.storage import entities as entity_store
from tabadul.storage import matching as store
from tabadul.storage.types import utcnow
from tabadul.synthetic import Generator, SyntheticPerson

# Invented family names beside the common ones: a million people need more than a few dozen.
FAMILIES = 20_000


def record_of(
    person: SyntheticPerson, index: int, rng: random.Random, *, planted: bool
) -> dict[str, Any]:
    """One record of a person: Arabic or Latin name, with or without some attributes."""
    arabic = rng.random() < 0.5
    name = person.arabic if arabic else rng.choice(person.latin)
    properties: dict[str, list[str]] = {"name": [name], "gender": [person.gender]}
    if not planted:
        properties["birthDate"] = [person.birth_date]
        properties["nationality"] = [person.nationality]
        properties["phone"] = [f"+2126{index:08d}"]
        properties["passportNumber"] = [f"P{index:08d}"]
        return properties
    # A planted record is findable in principle: a full date of birth, or a
    # shared selector with a partial or missing date.
    if rng.random() < 0.6:
        properties["birthDate"] = [person.birth_date]
    else:
        if rng.random() < 0.5:
            properties["birthDate"] = [person.birth_date[:4]]
        if rng.random() < 0.5:
            properties["phone"] = [f"+2126{index:08d}"]
        else:
            properties["passportNumber"] = [f"P{index:08d}"]
    if rng.random() < 0.5:
        properties["nationality"] = [person.nationality]
    return properties


def second_name(first: dict[str, list[str]], person: SyntheticPerson, rng: random.Random) -> str:
    """A spelling of the person other than the first record's: the other script, mostly."""
    used = first["name"][0]
    if used == person.arabic:
        return rng.choice(person.latin)
    return (
        person.arabic
        if rng.random() < 0.7
        else rng.choice([n for n in person.latin if n != used] or person.latin)
    )


def person_row(entity_id: str, properties: dict[str, list[str]], now: Any) -> dict[str, Any]:
    """The stored row of a synthetic person recorded on its own."""
    return {
        "id": entity_id,
        "schema": "Person",
        "properties": properties,
        "caption": properties["name"][0],
        "category": "suspect",
        "created_at": now,
        "created_by": None,
        "updated_at": now,
        "classification": "RESTRICTED",
        "independent": True,
    }


def build(node: Node, persons: int, links: int, seed: int) -> int:
    """Insert the holdings; returns how many records were inserted."""
    generator = Generator(seed=seed, families=FAMILIES)
    rng = random.Random(seed)
    inserted = 0
    planted = set(rng.sample(range(persons), links))
    now = utcnow()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        with node.db.transaction() as session:
            entity_store.insert(session, batch)
        batch.clear()

    for index in range(persons):
        person = generator.person()
        first = record_of(person, index, rng, planted=False)
        records = [first]
        if index in planted:
            second = record_of(person, index, rng, planted=True)
            second["name"] = [second_name(first, person, rng)]
            records.append(second)
        for n, properties in enumerate(records):
            entity_id = f"p{index:07d}-{n}"
            inserted += 1
            batch.append(person_row(entity_id, properties, now))
        if len(batch) >= 10_000:
            flush()
    if batch:
        flush()
    return inserted


def reset(node: Node) -> int:
    """Make an earlier run's node as it was built: no hits, no new reports' entities."""
    from sqlalchemy import delete

    from tabadul.storage.tables import EntityRow, HitRow, MatchKeyRow

    with node.db.transaction() as session:
        session.execute(delete(HitRow))
        session.execute(delete(MatchKeyRow).where(MatchKeyRow.entity_id.like("new%")))
        session.execute(delete(EntityRow).where(EntityRow.id.like("new%")))
        return store.count_entities(session)


def person_of(entity_id: str) -> str:
    """Which synthetic person a held record is: ``p0001234-1`` is the second record of 1234."""
    return entity_id.split("-")[0]


def quality(node: Node, links: int) -> dict[str, float]:
    """Recall and precision of the planted links among the stored hits."""
    from sqlalchemy import select

    from tabadul.storage.tables import HitRow

    with node.db.reading() as session:
        pairs = list(session.execute(select(HitRow.left_id, HitRow.right_id)))
    true = sum(1 for left, right in pairs if person_of(left) == person_of(right))
    return {
        "hits": len(pairs),
        "true_hits": true,
        "recall": round(true / links, 4) if links else 1.0,
        "precision": round(true / len(pairs), 4) if pairs else 1.0,
    }


def new_reports(node: Node, reports: int, seed: int, persons: int) -> dict[str, float]:
    """Correlate reports of 10 new entities each (half of them people already held)."""
    generator = Generator(seed=seed, families=FAMILIES)  # the same people, in the same order
    known = [generator.person() for _ in range(min(persons, 5_000))]
    rng = random.Random(seed + 1)
    fresh = Generator(seed=seed + 99, families=FAMILIES)
    timings: list[float] = []
    cpu: list[float] = []  # this process's CPU time: steadier than wall time on a shared machine
    now = utcnow()
    # As a started node does (``create_app``): what start-up built is not collected again.
    gc.collect()
    gc.freeze()
    for r in range(reports):
        rows = []
        for e in range(10):
            index = rng.randrange(len(known))
            person = known[index] if e % 2 == 0 else fresh.person()
            properties = record_of(person, 90_000_000 + r * 10 + e, rng, planted=True)
            if e % 2 == 0:
                properties["name"] = [rng.choice([person.arabic, *person.latin])]
            rows.append(person_row(f"new{r:05d}-{e}", properties, now))
        with node.db.transaction() as session:
            entity_store.insert(session, rows)
        start, cpu_start = time.perf_counter(), time.process_time()
        with node.db.transaction() as session:
            correlation.correlate(session, node, [row["id"] for row in rows])
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "reports": reports,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=5_000)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="build the holdings here; a directory an earlier run built is used again as it is",
    )
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tabadul-correlation-"))
    settings = load_settings(data_dir)
    reuse = (data_dir / "node.json").exists()
    if not reuse:
        initialise(settings, "Correlation bench", country="MA")
    node = Node.open(settings)
    try:
        start = time.perf_counter()
        held = reset(node) if reuse else build(node, args.persons, args.links, args.seed)
        built = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "holdings": held,
                    "reused": reuse,
                    "persons": args.persons,
                    "selectors": 2 * args.persons,
                    "build_s": round(built, 1),
                }
            ),
            flush=True,
        )

        start = time.perf_counter()
        passes: dict[str, float] = {}

        def progress(p: correlation.Progress) -> None:
            # A line as each pass ends, so an interrupted run still says how far it got.
            if p.phase not in passes:
                for name, at in passes.items():
                    print(json.dumps({"pass_done": name, "at_s": round(at, 1)}), flush=True)
                passes.clear()
            passes[p.phase] = time.perf_counter() - start

        result = correlation.correlate_all(
            node, restart=True, chunk=1_000, processes=args.processes, on_progress=progress
        )
        took = time.perf_counter() - start
        with node.db.reading() as session:
            per_entity = store.hits_per_entity(session)
        print(
            json.dumps(
                {
                    "full_recorrelation_s": round(took, 1),
                    "entities_per_s": round(held / took),
                    "hits_per_entity": round(per_entity, 5),
                    "new_hits": result.hits,
                }
            ),
            flush=True,
        )
        print(json.dumps(quality(node, args.links)), flush=True)
        print(
            json.dumps(
                {"one_report_of_10": new_reports(node, args.reports, args.seed, args.persons)}
            ),
            flush=True,
        )
    finally:
        node.close()


if __name__ == "__main__":
    main()
