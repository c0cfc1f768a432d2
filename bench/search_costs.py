"""Where a search's time goes, statement by statement, on a search-bench node.

    python bench/search_bench.py --reports 1000000 --data-dir DIR
    python bench/search_costs.py --data-dir DIR

For the filtered query ("transfers", financing, AMBER, six months) and a
three-word one ("haddad melilla selon"): the service's time, the
statements ``tabadul.services.search.search`` runs and their times (until
executed; the search statement's rows are fetched after, so ``engine.run``
— executed and fetched — is timed whole), and within it the rank of the
bounded set (``tabadul.search.ranking``: FTS5's totals, the phrase counts
when none is kept and when all are, the scores). Then the full-text part
alone, as FTS5 walks it newest first to the bound, with and without
``bm25()``; and each phrase's documents, counted exactly and as the rank
estimates them. Medians of seven runs each.
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
from tabadul.search import backends, engine, ranking
from tabadul.search.backends import filter_expression, fts5
from tabadul.search.documents import name_keys
from tabadul.search.engine import COUNT_BOUND, SearchFilter, narrowing
from tabadul.search.query import parse
from tabadul.services import accounts, search
from tabadul.services.node import Node
from tabadul.settings import load_settings

FILTERED = SearchFilter(
    topic="financing", tlp="AMBER", date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 9, 1)
)
CASES = (("transfers", FILTERED), ("haddad melilla selon", SearchFilter()))


def median_ms(run: Any, times: int = 7) -> tuple[float, Any]:
    taken, result = [], None
    for _ in range(times):
        start = time.perf_counter()
        result = run()
        taken.append((time.perf_counter() - start) * 1000)
    return statistics.median(taken), result


def service(node: Node, analyst: Any, query: str, filters: SearchFilter) -> None:
    """The service's time, its statements', ``engine.run``'s and the rank's."""
    timings: list[tuple[float, str]] = []

    @event.listens_for(node.db.engine, "before_cursor_execute")
    def started(conn: Any, _cursor: Any, _statement: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(node.db.engine, "after_cursor_execute")
    def ended(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = (time.perf_counter() - conn.info["started"]) * 1000
        timings.append((elapsed, " ".join(statement.split())[:60]))

    run, matching = engine.run, engine.matching

    def timed_run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        found = run(*args, **kwargs)
        timings.append(((time.perf_counter() - start) * 1000, "engine.run (executed and fetched)"))
        return found

    def timed_matching(*args: Any, **kwargs: Any) -> backends.Matching:
        found = matching(*args, **kwargs)
        rank = found.rank
        if rank is None:
            return found

        def timed_rank(session: Any, rows: Any) -> dict[int, float]:
            start = time.perf_counter()
            scores = rank(session, rows)
            timings.append(((time.perf_counter() - start) * 1000, "  … of which the rank"))
            return scores

        return backends.Matching(**{**found.__dict__, "rank": timed_rank})

    engine.run = timed_run  # type: ignore[assignment]
    engine.matching = timed_matching  # type: ignore[assignment]
    try:
        for _ in range(3):
            search.search(node, analyst, query, filters, "benchmark")
        services: list[float] = []
        runs: list[list[tuple[float, str]]] = []
        for _ in range(7):
            timings.clear()
            services.append(
                median_ms(lambda: search.search(node, analyst, query, filters, "b"), 1)[0]
            )
            runs.append(list(timings))
    finally:
        engine.run, engine.matching = run, matching  # type: ignore[assignment]
        event.remove(node.db.engine, "before_cursor_execute", started)
        event.remove(node.db.engine, "after_cursor_execute", ended)
    print(f"service: {statistics.median(services):.1f} ms; its statements:")
    for i, (_elapsed, statement) in enumerate(runs[0]):
        print(f"  {statistics.median(r[i][0] for r in runs):7.2f} ms  {statement}")


def rank_parts(node: Node, query: str, filters: SearchFilter) -> None:
    """The rank's parts for the bounded set of ``query``: totals, counts, scores."""
    tree = parse(query)
    terms = ranking.terms(tree, name_keys)
    expressions = list(dict.fromkeys(t.expression for t in terms))
    plain = fts5(tree, name_keys)
    columns = ", ".join(f"d.{c}" for c in ranking.carried(terms))
    with node.db.reading() as session:
        conn = session.connection()
        # The filter words the service narrows by (combined ones once every document has them).
        how = backends.narrowable(session, node.db.dialect)
        narrow = narrowing(filters, ["report"], combine=how == "combined") if how else []
        walked = f"{plain} AND {filter_expression(narrow)}" if narrow else plain
        rows = list(
            conn.exec_driver_sql(
                f"SELECT d.id, {columns} FROM search_fts JOIN search_documents d "  # noqa: S608
                "ON d.id = search_fts.rowid WHERE search_fts MATCH ? "
                "ORDER BY search_fts.rowid DESC LIMIT ?",
                (walked, COUNT_BOUND),
            )
        )
        ms, totals = median_ms(lambda: backends.fts5_totals(session))
        print(f"the rank of {len(rows)} documents, {len(terms)} phrases:")
        print(f"  {ms:7.2f} ms  FTS5's totals")
        ms, counts = median_ms(lambda: backends.fts5_counts(session, expressions))
        print(f"  {ms:7.2f} ms  the phrases' documents, none kept (estimated)")
        ranking.FREQUENCIES.clear()
        ranking.FREQUENCIES.of(session.get_bind(), expressions, totals.documents, lambda e: counts)
        ms, _ = median_ms(
            lambda: ranking.FREQUENCIES.of(
                session.get_bind(), expressions, totals.documents, lambda e: counts
            )
        )
        print(f"  {ms:7.2f} ms  the phrases' documents, all kept")
        weighted = [
            (t, ranking.idf(totals.documents, counts[expressions.index(t.expression)]))
            for t in terms
        ]
        ms, _ = median_ms(lambda: ranking.scores(rows, weighted, totals))
        print(f"  {ms:7.2f} ms  the scores")
        walk = "SELECT rowid{} FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
        print("FTS5 alone, walked to the bound (the service's walk carries no score now):")
        for label, score in (("no score", ""), ("with bm25()", ", bm25(search_fts)")):
            ms, _ = median_ms(
                lambda s=score: list(
                    conn.exec_driver_sql(walk.format(s), (walked, COUNT_BOUND + 1))
                )
            )
            print(f"  {ms:7.1f} ms  {label}")
        print("documents each phrase is in: exactly / as estimated")
        for e, n in zip(expressions, counts, strict=True):
            (exact,) = conn.exec_driver_sql(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (e,)
            ).one()
            print(f"  {exact:9,} / {n:9,}  {e}")
        session.rollback()


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
    for query, filters in CASES:
        shown = {k: str(v) for k, v in filters.__dict__.items() if v is not None}
        print(f"== {query!r} {shown or ''}")
        service(node, analyst, query, filters)
        rank_parts(node, query, filters)
    node.close()


if __name__ == "__main__":
    main()
