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
import gc
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from tabadul import names
from tabadul.audit import events as ev
from tabadul.matching.scoring import (
    ORGANISATION,
    PERSON,
    Effect,
    Profile,
    Reason,
    Score,
    compares_names,
    corroborated,
    only_names_could_support,
    score,
)
from tabadul.matching.selectors import Selector, SelectorKind
from tabadul.model.ids import new_id
from tabadul.services.node import Node
from tabadul.storage import audit_log
from tabadul.storage import jobs as queue
from tabadul.storage import matching as store
from tabadul.storage.database import Database
from tabadul.storage.matching import Key
from tabadul.storage.tables import CorrelationRunRow, WatchEntryRow
from tabadul.storage.types import utcnow

CORRELATE_JOB = "matching.correlate"
# A key shared by more entities than this says little ("Mohamed", a switchboard
# number): it is not followed, and the other keys of the entity decide.
MAX_PER_KEY = 200
# A name block with a year of birth shared by more records than this is two common name
# elements and a year ("Mohamed Ahmed", 1985): in a large holding it names dozens of
# people, and the record's other keys (its selectors, a name element with the full date)
# decide. Without this limit the candidates per entity grow with the holdings.
MAX_PER_NAME_YEAR = 30
# A name block shared by more records than this is looked up in vain: the name alone
# cannot single one of them out (see MAX_NAME_ONLY), and the record's selectors and dated
# keys still find the others.
MAX_PER_NAME = 30
# Entities correlated per transaction in a job or a full run.
CHUNK = 500
# A full run's keys pass writes the keys of this many entities per transaction (several
# chunks): each key is an insert into the (kind, value) index at a random place, and a
# commit writes every page it touched, so fewer, larger commits write each page less often.
KEYS_PER_WRITE = 10_000
# Candidates' profiles a full run keeps between chunks (a few kilobytes each); past this
# many, it starts again empty.
KNOWN_PROFILES = 200_000
NAME = "name"
NAME_YEAR = "name+year"
NAME_UNDATED = "name-undated"
NAME_DATE = "name+date"
# How many holders of a key are followed, by kind (MAX_PER_KEY for the other kinds).
LIMITS = {NAME_YEAR: MAX_PER_NAME_YEAR, NAME: MAX_PER_NAME, NAME_UNDATED: MAX_PER_NAME}
# Each name element of a record, counted (never looked up): how common it is among the
# names held decides how much its agreement weighs (:mod:`tabadul.names.rarity`).
ELEMENT = "name-element"
# Counts of elements are kept this long by a process before they are read again.
COUNTS_SECONDS = 600.0
# More name-only matches than this for one record: the name alone singles nobody out.
MAX_NAME_ONLY = 1
# A match on the name alone (no selector, no agreeing date, nationality…) needs this much more.
UNCORROBORATED = 0.1
# Without a shared selector the names themselves must agree this well: a date of birth
# corroborates names that agree, it does not make two different names one.
NAME_AGREES = 0.8


# Kinds of key two records always look each other up by (the same key, stored by both and
# looked up by both): a pair found through one is found from either side. A name block is
# not: a dated record looks up undated namesakes, an undated one every namesake.
MUTUAL = frozenset({NAME_YEAR, NAME_DATE, *(kind.value for kind in SelectorKind)})


# The keys a record's namesakes are looked up by, whatever their dates.
NAME_KINDS = frozenset({NAME, NAME_UNDATED})

# The kinds of key that are a normalised selector.
SELECTOR_KINDS = frozenset(kind.value for kind in SelectorKind)


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
    found.update((ELEMENT, e) for e in _counted(profile))
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
    found = {k for k in held if k[0] not in (NAME, NAME_UNDATED, ELEMENT)}
    blocks = [value for kind, value in held if kind == NAME]
    found.update((NAME_UNDATED if dated else NAME, b) for b in blocks)
    return found


def crowded(held: dict[Key, list[str]]) -> set[Key]:
    """The looked-up keys shared by too many entities to be followed."""
    return {key for key, ids in held.items() if len(ids) > LIMITS.get(key[0], MAX_PER_KEY)}


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


def _counted(profile: Profile) -> set[str]:
    """The element keys a record is counted under (:func:`tabadul.names.rarity.element_key`)."""
    if not profile.named:
        return set()
    return {e for name in profile.names for e in names.element_keys(name)}


class ElementCounts:
    """How many records of the holdings carry each name element, as a :class:`names.Rarity`.

    Counts are read as elements are first asked for, and kept for a window
    of ``COUNTS_SECONDS``: the counts of a large holding move slowly, and
    the very common elements (whose counts are the costly ones to read) are
    asked for by nearly every record. Within a window every call returns the
    same :class:`names.Rarity`, whose counts only grow by elements not
    counted before — so the name comparisons cached under it stay right —
    and a new window starts a new one.
    """

    def __init__(self) -> None:
        self.started = -COUNTS_SECONDS
        self.counts: dict[str, int] = {}
        self.current = names.Rarity(self.counts, 0)
        self.lock = threading.Lock()  # one process may correlate in several threads

    def rarity(self, session: Session, profiles: Iterable[Profile]) -> names.Rarity:
        """The rarity of the elements of these records' names (and of others counted before)."""
        wanted = {e for p in profiles for e in _counted(p)}
        with self.lock:
            now = time.monotonic()
            if now - self.started >= COUNTS_SECONDS:
                self.started = now
                self.counts = {}
                self.current = names.Rarity(
                    self.counts, store.count_schemata(session, PERSON | ORGANISATION)
                )
            new = wanted - self.counts.keys()
            if new:
                cap = names.rarity.counted_up_to(self.current.total)  # where it weighs least
                held = store.count_holders(session, [(ELEMENT, e) for e in new], cap)
                self.counts.update((e, held[(ELEMENT, e)]) for e in new)
            return self.current


_COUNTS: weakref.WeakKeyDictionary[Engine, ElementCounts] = weakref.WeakKeyDictionary()


def rarity(session: Session, profiles: Iterable[Profile]) -> names.Rarity:
    """The rarity of these records' name elements in the holdings of ``session``'s database."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    counts = _COUNTS.get(engine)
    if counts is None:
        counts = _COUNTS[engine] = ElementCounts()
    return counts.rarity(session, profiles)


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


def profile_of(row: store.Held, region: str | None) -> Profile:
    """The profile correlation compares of a stored entity."""
    return Profile.of(row.id, row.schema, row.properties, region)


def candidate_of(row: store.Held) -> Profile:
    """A candidate's profile, without its selectors.

    Parsing a record's phone numbers (``phonenumbers``, ~0.17 ms each) was
    the costliest part of loading a candidate; the selectors a pair shares
    are read from the stored keys instead (:func:`_shared`), which hold them
    already normalised.
    """
    return Profile.of(row.id, row.schema, row.properties, selectors=False)


def _selectors(keys: Iterable[Key]) -> frozenset[Selector]:
    """The selectors among stored keys."""
    return frozenset(Selector(SelectorKind(k), v) for k, v in keys if k in SELECTOR_KINDS)


@dataclass
class Found:
    """What correlating some entities found, before anything is written."""

    profiles: dict[str, Profile]
    blocks: dict[str, set[str]]
    scored: dict[tuple[str, str], Score]
    skipped_keys: int = 0
    ambiguous: int = 0


def correlate(
    session: Session, node: Node, entity_ids: Iterable[str], report_id: str | None = None
) -> Outcome:
    """Correlate entities against the holdings and the watchlists, in ``session``.

    Their keys are computed and stored first (a full run, :func:`correlate_all`,
    stores every entity's keys in a pass of its own and calls :func:`find` and
    :func:`record` itself).
    """
    region = node.identity.country
    rows = store.held_entities(session, entity_ids)
    profiles = {entity_id: profile_of(row, region) for entity_id, row in rows.items()}
    keys = {entity_id: keys_of(p) for entity_id, p in profiles.items()}
    store.replace_keys(session, keys)
    found = find(session, profiles, keys, node.settings.match_threshold)
    return record(session, node, found, report_id)


def find(
    session: Session,
    profiles: dict[str, Profile],
    keys: dict[str, set[Key]],
    threshold: float,
    known: dict[str, Profile] | None = None,
    compared_before: str | None = None,
) -> Found:
    """Score each entity of ``profiles`` (stored under ``keys``) against its candidates.

    ``compared_before``: in a full run, the entities before this id were
    correlated earlier in the same run; a candidate among them found by a key
    both records look each other up by (a selector, a name block with a year
    or a full date) was compared from its side already and is left out.

    Reads only. A pair that nothing but the names supports is kept only when
    neither record matches more than ``MAX_NAME_ONLY`` held record that way,
    nor has a name too common to look up: "Karim Bennani" without a date of
    birth, against two Karim Bennanis, singles nobody out — whichever of the
    three is being correlated.
    """
    cache: dict[str, Profile] = {} if known is None else known
    matches, skipped, common_names = _matches(
        session, profiles, keys, threshold, cache, compared_before
    )
    found = Found(
        profiles=dict(profiles),
        blocks={e: {v for kind, v in keys[e] if kind == NAME} for e in profiles},
        scored={},
        skipped_keys=skipped,
    )
    name_only = {e: [p for p, r in m.items() if _name_only(r)] for e, m in matches.items()}
    # The other side of each name-only pair: how many records does its name alone match?
    # Not asked where this side's name alone matches several already: the pair is
    # dropped whatever the answer (in a large holding, most of the others).
    settled = common_names | {e for e, pairs in name_only.items() if len(pairs) > MAX_NAME_ONLY}
    others = {
        _other(pair, e) for e, pairs in name_only.items() if e not in settled for pair in pairs
    } - set(profiles)
    if others:
        # Each is a candidate of the entities above, so its profile is in the cache (a
        # full run may have emptied it since).
        other_profiles = {e: cache[e] for e in others if e in cache}
        rows = store.held_entities(session, others - other_profiles.keys())
        other_profiles.update((e, candidate_of(row)) for e, row in rows.items())
        more, _, more_common = _matches(
            session, other_profiles, _stored_keys(session, other_profiles), threshold, cache
        )
        common_names |= more_common
        name_only.update((e, [p for p, r in m.items() if _name_only(r)]) for e, m in more.items())
    ambiguous = common_names | {e for e, pairs in name_only.items() if len(pairs) > MAX_NAME_ONLY}
    found.ambiguous = len(ambiguous & set(profiles))
    for matched in matches.values():
        for pair, result in matched.items():
            if not (_name_only(result) and ambiguous.intersection(pair)):
                found.scored[pair] = result
    return found


def _stored_keys(session: Session, profiles: Collection[str]) -> dict[str, set[Key]]:
    """The keys stored for each of these entities (none for an entity without keys)."""
    stored = store.keys_of_entities(session, list(profiles))
    return {entity_id: stored.get(entity_id, set()) for entity_id in profiles}


def _other(pair: tuple[str, str], entity_id: str) -> str:
    return pair[1] if pair[0] == entity_id else pair[0]


def _matches(
    session: Session,
    profiles: dict[str, Profile],
    keys: dict[str, set[Key]],
    threshold: float,
    known: dict[str, Profile],
    compared_before: str | None = None,
) -> tuple[dict[str, dict[tuple[str, str], Score]], int, set[str]]:
    """Each entity's candidates worth a hit, before ambiguity; the crowded keys skipped; and
    the entities whose name is too common to look up (their name alone singles nobody out).

    ``known`` holds candidates' profiles from earlier calls (each entity is a
    candidate of several others in a full run); candidates found there are
    neither loaded nor parsed again, and new ones are added.
    """
    lookups = {e: lookups_of(profiles[e], keys[e]) for e in profiles}
    held = store.entity_ids_with(
        session,
        {k for wanted in lookups.values() for k in wanted},
        MAX_PER_KEY + 1,
        {kind: limit + 1 for kind, limit in LIMITS.items()},
    )
    common = crowded(held)
    common_names = {
        e for e, wanted in lookups.items() if any(k[0] in NAME_KINDS for k in wanted & common)
    }
    skipped = 0
    candidates: dict[str, set[str]] = {}
    for entity_id, wanted in lookups.items():
        near = {
            c
            for key in wanted - common
            for c in held[key]
            if compared_before is None or c >= compared_before or key[0] not in MUTUAL
        }
        skipped += len(wanted & common)
        near.discard(entity_id)
        candidates[entity_id] = near
    everyone = dict(profiles)
    wanted_others = {c for near in candidates.values() for c in near} - set(profiles)
    everyone.update((c, known[c]) for c in wanted_others if c in known)
    for other_id, row in store.held_entities(session, wanted_others - set(known)).items():
        everyone[other_id] = candidate_of(row)
    if len(known) > KNOWN_PROFILES:
        known.clear()
    known.update(everyone)

    shared = _shared(session, keys, lookups, held, common, candidates)
    pairs = {
        entity_id: [(min(entity_id, c), max(entity_id, c)) for c in near if c in everyone]
        for entity_id, near in candidates.items()
    }
    # The names that will be compared (not those of pairs the dates or gender rule out
    # first): how common their elements are in the holdings.
    compared = {
        e
        for found in pairs.values()
        for pair in found
        if compares_names(
            everyone[pair[0]], everyone[pair[1]], threshold, shared.get(pair, frozenset())
        )
        for e in pair
    }
    weights = rarity(session, (everyone[e] for e in compared))
    scored: dict[tuple[str, str], Score] = {}
    matches: dict[str, dict[tuple[str, str], Score]] = {}
    for entity_id, found in pairs.items():
        matched = matches.setdefault(entity_id, {})
        # Once this record's name alone matches several (or is too common to look up),
        # a pair only its names could support is dropped whatever they say: not compared.
        alone = MAX_NAME_ONLY + 1 if entity_id in common_names else 0
        for pair in found:
            result = scored.get(pair)
            a, b, both = everyone[pair[0]], everyone[pair[1]], shared.get(pair, frozenset())
            if result is None:
                if alone > MAX_NAME_ONLY and only_names_could_support(a, b, both):
                    continue
                result = scored[pair] = score(a, b, threshold, weights, both)
            if _worth_a_hit(result, threshold):
                matched[pair] = result
                alone += _name_only(result)
    return matches, skipped, common_names


def _shared(
    session: Session,
    keys: dict[str, set[Key]],
    lookups: dict[str, set[Key]],
    held: dict[Key, list[str]],
    common: set[Key],
    candidates: dict[str, set[str]],
) -> dict[tuple[str, str], frozenset[Selector]]:
    """The selectors each entity shares with each of its candidates, from the stored keys.

    Every selector of an entity is one of its lookups, so a candidate carrying
    it was read among the key's holders — unless the key is shared by too many
    to be followed (a switchboard number): whether a candidate carries one of
    those is asked of the stored keys. Two entities correlated together
    compare their own keys.
    """
    found: dict[tuple[str, str], set[Key]] = {}
    crowded_by: dict[str, set[Key]] = {}
    for entity_id, wanted in lookups.items():
        near = candidates[entity_id]
        for key in wanted:
            if key[0] not in SELECTOR_KINDS:
                continue
            if key in common:
                crowded_by[entity_id] = crowded_by.get(entity_id, set()) | {key}
                continue
            for c in held[key]:
                if c in near and c not in keys:
                    found.setdefault((min(entity_id, c), max(entity_id, c)), set()).add(key)
        for c in near & keys.keys():
            both = {k for k in keys[entity_id] & keys[c] if k[0] in SELECTOR_KINDS}
            if both:
                found[(min(entity_id, c), max(entity_id, c))] = both
    if crowded_by:
        wanted_ids = {c for e in crowded_by for c in candidates[e] if c not in keys}
        carried = store.keys_among(
            session, {k for ks in crowded_by.values() for k in ks}, wanted_ids
        )
        for entity_id, crowded_keys in crowded_by.items():
            for c in candidates[entity_id] - keys.keys():
                both = crowded_keys & carried.get(c, set())
                if both:
                    found.setdefault((min(entity_id, c), max(entity_id, c)), set()).update(both)
    return {pair: _selectors(found_keys) for pair, found_keys in found.items()}


def record(session: Session, node: Node, found: Found, report_id: str | None = None) -> Outcome:
    """Store what :func:`find` found: new hits, fresher evidence on open ones, watch alerts."""
    outcome = Outcome(
        entities=len(found.blocks), skipped_keys=found.skipped_keys, ambiguous=found.ambiguous
    )
    _store_hits(session, found.scored, outcome)
    _watch(session, node, dict(found.profiles), found.blocks, report_id, outcome)
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
    watched_rows = store.held_entities(
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

    Two phases over the entities in id order: first every entity's keys, then
    each entity against its candidates. The reading and computing of each
    chunk (the name engine's and the scorer's work) runs in ``processes``
    worker processes, a few chunks ahead; this process writes the results in
    id order, each chunk's (in the keys pass, ``KEYS_PER_WRITE`` entities')
    with the run's cursor in one transaction, so an interruption loses at
    most the chunks under way. ``stop_after`` (chunks) is how tests
    interrupt a run.
    """
    with node.db.transaction() as session:
        run_id = _current_run(session, restart).id
    settings = (node.db.url, node.identity.country, node.settings.match_threshold)
    if processes <= 1:
        return _run(
            node,
            run_id,
            chunk,
            _Ahead(node, chunk, _ChunkWork(node.db, *settings[1:])),
            on_progress,
            stop_after,
        )
    pool = ProcessPoolExecutor(processes, initializer=_start_worker, initargs=settings)
    try:
        ahead = _Ahead(node, chunk, pool=pool, depth=2 * processes)
        return _run(node, run_id, chunk, ahead, on_progress, stop_after)
    finally:
        pool.shutdown(cancel_futures=True)


def _run(
    node: Node,
    run_id: int,
    chunk: int,
    ahead: _Ahead,
    on_progress: Callable[[Progress], None] | None,
    stop_after: int | None,
) -> Progress:
    hits = 0
    chunks = 0
    while True:
        with node.db.transaction() as session:
            run = session.get_one(CorrelationRunRow, run_id)
            phase, cursor = run.phase, run.cursor
            if phase == "keys" and cursor is None and store.no_keys(session):
                # A first run: its keys are written without the lookup index, which is
                # built once at the end of the pass (a third of the pass at a million).
                store.drop_lookup_index(session)
            elif phase != "keys":
                store.ensure_lookup_index(session)  # a first run interrupted, then resumed
        per_write = max(1, KEYS_PER_WRITE // chunk) if phase == "keys" else 1
        left = None if stop_after is None else stop_after - chunks
        # The workers go on with the chunks after a group while this process writes it.
        chunks_ahead = ahead.chunks(phase, cursor, per_write - 1)
        for done in _batched(chunks_ahead, per_write, left):
            with node.db.transaction() as session:
                run = session.get_one(CorrelationRunRow, run_id)
                for _, result in done:
                    if phase == "keys":
                        store.replace_keys(session, result)
                    else:
                        hits += len(record(session, node, result).hits_raised)
                entities = sum(len(ids) for ids, _ in done)
                run.cursor, run.done, run.updated_at = (
                    done[-1][0][-1],
                    run.done + entities,
                    utcnow(),
                )
                progress = Progress(run_id, phase, run.done, run.total, hits)
            if on_progress is not None:
                on_progress(progress)
            chunks += len(done)
            if stop_after is not None and chunks >= stop_after:
                return progress
        with node.db.transaction() as session:
            run = session.get_one(CorrelationRunRow, run_id)
            if phase == "keys":
                store.ensure_lookup_index(session)
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
    if on_progress is not None:
        on_progress(progress)
    return progress


def _batched(
    chunks: Iterator[tuple[list[str], Any]], size: int, limit: int | None
) -> Iterator[list[tuple[list[str], Any]]]:
    """The chunks in groups of ``size`` to write together, ``limit`` chunks at most."""
    group: list[tuple[list[str], Any]] = []
    for item in chunks:
        group.append(item)
        if limit is not None:
            limit -= 1
        if len(group) == size or limit == 0:
            yield group
            group = []
        if limit == 0:
            return
    if group:
        yield group


class _ChunkWork:
    """A full run's reading and computing of one chunk: in a worker process, or inline.

    Only reads; what it returns is written by the run's own process.
    """

    def __init__(self, db: Database, region: str | None, threshold: float) -> None:
        self.db = db
        self.region = region
        self.threshold = threshold
        self.known: dict[str, Profile] = {}  # candidates' profiles, kept between chunks

    def keys(self, ids: list[str]) -> dict[str, set[Key]]:
        with self.db.reading() as session:
            rows = store.held_entities(session, ids)
        return {e: keys_of(profile_of(row, self.region)) for e, row in rows.items()}

    def pairs(self, ids: list[str]) -> Found:
        with self.db.reading() as session:
            rows = store.held_entities(session, ids)
            profiles = {e: profile_of(row, self.region) for e, row in rows.items()}
            keys = _stored_keys(session, profiles)
            return find(session, profiles, keys, self.threshold, self.known, min(ids))


_WORK: _ChunkWork | None = None  # a worker process's own


def _start_worker(url: str, region: str | None, threshold: float) -> None:
    global _WORK
    _WORK = _ChunkWork(Database(url, pool_size=1), region, threshold)
    # A worker's heap is mostly caches of millions of small objects (parsed names,
    # candidates' profiles, element similarities) that churn as the run moves on. The
    # cyclic collector, left to itself, rescans all of them whenever a quarter has
    # changed: a third of a worker's time at a million entities. Here it runs once a
    # chunk instead, over what that chunk made (see _in_worker).
    gc.disable()


def _in_worker(phase: str, ids: list[str]) -> Any:
    assert _WORK is not None, "a worker process starts with _start_worker"
    try:
        return getattr(_WORK, phase)(ids)
    finally:
        gc.collect()  # the chunk's reference cycles: nothing it made outlives the run as garbage
        gc.freeze()  # what survived (the caches) is not scanned again; freed by reference counts


class _Ahead:
    """The chunks of a phase after a cursor, each with its work done, in id order.

    With a pool, up to ``depth`` chunks are under way in the worker processes
    while the caller writes the results of the one before.
    """

    def __init__(
        self,
        node: Node,
        chunk: int,
        work: _ChunkWork | None = None,
        *,
        pool: ProcessPoolExecutor | None = None,
        depth: int = 1,
    ) -> None:
        self.node, self.chunk, self.work, self.pool, self.depth = node, chunk, work, pool, depth

    def chunks(
        self, phase: str, cursor: str | None, more: int = 0
    ) -> Iterator[tuple[list[str], Any]]:
        """The chunks after ``cursor``; ``more`` under way beyond ``depth`` (for grouped writes)."""
        after = cursor

        def next_ids() -> list[str]:
            nonlocal after
            with self.node.db.reading() as session:
                ids = store.entity_ids_after(session, after, self.chunk)
            after = ids[-1] if ids else after
            return ids

        if self.pool is None:
            assert self.work is not None
            while ids := next_ids():
                yield ids, getattr(self.work, phase)(ids)
            return
        pending: deque[tuple[list[str], Future[Any]]] = deque()
        while True:
            while len(pending) < self.depth + more and (ids := next_ids()):
                pending.append((ids, self.pool.submit(_in_worker, phase, ids)))
            if not pending:
                return
            ids, future = pending.popleft()
            yield ids, future.result()


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


def _worth_a_hit(result: Score, threshold: float) -> bool:
    """Whether a scored pair is kept as a hit ("Which matches become hits", correlation.md)."""
    if result.shared:
        return result.value >= threshold
    names_agree = any(r.kind == NAME and r.weight >= NAME_AGREES for r in result.reasons)
    bar = threshold + (UNCORROBORATED if _name_only(result) else 0.0)
    return names_agree and result.value >= bar


def _name_only(result: Score) -> bool:
    """Whether nothing but the name supports a match (``scoring.corroborated``: a shared
    nationality or birth year corroborates nothing, and a contradiction can outweigh a date)."""
    return not corroborated(result.reasons)
