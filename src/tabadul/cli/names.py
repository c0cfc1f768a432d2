"""``tabadul names …``: compare names across scripts, score a file of pairs, screen a list.

These commands need no node: the name engine is a pure library. ``pairs``
always uses the engine's default threshold, so that its decisions on data
the engine has never seen are the decisions the node would make.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import click

from tabadul.cli.common import emit, json_option
from tabadul.matching.scoring import ORGANISATION
from tabadul.names import THRESHOLD, NameIndex, NameMatch, compare


@click.group()
def names() -> None:
    """Cross-script (Arabic ↔ Latin) name matching."""


def _match_data(a: str, b: str, result: NameMatch) -> dict[str, object]:
    return {
        "left": a,
        "right": b,
        "score": result.score,
        "match": result.match,
        "threshold": THRESHOLD,
        "reasons": list(result.reasons),
    }


@names.command("compare")
@click.argument("left")
@click.argument("right")
@click.option("--organisation", is_flag=True, help="The names are of organisations, not people.")
@json_option
def names_compare(left: str, right: str, organisation: bool, as_json: bool) -> None:
    """Compare two names and explain the score."""
    result = compare(left, right, organisation=organisation)
    verdict = "match" if result.match else "no match"
    text = "\n".join([f"{result.score:.3f} {verdict}", *(f"  {r}" for r in result.reasons)])
    emit(_match_data(left, right, result), as_json, text)


def _rows(handle: TextIO) -> Iterator[list[str]]:
    return csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


@names.command("pairs")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
def names_pairs(file: Path) -> None:
    """Score a TSV of name pairs (header; first two columns are the names).

    Writes the input columns plus ``score`` and ``match`` (1 or 0, at the
    engine's default threshold) as TSV to standard output.
    """
    handle: TextIO = sys.stdin if str(file) == "-" else file.open(encoding="utf-8", newline="")
    with handle:
        rows = _rows(handle)
        out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
        header = next(rows, None)
        if header is None:
            raise click.UsageError("the file is empty: it needs a header line")
        if len(header) < 2:
            raise click.UsageError("the file needs at least two tab-separated columns")
        out.writerow([*header, "score", "match"])
        # A "schema" column (FollowTheMoney's, as in the UN pairs) marks the organisations.
        schema = header.index("schema") if "schema" in header else None
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) < 2:
                raise click.UsageError(f"line {number} has fewer than two columns")
            organisation = schema is not None and schema < len(row) and row[schema] in ORGANISATION
            result = compare(row[0], row[1], organisation=organisation)
            out.writerow([*row, f"{result.score:.4f}", int(result.match)])


def _load_index(file: Path) -> NameIndex:
    with file.open(encoding="utf-8", newline="") as handle:
        rows = _rows(handle)
        header = next(rows, None)
        if header is None:
            raise click.UsageError(f"{file} is empty")
        return NameIndex(_pairs(header, rows))


def _pairs(header: list[str], rows: Iterable[list[str]]) -> Iterator[tuple[str, str]]:
    """(id, name) from an index file's rows: the first two columns, or a name and its line."""
    for number, row in enumerate(rows, start=2):
        if not row or not any(row):
            continue
        if len(header) >= 2 and len(row) >= 2:
            yield row[0], row[1]
        else:
            yield str(number), row[0]


@names.command("search")
@click.option(
    "--index",
    "index_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TSV with a header: id and name (or a single name column; ids are line numbers).",
)
@click.option("--query", required=True, help="The name to look for, in any script.")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000))
@json_option
def names_search(index_file: Path, query: str, k: int, as_json: bool) -> None:
    """Screen one name against a list of names; best candidates first, with reasons."""
    results = _load_index(index_file).search(query, k=k)
    data = [
        {
            "id": c.id,
            "name": c.name,
            "score": c.score,
            "match": c.match.match,
            "reasons": list(c.match.reasons),
        }
        for c in results
    ]
    lines = [
        f"{c.score:.3f} {'match' if c.match.match else '     '} {c.id}\t{c.name}" for c in results
    ]
    emit(data, as_json, "\n".join(lines) if lines else "no candidates")
