"""Where a filtered search's time goes, statement by statement, on a search-bench node.

    python bench/search_bench.py --reports 1000000 --data-dir DIR
    python bench/search_costs.py --data-dir DIR

For one filtered query ("transfers", financing, AMBER, six months): the
statements ``tabadul.services.search.search`` runs and their times (until
executed; the search statement's rows are fetched after, so ``engine.run``
— executed and fetched — is timed as a whole too); then the full-text part
alone, as FTS5 walks it newest first to the bound — without a score, with
BM25, and with the filter words left out — and the ways of scoring the
bounded rows in a second cursor: the query's own expression between the
smallest and largest id of the set, scoring only its rows (what the service
does), scoring every row in that range, and ``rowid IN`` the rows (which
SQLite answers with one MATCH per id). Medians of seven runs each. Last,
how many documents each phrase of the narrowed expression is in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tabadul.logs import configure
from tabadul.search import engine
from tabadul.search.backends import filter_expression, fts5
from tabadul.search.documents import name_keys
from tabadul.search.engine import COUNT_BOUND, SearchFilter, narrowing
from tabadul.search.query import parse
from tabadul.services import accounts, search
from tabadul.services.node import Node
from tabadul.settings import load_settings

QUERY = "transfers"
FILTERS = SearchFilter(
    topic="financing", tlp="AMBER", date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 9, 1)
)


def median_ms(run: Any, times: int = 7) -> tuple[float, Any]:
    taken, result = [], None
    for _ in range(times):
        start = time.perf_counter()
        result = run()
        taken.append((time.perf_counter() - start) * 1000)
    return statistics.median(taken), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    configure("warning")
    node = Node.open(load_settings(args.data_dir))
    analyst = accounts.principal_named(node, "benchmark")
    gc.collect()
    gc.freeze()  # as the application does
    timings: list[tuple[float, str]] = []

    @event.listens_for(node.db.engine, "before_cursor_execute")
    def started(conn: Any, _cursor: Any, _statement: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(node.db.engine, "after_cursor_execute")
    def ended(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = (time.perf_counter() - conn.info["started"]) * 1000
        timings.append((elapsed, " ".join(statement.split())[:60]))

    run = engine.run

    def timed_run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        found = run(*args, **kwargs)
        timings.append(((time.perf_counter() - start) * 1000, "engine.run (executed and fetched)"))
        return found

    engine.run = timed_run  # type: ignore[assignment]
    for _ in range(3):
        search.search(node, analyst, QUERY, FILTERS, "benchmark")
    services: list[float] = []
    runs: list[list[tuple[float, str]]] = []
    for _ in range(7):
        timings.clear()
        services.append(median_ms(lambda: search.search(node, analyst, QUERY, FILTERS, "b"), 1)[0])
        runs.append(list(timings))
    engine.run = run  # type: ignore[assignment]
    print(f"service: {statistics.median(services):.1f} ms; its statements:")
    for i, (_elapsed, statement) in enumerate(runs[0]):
        print(f"  {statistics.median(r[i][0] for r in runs):7.2f} ms  {statement}")
    event.remove(node.db.engine, "before_cursor_execute", started)
    event.remove(node.db.engine, "after_cursor_execute", ended)

    plain = fts5(parse(QUERY), name_keys)
    narrowed = f"{plain} AND {filter_expression(narrowing(FILTERS, ['report']))}"
    walk = "SELECT rowid{} FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
    with node.db.engine.connect() as conn:

        def rows(sql: str, *params: Any) -> list[Any]:
            return list(conn.exec_driver_sql(sql, params))

        print("FTS5 alone, walked to the bound:")
        for label, expression, score in (
            ("filter words, no score", narrowed, ""),
            ("filter words, BM25", narrowed, ", bm25(search_fts)"),
            ("no filter words, no score", plain, ""),
            ("no filter words, BM25", plain, ", bm25(search_fts)"),
        ):
            ms, _ = median_ms(
                lambda e=expression, s=score: rows(walk.format(s), e, COUNT_BOUND + 1)
            )
            print(f"  {ms:7.1f} ms  {label}")
        bounded = [r[0] for r in rows(walk.format(""), narrowed, COUNT_BOUND)]
        marks = ",".join("?" * len(bounded))
        print("scoring the bounded rows in a second cursor:")
        ms, _ = median_ms(
            lambda: rows(
                "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ? "  # noqa: S608
                f"AND rowid BETWEEN ? AND ? AND +rowid IN ({marks})",
                plain,
                min(bounded),
                max(bounded),
                *bounded,
            )
        )
        print(f"  {ms:7.1f} ms  the query alone, in their rowid range, only they scored")
        ms, _ = median_ms(
            lambda: rows(
                "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ? "
                "AND rowid BETWEEN ? AND ?",
                plain,
                min(bounded),
                max(bounded),
            )
        )
        print(f"  {ms:7.1f} ms  the query alone, every row of their rowid range scored")
        ms, _ = median_ms(
            lambda: rows(
                "SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH ? "  # noqa: S608
                f"AND rowid IN ({marks})",
                plain,
                *bounded,
            ),
            1,
        )
        print(f"  {ms:7.1f} ms  rowid IN the bounded rows (one run)")
        print("documents each phrase is in (what BM25 counts before the first row):")
        for group in [[p] for p in plain[1:-1].split(" OR ")] + [
            [f"facets:{w}" for w in g] for g in narrowing(FILTERS, ["report"])
        ]:
            for phrase in group:
                (n,) = rows("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", phrase)[0]
                print(f"  {n:9,}  {phrase}")
        (n,) = rows("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", narrowed)[0]
        print(f"  {n:9,}  the narrowed expression (the query and every filter word)")
    node.close()


if __name__ == "__main__":
    main()
