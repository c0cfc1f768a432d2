"""Correlation: every new or changed entity against the holdings and the watchlists.

For each entity the job computes its keys (the name engine's blocking keys for
every name, and every normalised selector), stores them, reads the entities
that share a key, scores each candidate with reasons, and keeps a hit only
when the score reaches the node's threshold — one row per pair, whatever
raises it again, so storage grows with what is worth a human's look, not
with the number of pairs. Watch entries are found by the same keys.

It runs in the job queue (``matching.correlate``, enqueued in the transaction
that records, imports or receives the entity) and, for the whole holdings,
from ``tabadul correlate --all``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tabadul import names
from tabadul.audit import events as ev
from tabadul.matching.scoring import Effect, Profile, Reason, Score, score
from tabadul.matching.selectors import Selector
from tabadul.model.ids import new_id
from tabadul.services.node import Node
from tabadul.storage import audit_log
from tabadul.storage import jobs as queue
from tabadul.storage import matching as store
from tabadul.storage.matching import Key
from tabadul.storage.tables import CorrelationRunRow, EntityRow, WatchEntryRow
from tabadul.storage.types import utcnow

CORRELATE_JOB = "matching.correlate"
# A key shared by more entities than this says little ("Mohamed", a switchboard
# number): it is not followed, and the other keys of the entity decide.
MAX_PER_KEY = 200
# Entities correlated per transaction in a job or a full run.
CHUNK = 500
# Candidates' profiles a full run keeps between chunks (a few kilobytes each); past this
# many, it starts again empty.
KNOWN_PROFILES = 200_000
NAME = "name"
NAME_YEAR = "name+year"
NAME_UNDATED = "name-undated"
NAME_DATE = "name+date"
# More name-only matches than this for one record: the name alone singles nobody out.
MAX_NAME_ONLY = 5
# A match on the name alone (no selector, no agreeing date, nationality…) needs this much more.
UNCORROBORATED = 0.1


class HitState:
    """Review states of a hit."""

    NEW = "new"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNSURE = "unsure"
    ALL = (NEW, CONFIRMED, REJECTED, UNSURE)
    OPEN = (NEW, UNSURE)


@dataclass
class Outcome:
    """What one correlation pass did."""

    entities: int = 0
    hits_raised: list[str] = field(default_factory=list)
    hits_updated: int = 0
    alerts: int = 0
    skipped_keys: int = 0
    ambiguous: int = 0


def enqueue(session: Session, entity_ids: Collection[str], report_id: str | None = None) -> None:
    """Ask the worker to correlate these entities (in the caller's transaction)."""
    ids = sorted(set(entity_ids))
    for start in range(0, len(ids), CHUNK * 4):
        payload: dict[str, Any] = {"entities": ids[start : start + CHUNK * 4]}
        if report_id is not None:
            payload["report"] = report_id
        queue.enqueue(session, CORRELATE_JOB, payload, max_attempts=5)


def run_job(session: Session, node: Node, payload: dict[str, Any]) -> Outcome:
    """The handler of ``matching.correlate``."""
    return correlate(session, node, payload.get("entities", []), payload.get("report"))


def keys_of(profile: Profile) -> set[Key]:
    """The keys an entity is stored under: its selectors and its name blocks.

    Name blocks (pairs of name elements, :func:`name_blocks`) are stored
    plainly (``name``), with each known year of birth (``name+year``) or as
    undated (``name-undated``); and each single name element with each full
    date of birth (``name+date``), which still finds a record when one element
    is spelt beyond what the name engine's keys bridge.
    """
    found: set[Key] = {(s.kind.value, s.value) for s in profile.selectors}
    blocks = _blocks(profile)
    years = _years(profile)
    found.update((NAME, b) for b in blocks)
    if years:
        found.update((NAME_YEAR, f"{b}|{y}") for b in blocks for y in years)
    else:
        found.update((NAME_UNDATED, b) for b in blocks)
    dates = [d for d in profile.birth_dates if len(d) == 10]
    if dates and profile.named:
        elements = {e for name in profile.names for e in name_elements(name)}
        found.update((NAME_DATE, f"{e}|{d}") for e in elements for d in dates)
    return found


def lookups_of(profile: Profile, keys: Collection[Key] | None = None) -> set[Key]:
    """The keys an entity's candidates are looked up by (from its stored keys).

    With a year of birth: namesakes born that year, namesakes of unknown
    birth, and anyone sharing a name element and the full date — not the
    thousands born in other years, whom the date contradicts. Without one:
    every namesake (a very common name then says too little, and the per-key
    limit leaves it out).
    """
    held = keys_of(profile) if keys is None else keys
    dated = bool(_years(profile))
    found = {k for k in held if k[0] not in (NAME, NAME_UNDATED)}
    blocks = [value for kind, value in held if kind == NAME]
    found.update((NAME_UNDATED if dated else NAME, b) for b in blocks)
    return found


def probe_keys(profile: Profile, blocks: Collection[str] | None = None) -> set[Key]:
    """The keys watch entries are found by: selectors and plain name blocks."""
    found: set[Key] = {(s.kind.value, s.value) for s in profile.selectors}
    found.update((NAME, b) for b in (_blocks(profile) if blocks is None else blocks))
    return found


def _blocks(profile: Profile) -> set[str]:
    """The name blocks of a profile (the costly part of its keys: the name engine runs)."""
    if not profile.named:
        return set()
    return {b for name in profile.names for b in name_blocks(name)}


def _years(profile: Profile) -> set[str]:
    return {d[:4] for d in profile.birth_dates if d[:4].isdigit()}


@functools.lru_cache(maxsize=200_000)
def name_elements(name: str) -> frozenset[str]:
    """The name engine's blocking keys of a name: one or two per element."""
    return frozenset(names.keys(name))


@functools.lru_cache(maxsize=200_000)
def name_blocks(name: str) -> frozenset[str]:
    """Blocks of a name: each pair of the name engine's keys ("trk+sd"), or the one key.

    A single name element ("Mohamed", "Saidi") is shared by tens of thousands
    of people in a large holding; two of them together are a useful block, and
    a name with one element in common and nothing else is not a match anyway.
    """
    found = sorted(name_elements(name))
    if len(found) < 2:
        return frozenset(found)
    return frozenset(f"{a}+{b}" for i, a in enumerate(found) for b in found[i + 1 :])


def profile_of(row: EntityRow, region: str | None) -> Profile:
    """The profile correlation compares of a stored entity."""
    return Profile.of(row.id, row.schema, row.properties, region)


def correlate(
    session: Session,
    node: Node,
    entity_ids: Iterable[str],
    report_id: str | None = None,
    *,
    store_keys: bool = True,
    known: dict[str, Profile] | None = None,
) -> Outcome:
    """Correlate entities against the holdings and the watchlists, in ``session``.

    A record whose name alone matches more than ``MAX_NAME_ONLY`` held records
    (and nothing else corroborates any of them) raises none of them: "Mohamed
    Alaoui" without a date of birth singles nobody out.

    ``known`` holds candidates' profiles from earlier calls of the same full
    run (each entity is a candidate of several others); candidates found there
    are neither loaded nor parsed again, and new ones are added.
    """
    region = node.identity.country
    threshold = node.settings.match_threshold
    rows = store.entity_rows(session, entity_ids)
    profiles = {entity_id: profile_of(row, region) for entity_id, row in rows.items()}
    if store_keys:
        keys = {entity_id: keys_of(p) for entity_id, p in profiles.items()}
        store.replace_keys(session, keys)
    else:  # a full run stored every entity's keys in its first phase
        stored = store.keys_of_entities(session, list(profiles))
        keys = {entity_id: stored.get(entity_id, set()) for entity_id in profiles}
    blocks = {e: {v for kind, v in found if kind == NAME} for e, found in keys.items()}
    outcome = Outcome(entities=len(profiles))

    lookups = {e: lookups_of(profile, keys[e]) for e, profile in profiles.items()}
    held = store.entity_ids_with(
        session, {k for found in lookups.values() for k in found}, MAX_PER_KEY + 1
    )
    common = {key for key, ids in held.items() if len(ids) > MAX_PER_KEY}
    candidates: dict[str, set[str]] = {}
    for entity_id, wanted in lookups.items():
        near = {c for key in wanted - common for c in held[key]}
        outcome.skipped_keys += len(wanted & common)
        near.discard(entity_id)
        candidates[entity_id] = near
    wanted_others = {c for near in candidates.values() for c in near} - set(rows)
    if known is not None:
        profiles.update((c, known[c]) for c in wanted_others if c in known)
        wanted_others -= set(known)
    for other_id, row in store.entity_rows(session, wanted_others).items():
        profiles[other_id] = profile_of(row, region)
    if known is not None:
        if len(known) > KNOWN_PROFILES:
            known.clear()
        known.update(profiles)

    scored: dict[tuple[str, str], Score] = {}
    for entity_id, near in candidates.items():
        found: dict[tuple[str, str], Score] = {}
        for other_id in near:
            if other_id not in profiles:
                continue
            pair = (min(entity_id, other_id), max(entity_id, other_id))
            result = scored.get(pair) or score(profiles[pair[0]], profiles[pair[1]], threshold)
            if result.value >= threshold + (UNCORROBORATED if _name_only(result) else 0.0):
                found[pair] = result
        name_only = [pair for pair, result in found.items() if _name_only(result)]
        if len(name_only) > MAX_NAME_ONLY:
            outcome.ambiguous += 1
            for pair in name_only:
                del found[pair]
        scored.update(found)
    _store_hits(session, scored, outcome)
    _watch(session, node, profiles, blocks, report_id, outcome)
    return outcome


def _store_hits(session: Session, scored: dict[tuple[str, str], Score], outcome: Outcome) -> None:
    if not scored:
        return
    now = utcnow()
    existing = store.hits_for_pairs(session, set(scored))
    new_rows: list[dict[str, Any]] = []
    events: list[ev.Event] = []
    for (left, right), result in sorted(scored.items()):
        hit = existing.get((left, right))
        if hit is None:
            hit_id = new_id()
            new_rows.append(
                {
                    "id": hit_id,
                    "left_id": left,
                    "right_id": right,
                    "score": round(result.value, 4),
                    "reasons": result.explanation(),
                    "state": HitState.NEW,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            events.append(
                ev.RecordsMatched(
                    actor=ev.SYSTEM, hit_id=hit_id, left=left, right=right, score=result.value
                )
            )
            outcome.hits_raised.append(hit_id)
        elif hit.state in HitState.OPEN and (
            abs(hit.score - result.value) > 1e-4 or hit.reasons != result.explanation()
        ):
            # Still waiting for a person: show the latest evidence. Decided pairs stay
            # as decided — a rejected pair is never raised again.
            store.decide(
                session,
                hit.id,
                {
                    "score": round(result.value, 4),
                    "reasons": result.explanation(),
                    "updated_at": now,
                },
            )
            outcome.hits_updated += 1
    store.insert_hits(session, new_rows)
    audit_log.add(session, *events)


def _watch(
    session: Session,
    node: Node,
    profiles: dict[str, Profile],
    blocks: dict[str, set[str]],
    report_id: str | None,
    outcome: Outcome,
) -> None:
    """Raise alerts for watch entries that match, and keep watched entities' keys current."""
    probes = {e: probe_keys(profiles[e], found) for e, found in blocks.items()}
    watched = store.entries_on(session, set(blocks))
    if watched:
        store.set_watch_keys(session, {e.id: probes[e.entity_id or ""] for e in watched})
    all_keys = {k for found in probes.values() for k in found}
    entries = {e.id: e for e in store.entries_with_keys(session, all_keys)}
    entries.update({e.id: e for e in watched})
    if not entries:
        return
    entry_keys = store.keys_of_entries(session, list(entries))
    watched_rows = store.entity_rows(
        session, {e.entity_id for e in entries.values() if e.entity_id} - set(profiles)
    )
    region = node.identity.country
    for entity_id, row in watched_rows.items():
        profiles[entity_id] = profile_of(row, region)
    now = utcnow()
    alerts: list[dict[str, Any]] = []
    events: list[ev.Event] = []
    for entity_id, found in sorted(probes.items()):
        for entry in entries.values():
            if entry.entity_id != entity_id and not (entry_keys.get(entry.id, set()) & found):
                continue
            result = _entry_score(entry, profiles[entity_id], profiles, node)
            if result is None:
                continue
            if store.alerted(session, entry.id, entity_id, report_id):
                continue
            alerts.append(
                {
                    "watchlist_id": entry.watchlist_id,
                    "entry_id": entry.id,
                    "entity_id": entity_id,
                    "report_id": report_id,
                    "score": round(result.value, 4),
                    "reasons": result.explanation(),
                    "created_at": now,
                }
            )
            events.append(
                ev.WatchAlerted(
                    actor=ev.SYSTEM,
                    watchlist_id=entry.watchlist_id,
                    entry_id=entry.id,
                    entity_id=entity_id,
                    report_id=report_id,
                )
            )
    store.add_alerts(session, alerts)
    audit_log.add(session, *events)
    outcome.alerts += len(alerts)


def _entry_score(
    entry: WatchEntryRow, profile: Profile, profiles: dict[str, Profile], node: Node
) -> Score | None:
    """How a correlated entity matches a watch entry, or None when it does not."""
    if entry.entity_id is not None:
        if entry.entity_id == profile.id:
            reason = Reason("watched", Effect.SUPPORTS, "the watched record itself was recorded")
            return Score(1.0, (reason,))
        watched = profiles.get(entry.entity_id)
        if watched is None:
            return None
        result = score(watched, profile)
    elif entry.kind == NAME:
        target = Profile(entry.id, profile.schema, names=(entry.value,))
        result = score(target, profile) if profile.named else Score(0.0)
    else:
        selector = Selector.parse(f"{entry.kind}:{entry.value}")
        if selector not in profile.selectors:
            return None
        reason = Reason("selector", Effect.SUPPORTS, f"carries the watched {selector}", 1.0)
        return Score(1.0, (reason,), frozenset({selector}))
    return result if result.value >= node.settings.match_threshold else None


def watch_keys(entry_kind: str, value: str, profile: Profile | None) -> set[Key]:
    """The keys a new watch entry is found by."""
    if profile is not None:
        return probe_keys(profile)
    if entry_kind == NAME:
        return {(NAME, k) for k in name_blocks(value)}
    return {(entry_kind, value)}


# -- full re-correlation ------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where a full run stands."""

    run_id: int
    phase: str
    done: int
    total: int
    hits: int


def correlate_all(
    node: Node,
    *,
    restart: bool = False,
    chunk: int = CHUNK,
    on_progress: Callable[[Progress], None] | None = None,
    stop_after: int | None = None,
    processes: int = 1,
) -> Progress:
    """Re-correlate the whole holdings; resumes an interrupted run unless ``restart``.

    Two phases over the entities in id order: first every entity's keys (the
    name engine's work, spread over ``processes``), then each entity against
    its candidates. Each chunk commits with the run's cursor, so an
    interruption loses at most one chunk's work. ``stop_after`` (chunks) is how
    tests interrupt a run.
    """
    with node.db.transaction() as session:
        run = _current_run(session, restart)
        run_id = run.id
    pool = ProcessPoolExecutor(processes) if processes > 1 else None
    try:
        progress = _run(node, run_id, chunk, (pool, processes), on_progress, stop_after)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return progress


def _run(
    node: Node,
    run_id: int,
    chunk: int,
    pool: tuple[ProcessPoolExecutor | None, int],
    on_progress: Callable[[Progress], None] | None,
    stop_after: int | None,
) -> Progress:
    hits = 0
    chunks = 0
    known: dict[str, Profile] = {}
    while True:
        with node.db.transaction() as session:
            run = session.get_one(CorrelationRunRow, run_id)
            ids = store.entity_ids_after(session, run.cursor, chunk)
            if not ids:
                if run.phase == "keys":
                    run.phase, run.cursor, run.done = "pairs", None, 0
                    continue
                run.finished_at = utcnow()
                audit_log.add(
                    session,
                    ev.CorrelationRun(
                        actor=ev.Actor("operator", "tabadul correlate"),
                        run_id=run_id,
                        entities=run.total,
                        hits=hits,
                        finished=True,
                    ),
                )
                progress = Progress(run_id, "finished", run.done, run.total, hits)
                break
            if run.phase == "keys":
                rows = store.entity_rows(session, ids)
                items = [(r.id, r.schema, r.properties) for r in rows.values()]
                store.replace_keys(session, _keys_in_parallel(pool, items, node.identity.country))
            else:
                outcome = correlate(session, node, ids, store_keys=False, known=known)
                hits += len(outcome.hits_raised)
            run.cursor, run.done, run.updated_at = ids[-1], run.done + len(ids), utcnow()
            progress = Progress(run_id, run.phase, run.done, run.total, hits)
        if on_progress is not None:
            on_progress(progress)
        chunks += 1
        if stop_after is not None and chunks >= stop_after:
            break
    if on_progress is not None:
        on_progress(progress)
    return progress


def _current_run(session: Session, restart: bool) -> CorrelationRunRow:
    now = utcnow()
    unfinished = session.scalars(
        select(CorrelationRunRow)
        .where(CorrelationRunRow.finished_at.is_(None))
        .order_by(CorrelationRunRow.id.desc())
    ).first()
    if unfinished is not None and not restart:
        return unfinished
    if unfinished is not None:
        session.execute(
            update(CorrelationRunRow)
            .where(CorrelationRunRow.finished_at.is_(None))
            .values(finished_at=now)
        )
    run = CorrelationRunRow(
        started_at=now,
        updated_at=now,
        phase="keys",
        cursor=None,
        done=0,
        total=store.count_entities(session),
    )
    session.add(run)
    session.flush()
    return run


def _name_only(result: Score) -> bool:
    """Whether nothing but the name supports a match (a shared nationality corroborates nothing)."""
    return not any(
        r.effect is Effect.SUPPORTS and r.kind not in (NAME, "nationality") for r in result.reasons
    )


def _keys_in_parallel(
    pool: tuple[ProcessPoolExecutor | None, int],
    items: list[tuple[str, str, dict[str, Any]]],
    region: str | None,
) -> dict[str, set[Key]]:
    """The keys of many entities, computed in the pool's processes when there is one."""
    executor, workers = pool
    if executor is None or len(items) < 50:
        return _keys_of_items(items, region)
    slices = [items[i::workers] for i in range(workers)]
    found: dict[str, set[Key]] = {}
    for part in executor.map(_keys_of_items, slices, [region] * len(slices)):
        found.update(part)
    return found


def _keys_of_items(
    items: list[tuple[str, str, dict[str, Any]]], region: str | None
) -> dict[str, set[Key]]:
    return {
        entity_id: keys_of(Profile.of(entity_id, schema, properties, region))
        for entity_id, schema, properties in items
    }
