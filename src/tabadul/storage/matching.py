"""Correlation's tables: keys, hits, "same as" clusters, watchlists and alerts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Index,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, DropIndex

from tabadul.storage.tables import (
    AlertRow,
    ClusterRow,
    EntityRow,
    HitRow,
    MatchKeyRow,
    WatchEntryRow,
    WatchKeyRow,
    WatchlistMemberRow,
    WatchlistRow,
    table,
)

Key = tuple[str, str]  # (kind, value): ("name", "trq|sydy"), ("phone", "+212612345678")


def replace_keys(session: Session, keys: Mapping[str, Collection[Key]]) -> None:
    """Make ``keys[entity_id]`` the only keys of each entity.

    Writes only what changed: an entity correlated again usually keeps its
    keys, and each key written or deleted costs a seek in the ``(kind,
    value)`` index, which a large holding does not keep in memory.
    """
    if not keys:
        return
    held = keys_of_entities(session, list(keys))
    gone = [
        {"e": entity_id, "k": kind, "v": value}
        for entity_id, before in held.items()
        for kind, value in before - set(keys[entity_id])
    ]
    new = [
        {"entity_id": entity_id, "kind": kind, "value": value}
        for entity_id, found in keys.items()
        for kind, value in set(found) - held.get(entity_id, set())
    ]
    if gone:
        keys_table = table(MatchKeyRow)
        session.execute(
            keys_table.delete().where(
                keys_table.c.entity_id == bindparam("e"),
                keys_table.c.kind == bindparam("k"),
                keys_table.c.value == bindparam("v"),
            ),
            gone,
        )
    if new:
        session.execute(insert(table(MatchKeyRow)), new)


def _lookup_index() -> Index:
    return next(i for i in table(MatchKeyRow).indexes if i.name == "ix_match_keys_kind_value")


def no_keys(session: Session) -> bool:
    """Whether no entity has keys yet (a first full run, or one after the keys were emptied)."""
    return session.scalar(select(MatchKeyRow.entity_id).limit(1)) is None


def drop_lookup_index(session: Session) -> None:
    """Drop the ``(kind, value)`` index that key lookups use, to write many keys first.

    Each key written costs an insert into it at a random place: for a first
    full run's millions of keys, building it once afterwards
    (:func:`ensure_lookup_index`) costs a fraction of that.
    """
    session.execute(DropIndex(_lookup_index(), if_exists=True))


def ensure_lookup_index(connection: Session | Connection) -> None:
    """Build the ``(kind, value)`` index if a first full run dropped it (and did not finish)."""
    connection.execute(CreateIndex(_lookup_index(), if_not_exists=True))


# Keys per statement when looking up many: SQLite allows 500 terms in a compound SELECT.
LOOKUP_BATCH = 400


def entity_ids_with(
    session: Session, keys: Collection[Key], limit: int, limits: Mapping[str, int] | None = None
) -> dict[Key, list[str]]:
    """Up to ``limit`` entities carrying each key (``limits``: another limit for some kinds).

    One statement per few hundred keys, each key its own index seek with its
    own LIMIT (``UNION ALL``): a very common key costs ``limit`` rows, not its
    size, and a chunk of a thousand entities costs a handful of round trips
    instead of thousands (:func:`_per_key`).
    """
    found: dict[Key, list[str]] = {key: [] for key in keys}
    by_limit: dict[int, list[Key]] = {}
    for key in sorted(found):
        by_limit.setdefault(int((limits or {}).get(key[0], limit)), []).append(key)
    for size, ordered in by_limit.items():
        select_rows = "SELECT * FROM (SELECT {i} AS k, entity_id FROM match_keys {where} LIMIT %d)"
        for key, entity_id in _per_key(session, ordered, select_rows % size):
            found[key].append(entity_id)
    return found


def count_holders(session: Session, keys: Collection[Key], cap: int) -> dict[Key, int]:
    """How many entities carry each key, counted up to ``cap`` (a larger count is ``cap``).

    Like :func:`entity_ids_with`, one statement per few hundred keys, each
    key an index seek that stops at ``cap`` rows.
    """
    found: dict[Key, int] = {key: 0 for key in keys}
    count = "SELECT {i} AS k, count(*) FROM (SELECT 1 FROM match_keys {where} LIMIT %d)"
    for key, held in _per_key(session, sorted(found), count % int(cap)):
        found[key] = int(held)
    return found


def _per_key(session: Session, keys: Sequence[Key], part: str) -> Iterator[tuple[Key, Any]]:
    """Run ``part`` for each key, a few hundred keys to a statement (``UNION ALL``).

    ``part`` selects the rows of one key: its first column is ``{i}`` (the
    key's place in the statement), and ``{where}`` stands for the key's
    condition. Plain SQL, because correlation runs it for every entity and
    the ORM's statement building would be most of the cost; the keys are
    bound with the driver's own placeholders (SQLAlchemy's typed binds for
    800 parameters cost more than running the statement), and the driver
    reuses the prepared statement of every full batch. Only numbers are
    formatted into the statement.
    """
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    where = f"WHERE kind = {mark} AND value = {mark}"
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        statement = " UNION ALL ".join(
            part.format(i=i, where=where) + f" AS q{i}" for i in range(len(batch))
        )
        params = tuple(v for key in batch for v in key)
        for index, value in connection.exec_driver_sql(statement, params):
            yield batch[index], value


def count_schemata(session: Session, schemata: Collection[str]) -> int:
    """How many entities of these schemata the node holds."""
    query = select(func.count()).select_from(EntityRow).where(EntityRow.schema.in_(schemata))
    return int(session.scalar(query) or 0)


def keys_of_entities(session: Session, ids: Collection[str]) -> dict[str, set[Key]]:
    """The stored keys of each entity."""
    found: dict[str, set[Key]] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        query = select(MatchKeyRow.entity_id, MatchKeyRow.kind, MatchKeyRow.value).where(
            MatchKeyRow.entity_id.in_(wanted[start : start + 500])
        )
        for entity_id, kind, value in session.execute(query):
            found.setdefault(entity_id, set()).add((kind, value))
    return found


def keys_among(
    session: Session, keys: Collection[Key], ids: Collection[str]
) -> dict[str, set[Key]]:
    """Which of ``keys`` each of the entities ``ids`` carries (those carrying none are left out)."""
    wanted = set(keys)
    kinds = sorted({kind for kind, _ in wanted})
    found: dict[str, set[Key]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        query = select(MatchKeyRow.entity_id, MatchKeyRow.kind, MatchKeyRow.value).where(
            MatchKeyRow.entity_id.in_(ordered[start : start + 500]), MatchKeyRow.kind.in_(kinds)
        )
        for entity_id, kind, value in session.execute(query):
            if (kind, value) in wanted:
                found.setdefault(entity_id, set()).add((kind, value))
    return found


def entity_rows(session: Session, ids: Iterable[str]) -> dict[str, EntityRow]:
    """Entities by id, in batches small enough for any database's parameter limit."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, EntityRow] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in session.scalars(select(EntityRow).where(EntityRow.id.in_(chunk))):
            found[row.id] = row
    return found


class Held(NamedTuple):
    """What correlation compares of a held entity: a plain row, not an ORM object."""

    id: str
    schema: str
    properties: dict[str, Any]


def held_entities(session: Session, ids: Iterable[str]) -> dict[str, Held]:
    """Entities' ids, schemata and properties by id, read as columns.

    A full run reads about eleven candidates for each entity it correlates;
    building an ORM object for each (with the columns nothing here reads)
    cost twice what the row itself did.
    """
    wanted = list(dict.fromkeys(ids))
    entities = table(EntityRow)
    query = select(entities.c.id, entities.c.schema, entities.c.properties)
    found: dict[str, Held] = {}
    connection = session.connection()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for entity_id, schema, properties in connection.execute(
            query.where(entities.c.id.in_(chunk))
        ):
            found[entity_id] = Held(entity_id, schema, properties)
    return found


def entity_ids_after(session: Session, after: str | None, limit: int) -> list[str]:
    """Entity ids in order, a page after ``after``: how full re-correlation walks the holdings."""
    query = select(EntityRow.id).order_by(EntityRow.id).limit(limit)
    if after is not None:
        query = query.where(EntityRow.id > after)
    return list(session.scalars(query))


def count_entities(session: Session) -> int:
    """How many entities the node holds."""
    return int(session.scalar(select(func.count()).select_from(EntityRow)) or 0)


# -- hits ---------------------------------------------------------------------


def hits_for_pairs(session: Session, pairs: Collection[tuple[str, str]]) -> dict[Key, HitRow]:
    """The stored hits among ordered pairs (left < right)."""
    lefts = sorted({left for left, _ in pairs})
    found: dict[Key, HitRow] = {}
    for start in range(0, len(lefts), 500):
        query = select(HitRow).where(HitRow.left_id.in_(lefts[start : start + 500]))
        for row in session.scalars(query):
            pair = (row.left_id, row.right_id)
            if pair in pairs:
                found[pair] = row
    return found


def insert_hits(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store new hits."""
    if rows:
        session.execute(insert(table(HitRow)), list(rows))


def get_hit(session: Session, hit_id: str, *, for_update: bool = False) -> HitRow | None:
    """One hit."""
    query = select(HitRow).where(HitRow.id == hit_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def list_hits(
    session: Session,
    visible: ColumnElement[bool],
    state: str | None,
    entity_id: str | None,
    limit: int,
    before: str | None,
) -> list[HitRow]:
    """Hits newest first where ``visible`` holds (a condition on the two sides' ids)."""
    query = select(HitRow).where(visible).order_by(HitRow.id.desc()).limit(limit)
    if state is not None:
        query = query.where(HitRow.state == state)
    if entity_id is not None:
        query = query.where(or_(HitRow.left_id == entity_id, HitRow.right_id == entity_id))
    if before is not None:
        query = query.where(HitRow.id < before)
    return list(session.scalars(query))


def count_hits(session: Session, visible: ColumnElement[bool], state: str | None) -> int:
    """How many hits satisfy ``visible`` (and are in ``state``)."""
    query = select(func.count()).select_from(HitRow).where(visible)
    if state is not None:
        query = query.where(HitRow.state == state)
    return int(session.scalar(query) or 0)


def hits_per_entity(session: Session) -> float:
    """Stored hits per entity held: what correlation costs in storage."""
    entities = count_entities(session)
    hits = int(session.scalar(select(func.count()).select_from(HitRow)) or 0)
    return hits / entities if entities else 0.0


def confirmed_edges(session: Session, ids: Collection[str]) -> list[Key]:
    """The confirmed hits touching any of ``ids``."""
    touching = or_(HitRow.left_id.in_(list(ids)), HitRow.right_id.in_(list(ids)))
    query = select(HitRow.left_id, HitRow.right_id).where(HitRow.state == "confirmed", touching)
    return [(left, right) for left, right in session.execute(query)]


def clusters_of(session: Session, ids: Collection[str]) -> dict[str, str]:
    """The cluster of each entity among ``ids`` that is in one."""
    query = select(ClusterRow.entity_id, ClusterRow.cluster_id).where(
        ClusterRow.entity_id.in_(list(ids))
    )
    return {entity_id: cluster_id for entity_id, cluster_id in session.execute(query)}


def cluster_members(session: Session, cluster_id: str) -> list[str]:
    """Every entity in a cluster."""
    query = select(ClusterRow.entity_id).where(ClusterRow.cluster_id == cluster_id)
    return list(session.scalars(query.order_by(ClusterRow.entity_id)))


def set_clusters(session: Session, members: Mapping[str, str | None]) -> None:
    """Put each entity in its cluster (None: in none)."""
    session.execute(delete(ClusterRow).where(ClusterRow.entity_id.in_(list(members))))
    rows = [{"entity_id": e, "cluster_id": c} for e, c in members.items() if c is not None]
    if rows:
        session.execute(insert(table(ClusterRow)), rows)


# -- watchlists ---------------------------------------------------------------


def watchlists_of(session: Session, user_id: int) -> list[WatchlistRow]:
    """The watchlists a user owns or shares."""
    shared = select(WatchlistMemberRow.watchlist_id).where(WatchlistMemberRow.user_id == user_id)
    query = select(WatchlistRow).where(
        or_(WatchlistRow.owner_id == user_id, WatchlistRow.id.in_(shared))
    )
    return list(session.scalars(query.order_by(WatchlistRow.created_at)))


def members(session: Session, watchlist_ids: Collection[str]) -> dict[str, list[int]]:
    """The members (besides the owner) of each watchlist."""
    query = select(WatchlistMemberRow.watchlist_id, WatchlistMemberRow.user_id).where(
        WatchlistMemberRow.watchlist_id.in_(list(watchlist_ids))
    )
    found: dict[str, list[int]] = {w: [] for w in watchlist_ids}
    for watchlist_id, user_id in session.execute(query):
        found[watchlist_id].append(user_id)
    return found


def set_members(session: Session, watchlist_id: str, user_ids: Collection[int]) -> None:
    """Replace a watchlist's members."""
    session.execute(
        delete(WatchlistMemberRow).where(WatchlistMemberRow.watchlist_id == watchlist_id)
    )
    if user_ids:
        session.execute(
            insert(table(WatchlistMemberRow)),
            [{"watchlist_id": watchlist_id, "user_id": u} for u in sorted(set(user_ids))],
        )


def entries(session: Session, watchlist_ids: Collection[str]) -> list[WatchEntryRow]:
    """The entries of watchlists, oldest first."""
    query = select(WatchEntryRow).where(WatchEntryRow.watchlist_id.in_(list(watchlist_ids)))
    return list(session.scalars(query.order_by(WatchEntryRow.created_at)))


def set_watch_keys(session: Session, keys: Mapping[str, Collection[Key]]) -> None:
    """Make ``keys[entry_id]`` the only keys of each watch entry."""
    session.execute(delete(WatchKeyRow).where(WatchKeyRow.entry_id.in_(list(keys))))
    rows = [
        {"entry_id": entry_id, "kind": kind, "value": value}
        for entry_id, found in keys.items()
        for kind, value in found
    ]
    if rows:
        session.execute(insert(table(WatchKeyRow)), rows)


def entries_with_keys(session: Session, keys: Collection[Key]) -> list[WatchEntryRow]:
    """Watch entries sharing at least one of ``keys``."""
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    if not by_kind:
        return []
    condition = or_(
        *(
            (WatchKeyRow.kind == kind) & WatchKeyRow.value.in_(sorted(values))
            for kind, values in by_kind.items()
        )
    )
    ids = select(WatchKeyRow.entry_id).where(condition)
    return list(session.scalars(select(WatchEntryRow).where(WatchEntryRow.id.in_(ids))))


def entries_on(session: Session, entity_ids: Collection[str]) -> list[WatchEntryRow]:
    """Watch entries that watch one of these entities."""
    query = select(WatchEntryRow).where(WatchEntryRow.entity_id.in_(list(entity_ids)))
    return list(session.scalars(query))


def add_alerts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store alerts."""
    if rows:
        session.execute(insert(table(AlertRow)), list(rows))


def alerted(session: Session, entry_id: str, entity_id: str, report_id: str | None) -> bool:
    """Whether this entry already alerted on this entity for this report (no repeats on retries)."""
    query = select(AlertRow.id).where(
        AlertRow.entry_id == entry_id, AlertRow.entity_id == entity_id
    )
    query = query.where(
        AlertRow.report_id.is_(None) if report_id is None else AlertRow.report_id == report_id
    )
    return session.scalars(query.limit(1)).first() is not None


def keys_of_entries(session: Session, entry_ids: Collection[str]) -> dict[str, set[Key]]:
    """The keys of each watch entry."""
    query = select(WatchKeyRow.entry_id, WatchKeyRow.kind, WatchKeyRow.value).where(
        WatchKeyRow.entry_id.in_(list(entry_ids))
    )
    found: dict[str, set[Key]] = {}
    for entry_id, kind, value in session.execute(query):
        found.setdefault(entry_id, set()).add((kind, value))
    return found


def alerts_after(
    session: Session, watchlist_ids: Collection[str], after: int, limit: int
) -> list[AlertRow]:
    """Alerts of these watchlists with an id above ``after``, oldest first."""
    query = (
        select(AlertRow)
        .where(AlertRow.watchlist_id.in_(list(watchlist_ids)), AlertRow.id > after)
        .order_by(AlertRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def latest_alerts(session: Session, watchlist_ids: Collection[str], limit: int) -> list[AlertRow]:
    """The newest alerts of these watchlists."""
    query = (
        select(AlertRow)
        .where(AlertRow.watchlist_id.in_(list(watchlist_ids)))
        .order_by(AlertRow.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def decide(session: Session, hit_id: str, values: dict[str, Any]) -> None:
    """Record a reviewer's decision on a hit."""
    session.execute(update(HitRow).where(HitRow.id == hit_id).values(**values))
