"""How many candidates a correlation run compares per entity, and which keys bring them.

    python bench/correlation_bench.py --persons 100000 --links 2000 --data-dir DIR
    python bench/correlation_candidates.py --data-dir DIR [--after p0050000] [--sample 300]

Takes ``--sample`` held entities after the id ``--after`` of a node a
``correlation_bench.py`` run built (its keys stored by the keys pass), looks
their candidates up exactly as a full run does (``lookups_of`` on the stored
keys, ``entity_ids_with`` with the per-key limit) and prints the lookup keys
and candidates per entity, and the kinds of key shared by more than 50
entities. Candidates per entity that grow with the holdings make a full run
quadratic.
"""

from __future__ import annotations

import argparse
import collections
import statistics
from pathlib import Path

from tabadul.logs import configure
from tabadul.services import correlation
from tabadul.services.node import Node
from tabadul.settings import load_settings
from tabadul.storage import matching as store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--after", default="p0050000", help="start after this entity id")
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    try:
        with node.db.reading() as session:
            ids = store.entity_ids_after(session, args.after, args.sample)
            stored = store.keys_of_entities(session, ids)
            lookups = {
                entity_id: correlation.lookups_of(
                    correlation.profile_of(row, node.identity.country),
                    stored.get(entity_id, set()),
                )
                for entity_id, row in store.held_entities(session, ids).items()
            }
            wanted = {key for keys in lookups.values() for key in keys}
            held = store.entity_ids_with(session, wanted, correlation.MAX_PER_KEY + 1)
    finally:
        node.close()
    common = correlation.crowded(held)
    keys_per = [len(keys) for keys in lookups.values()]
    candidates = sorted(
        len({c for key in keys - common for c in held[key]} - {entity_id})
        for entity_id, keys in lookups.items()
    )
    print(f"entities sampled: {len(lookups)} (after {args.after})")
    print(f"lookup keys per entity: median {statistics.median(keys_per):.0f}")
    print(
        f"candidates per entity: median {statistics.median(candidates):.1f}, "
        f"p90 {candidates[int(0.9 * len(candidates))]}"
    )
    crowded = collections.Counter(key[0] for key, found in held.items() if len(found) > 50)
    print(f"keys shared by more than 50 entities, by kind: {dict(crowded.most_common())}")


if __name__ == "__main__":
    main()
