"""``tabadul search`` and ``tabadul reindex``: search as a user from the console; rebuild the index.

A search always runs as a named user (``--as-user``), so it sees exactly
what that user may read, and is audited with the stated purpose.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tabadul.cli.common import data_dir_option, emit, json_option, opened, reports_errors
from tabadul.services import accounts, search
from tabadul.services.search import SearchFilter


@click.command("search")
@data_dir_option
@click.argument("query")
@click.option("--as-user", "username", required=True, help="Search as this user (their access).")
@click.option("--purpose", required=True, help="Why you search (kept in the audit log).")
@click.option("--kind", type=click.Choice(["report", "entity"]), default=None)
@click.option("--topic", default=None)
@click.option("--status", type=click.Choice(["draft", "released", "withdrawn"]), default=None)
@click.option("--tlp", default=None, help="e.g. AMBER")
@click.option("--classification", default=None, help="e.g. RESTRICTED")
@click.option("--originator", default=None, help="Node id of the originating service.")
@click.option("--schema", default=None, help="Entity schema, e.g. Person.")
@click.option("--language", default=None, help="ISO 639 code, e.g. ar.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, search.MAX_LIMIT))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0, search.MAX_OFFSET))
@json_option
@reports_errors
def search_command(
    data_dir: Path,
    query: str,
    username: str,
    purpose: str,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    limit: int,
    offset: int,
    as_json: bool,
    **filters: str | None,
) -> None:
    """Search reports and entities (see docs/search.md for the query syntax)."""
    chosen = SearchFilter(
        **filters,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )
    with opened(data_dir) as node:
        actor = accounts.principal_named(node, username)
        results = search.search(node, actor, query, chosen, purpose, limit=limit, offset=offset)
    # A count that stopped at the bound reads "1000+ found".
    lines = [f"{results.total}{'' if results.total_exact else '+'} found"]
    for hit in results.items:
        extract = "".join(
            click.style(f.text, bold=True) if f.match else f.text for f in hit.snippet
        ).replace("\n", " ")
        lines.append(f"{hit.kind:<7} {hit.id}  {hit.title}")
        lines.append(f"        {extract}")
    emit(results.model_dump(mode="json", by_alias=True), as_json, "\n".join(lines))


@click.command("reindex")
@data_dir_option
@json_option
@reports_errors
def reindex(data_dir: Path, as_json: bool) -> None:
    """Rebuild the search index from every stored report and entity."""
    with opened(data_dir) as node:
        done = search.reindex(node)
    emit(
        {"reports": done.reports, "entities": done.entities},
        as_json,
        f"indexed {done.reports} reports and {done.entities} entities",
    )
