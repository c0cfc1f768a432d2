"""Where one report's correlation spends its time: a cProfile of ``correlation_rerun.py``, summed.

    python -m cProfile -o OUT bench/correlation_rerun.py --data-dir DIR --reports 100
    python bench/correlation_profile.py OUT

Prints, for each step of the correlation (``correlate`` and what it calls),
the cumulative seconds under the profiler and the number of calls, over all
the reports. The profiler slows the run about twofold; compare the rows of
two profiles, not them with the timings of an unprofiled run.
"""

from __future__ import annotations

import argparse
import pstats

# (label, the file's path ends with, the function's name)
STEPS = [
    ("correlate", "services/correlation.py", "correlate"),
    ("find", "services/correlation.py", "find"),
    ("_matches", "services/correlation.py", "_matches"),
    ("score", "matching/scoring.py", "score"),
    ("names.compare", "names/scoring.py", "compare"),
    ("names prepare (parsing)", "names/scoring.py", "prepare"),
    ("element counts (rarity)", "services/correlation.py", "rarity"),
    ("count_holders", "storage/matching.py", "count_holders"),
    ("entity_ids_with", "storage/matching.py", "entity_ids_with"),
    ("held_entities", "storage/matching.py", "held_entities"),
    ("keys_of_entities", "storage/matching.py", "keys_of_entities"),
    ("keys_among", "storage/matching.py", "keys_among"),
    ("candidate_of", "services/correlation.py", "candidate_of"),
    ("profile_of", "services/correlation.py", "profile_of"),
    ("selectors: _phone", "matching/selectors.py", "_phone"),
    ("keys_of", "services/correlation.py", "keys_of"),
    ("replace_keys", "storage/matching.py", "replace_keys"),
    ("record", "services/correlation.py", "record"),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile")
    args = parser.parse_args()
    stats = pstats.Stats(args.profile).stats  # type: ignore[attr-defined]
    for label, path, name in STEPS:
        found = [
            (cumulative, calls)
            for (file, _, function), (_, calls, _, cumulative, _) in stats.items()
            if function == name and file.endswith(path)
        ]
        if name == "rarity":
            # ElementCounts.rarity, not the module's function that calls it.
            found = [max(found)] if found else []
        seconds = sum(c for c, _ in found)
        print(f"{label:26s} {seconds:6.2f} s {sum(n for _, n in found):7d} calls")


if __name__ == "__main__":
    main()
