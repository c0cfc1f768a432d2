"""Speed of the name engine on synthetic names: index build, memory, search, compare.

Usage:
    .venv/bin/python bench/names_speed.py [--size 1000000] [--queries 1000] [--json FILE]
        [--one-by-one]

Every person is synthetic: a given name and a father's name from common-name
lists, a family name made from random Arabic roots (three or four consonants,
drawn roughly as often as they occur in names) in the usual patterns (فاعل,
فعيل, مفعول, فعال, فعلان, بوفعيل, فعلاوي, فعلل, فعلال…, with or without ال-
and the nisba -ي). Each is
written in Arabic or romanised in one of four styles (English, French,
German, Spanish), with random short vowels, doubled letters and article
spellings, as real records are. A few hundred persons are then *planted*:
the index holds one rendering, and the query is another (another style or
script, a middle name dropped, a title added, the order changed); recall@10
counts how often the planted record comes back in the top ten.

Runs on one core (the index and the comparison are single-threaded). Wall
time and CPU time are both printed: on a shared machine the CPU time is
what one core would take.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import time
from pathlib import Path

from tabadul.names import NameIndex, compare

GIVEN = [
    "محمد",
    "احمد",
    "علي",
    "حسن",
    "حسين",
    "عمر",
    "خالد",
    "يوسف",
    "ابراهيم",
    "مصطفى",
    "طارق",
    "سعيد",
    "كريم",
    "رشيد",
    "جمال",
    "ياسين",
    "اسماعيل",
    "سليمان",
    "هشام",
    "وليد",
    "مراد",
    "نبيل",
    "فيصل",
    "ماجد",
    "سامي",
    "عادل",
    "منير",
    "بلال",
    "زكريا",
    "انس",
    "حمزة",
    "عثمان",
    "ايوب",
    "ادريس",
    "يونس",
    "موسى",
    "عيسى",
    "شريف",
    "صالح",
    "فاروق",
    "زياد",
    "قاسم",
    "ناصر",
    "جعفر",
    "منصور",
    "رضا",
    "كمال",
    "جلال",
    "نور_الدين",
    "صلاح_الدين",
    "عبد_الله",
    "عبد_الرحمن",
    "عبد_العزيز",
    "عبد_القادر",
    "عبد_الكريم",
    "عبد_الحميد",
    "نصر_الله",
    "حبيب_الله",
    "خير_الله",
    "سيف_الدين",
    "عز_الدين",
    "ابو_بكر",
]
# Root consonants, repeated roughly as often as they occur in Arabic names.
ROOT_LETTERS = "رررررنننننمممممللللبببببددددسسسسحححعععققققكككفففتتتججججشششزززطططههخخصصغضذثظ"
PATTERNS = (
    # three-consonant roots: فاعل, فعيل, مفعول, فعال, فاعول, فعلان, بوفعيل, فعلاوي
    ("{0}ا{1}{2}", "{0}{1}ي{2}", "م{0}{1}و{2}", "{0}{1}ا{2}", "{0}ا{1}و{2}", "{0}{1}{2}ان",
     "بو{0}{1}ي{2}", "{0}{1}{2}اوي"),
    # four-consonant roots: فعلل, فعلال, فعالل, فعلول
    ("{0}{1}{2}{3}", "{0}{1}{2}ا{3}", "{0}{1}ا{2}{3}", "{0}{1}{2}و{3}"),
)  # fmt: skip
SUN = set("تثدذرزسشصضطظلن")
TITLES = ("Sheikh", "Haji", "Dr", "الشيخ", "Mullah")

# Romanisation choices per letter, per style (English, French, German, Spanish).
CHOICES: dict[str, tuple[tuple[str, ...], ...]] = {
    "ب": (("b",), ("b",), ("b",), ("b",)),
    "ت": (("t",), ("t",), ("t",), ("t",)),
    "ث": (("th", "s"), ("th", "t"), ("th", "s"), ("z", "th")),
    "ج": (("j", "g"), ("dj", "j"), ("dsch", "dj"), ("y", "j")),
    "ح": (("h",), ("h",), ("h",), ("h", "j")),
    "خ": (("kh",), ("kh",), ("ch", "kh"), ("j", "kh")),
    "د": (("d",), ("d",), ("d",), ("d",)),
    "ذ": (("dh", "z"), ("dh", "d"), ("dh", "s"), ("d", "z")),
    "ر": (("r",), ("r",), ("r",), ("r",)),
    "ز": (("z",), ("z",), ("s", "z"), ("z",)),
    "س": (("s",), ("s", "ss"), ("s", "ss"), ("s",)),
    "ش": (("sh",), ("ch",), ("sch",), ("ch", "sh")),
    "ص": (("s",), ("s",), ("s",), ("s",)),
    "ض": (("d", "dh"), ("d",), ("d",), ("d",)),
    "ط": (("t",), ("t",), ("t",), ("t",)),
    "ظ": (("z", "dh"), ("z", "dh"), ("s", "z"), ("z",)),
    "ع": (("", "'", "a"), ("",), ("",), ("",)),
    "غ": (("gh",), ("gh",), ("gh",), ("g", "gh")),
    "ف": (("f",), ("f",), ("f",), ("f",)),
    "ق": (("q", "k"), ("k", "q"), ("k",), ("k", "c")),
    "ك": (("k",), ("k",), ("k",), ("k", "c")),
    "ل": (("l",), ("l",), ("l",), ("l",)),
    "م": (("m",), ("m",), ("m",), ("m",)),
    "ن": (("n",), ("n",), ("n",), ("n",)),
    "ه": (("h",), ("h",), ("h",), ("h",)),
    "ة": (("a", "ah"), ("a",), ("a",), ("a",)),
    "ى": (("a",), ("a",), ("a",), ("a",)),
}
LONG = {  # long vowels, and the letters as consonants
    "ا": (("a", "aa"), ("a",), ("a",), ("a",)),
    "و": (("u", "oo", "o"), ("ou", "o"), ("u",), ("u",)),
    "ي": (("i", "ee", "y"), ("i",), ("i", "ie"), ("i",)),
}
CONSONANT = {"و": (("w",), ("ou", "w"), ("w",), ("u", "w")), "ي": (("y",), ("y",), ("j",), ("y",))}
SHORT = ("a", "a", "a", "e", "i", "u", "o")


def family_name(rng: random.Random) -> str:
    patterns = PATTERNS[rng.random() < 0.4]
    root = [rng.choice(ROOT_LETTERS) for _ in range(4)]
    word = rng.choice(patterns).format(*root)
    if rng.random() < 0.5:
        word += "ي"
    if rng.random() < 0.5:
        word = "ال" + word
    return word


def person(rng: random.Random) -> list[str]:
    parts = [rng.choice(GIVEN).replace("_", " ")]
    if rng.random() < 0.6:
        parts.append(rng.choice(GIVEN).replace("_", " "))
    parts.append(family_name(rng))
    return parts


def romanise_word(word: str, style: int, rng: random.Random) -> str:
    article = ""
    if word.startswith("ال") and len(word) > 3:
        word = word[2:]
        if word[0] in SUN and rng.random() < 0.5:
            first = CHOICES[word[0]][style][0]
            article = rng.choice(("a", "e")) + first[0] + "-"
        else:
            article = rng.choice(("al-", "el-", "Al ", "El ", "al", ""))
    out = []
    for i, char in enumerate(word):
        if char in CONSONANT and (i == 0 or word[i - 1] == "ا"):
            out.append(rng.choice(CONSONANT[char][style]))
        elif char in LONG and i > 0:
            out.append(rng.choice(LONG[char][style]))
        elif char == "ا":
            out.append("a")
        else:
            letter = rng.choice(CHOICES.get(char, ((char,),) * 4)[style])
            if rng.random() < 0.08 and i > 0 and len(letter) == 1:
                letter += letter  # a doubled consonant (shadda), as spellings often show
            out.append(letter)
            nxt = word[i + 1] if i + 1 < len(word) else ""
            if nxt and nxt not in LONG and nxt != "ة" and rng.random() < 0.8:
                out.append(rng.choice(SHORT))
    text = "".join(out)
    if style == 3:
        # Spanish writes k as c only before a, o, u; before e and i it is qu
        # (c there is s or th). Until 2026-11-23 the generator wrote "Cacin"
        # for قكين, which no Spanish writer would.
        text = re.sub(r"c+(?=[eiy])", "qu", text)
    return article + text[:1].upper() + text[1:]


ALLAH = ("ullah", "allah", " Allah", "-Allah", "ollah")
DIN = ("uddin", "eddine", " ad-Din", " al-Din", " ed-Dine", "-ud-Din")
ABD = ("Abdul ", "Abdel ", "Abd al-", "Abd-el-", "Abdoul ", "Abdal-")


def render(parts: list[str], rng: random.Random, script: str, style: int) -> str:
    if script == "arabic":
        return " ".join(parts)
    words = []
    for part in parts:
        pieces = part.split()
        if pieces[0] == "عبد":
            name = pieces[1].removeprefix("ال")
            words.append(rng.choice(ABD) + romanise_word(name, style, rng))
        elif len(pieces) == 2 and pieces[1] in ("الله", "الدين"):
            tail = rng.choice(ALLAH if pieces[1] == "الله" else DIN)
            words.append(romanise_word(pieces[0], style, rng) + tail)
        elif pieces[0] == "ابو":
            words.append(
                rng.choice(("Abu ", "Abou ", "Abu-")) + romanise_word(pieces[1], style, rng)
            )
        else:
            words.append(" ".join(romanise_word(w, style, rng) for w in pieces))
    return " ".join(words).replace("- ", "-")


def variant(parts: list[str], rng: random.Random) -> list[str]:
    parts = list(parts)
    if len(parts) == 3 and rng.random() < 0.2:
        del parts[1]  # the father's name is left out
    if rng.random() < 0.05:
        parts = parts[-1:] + parts[:-1]  # family name first
    return parts


def planted_names(
    rng: random.Random, size: int, queries: int
) -> tuple[list[str], list[int], list[str]]:
    """The names indexed, which of them are planted, and the variant queried for each.

    ``names_misses.py`` and ``names_blocking_weights.py`` call this with the
    same seed, so that they study the very index and queries this bench times.
    """
    people = [person(rng) for _ in range(size)]
    indexed = []
    for parts in people:
        script = "arabic" if rng.random() < 0.3 else "latin"
        indexed.append(render(parts, rng, script, rng.randrange(4)))
    planted = rng.sample(range(size), queries)
    asked = []
    for i in planted:
        parts = variant(people[i], rng)
        is_arabic = indexed[i][:1] >= "\u0600"
        script = "latin" if is_arabic or rng.random() < 0.5 else "arabic"
        query = render(parts, rng, script, rng.randrange(4))
        if rng.random() < 0.1:
            query = rng.choice(TITLES) + " " + query
        asked.append(query)
    return indexed, planted, asked


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--one-by-one",
        action="store_true",
        help="build with index.add in a loop (the collector running) instead of in bulk",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    indexed, planted, queries = planted_names(rng, args.size, args.queries)

    # compare throughput: fresh names (nothing cached) and a repeating pool (cached parses).
    fresh = [
        (render(person(rng), rng, "arabic", 0), render(person(rng), rng, "latin", rng.randrange(4)))
        for _ in range(args.pairs)
    ]
    compare("طارق", "Tariq")  # loads the learnt-spellings table
    t, c = time.perf_counter(), time.process_time()
    for a, b in fresh:
        compare(a, b)
    cold = args.pairs / (time.perf_counter() - t)
    cold_cpu = args.pairs / (time.process_time() - c)
    pool = fresh[:1000]
    t, c = time.perf_counter(), time.process_time()
    for n in range(args.pairs):
        a, _ = pool[n % 1000]
        _, b = pool[(n * 7 + 3) % 1000]
        compare(a, b)
    warm = args.pairs / (time.perf_counter() - t)
    warm_cpu = args.pairs / (time.process_time() - c)

    gc.collect()
    before = rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    if args.one_by_one:
        index = NameIndex()
        for i, name in enumerate(indexed):
            index.add(str(i), name)
    else:
        index = NameIndex((str(i), name) for i, name in enumerate(indexed))
    index.candidates("warm up")  # freezes the posting lists
    gc.freeze()  # a long-lived index: keep the collector from rescanning it
    build = time.perf_counter() - started
    build_cpu = time.process_time() - started_cpu
    memory = rss_mb() - before

    latencies = []
    cpu = []
    hits = 0
    for i, query in zip(planted, queries, strict=True):
        t, c = time.perf_counter(), time.thread_time()
        results = index.search(query, k=10)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        hits += any(c.id == str(i) for c in results)

    figures = {
        "names indexed": args.size,
        "build time s (wall)": round(build, 1),
        "build time s (CPU)": round(build_cpu, 1),
        "index memory MB (RSS growth)": round(memory),
        "search p50 ms (wall)": round(statistics.median(latencies), 2),
        "search p95 ms (wall)": round(percentile(latencies, 95), 2),
        "search p50 ms (CPU)": round(statistics.median(cpu), 2),
        "search p95 ms (CPU)": round(percentile(cpu, 95), 2),
        "planted recall@10": round(hits / len(planted), 4),
        "compare pairs/s (fresh names, wall)": round(cold),
        "compare pairs/s (fresh names, CPU)": round(cold_cpu),
        "compare pairs/s (pool of 1,000 names, wall)": round(warm),
        "compare pairs/s (pool of 1,000 names, CPU)": round(warm_cpu),
    }
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    print(
        "examples:",
        *[f"  {indexed[i]!r} ← {q!r}" for i, q in list(zip(planted, queries, strict=False))[:8]],
        sep="\n",
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
