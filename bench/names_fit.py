"""Fit the learnt-spellings table (src/tabadul/names/data/variants.tsv).

Reads only the *training* slices of the public transliteration corpora in
../shared/data/names/raw (never a test slice, never the UN data):

* Wikidata (Merhav & Ash 2018) ``wd_arabic_80`` – its test slice is ``wd_arabic_20``;
* Google ar2en ``ar2en-train.txt`` – its test slice is ``ar2en-test.txt``;
* ANETAC ``translit_train`` – its test slice is ``translit_test``.

Usage: .venv/bin/python bench/names_fit.py [DATA_DIR]
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

from tabadul.names.normalise import normalise

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/names") / "raw"
OUT = Path(__file__).parents[1] / "src/tabadul/names/data/variants.tsv"
MIN_SHARE = 0.05  # spellings rarer than this share of a token's uses are noise


def pairs() -> list[tuple[str, str, int]]:
    rows: list[tuple[str, str, int]] = []
    for line in (DATA / "wikidata_netranslit/wd_arabic_80").read_text("utf-8").splitlines():
        latin, arabic, count = line.split("\t")
        rows.append((arabic.replace(" ", ""), latin, int(count)))
    for line in (DATA / "google_ar2en/ar2en-train.txt").read_text("utf-8").splitlines():
        arabic, latin = line.split("\t")[:2]
        rows.append((arabic, latin, 1))
    ar = (DATA / "anetac/translit_train.ar").read_text("utf-8").splitlines()
    en = (DATA / "anetac/translit_train.en").read_text("utf-8").splitlines()
    rows.extend((a, e, 1) for a, e in zip(ar, en, strict=True))
    return rows


def main() -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for arabic, latin, n in pairs():
        a, la = normalise(arabic), normalise(latin)
        if not a or not la or " " in a or " " in la:
            continue
        counts[a][la] += n
    lines = [
        "# Arabic token<TAB>latin:count|… — fitted by bench/names_fit.py from the training",
        "# slices wd_arabic_80, ar2en-train, ANETAC translit_train only.",
    ]
    for arabic in sorted(counts):
        total = sum(counts[arabic].values())
        kept = [(la, n) for la, n in counts[arabic].most_common() if n / total >= MIN_SHARE]
        lines.append(arabic + "\t" + "|".join(f"{la}:{n}" for la, n in kept))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(counts)} Arabic tokens written to {OUT}")


if __name__ == "__main__":
    main()
