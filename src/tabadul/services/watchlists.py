"""Watchlists: people, organisations, names and selectors an analyst or a team watches.

A watchlist belongs to its owner and is shared with the members the owner
names; all of them receive its alerts. An entry watches an entity (the
owner must be able to read it), a name (matched across scripts by the name
engine) or a selector (``phone``, ``email``, ``document``… matched exactly
once normalised). Correlation raises an alert the moment a new or changed
record matches an entry, whether recorded here, imported or received from a
partner (see :mod:`tabadul.services.correlation`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal
from tabadul.audit import events as ev
from tabadul.errors import NotFound, PermissionDenied, ValidationFailed
from tabadul.matching.selectors import Selector, SelectorKind
from tabadul.model.accounts import Role
from tabadul.model.ids import new_id
from tabadul.schemas.matching import AlertOut, EntryIn, EntryOut, WatchlistIn, WatchlistOut
from tabadul.services import auditing, correlation, hits
from tabadul.services.node import Node
from tabadul.storage import accounts as account_store
from tabadul.storage import audit_log
from tabadul.storage import matching as store
from tabadul.storage.tables import WatchEntryRow, WatchlistRow
from tabadul.storage.types import utcnow

ENTITY = "entity"
KINDS = (ENTITY, correlation.NAME, *(k.value for k in SelectorKind))
MAX_ALERTS = 200


def list_watchlists(node: Node, actor: Principal) -> list[WatchlistOut]:
    """The watchlists the actor owns or shares, with their entries."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        rows = store.watchlists_of(session, actor.user_id)
        return _outs(session, node, actor, rows)


def get(node: Node, actor: Principal, watchlist_id: str) -> WatchlistOut:
    """One watchlist of the actor's."""
    _require(node, actor, Action.READ)
    with node.db.reading() as session:
        return _outs(session, node, actor, [_mine(session, actor, watchlist_id)])[0]


def create(node: Node, actor: Principal, data: WatchlistIn) -> WatchlistOut:
    """A new watchlist owned by the actor."""
    _require(node, actor, Action.CREATE)
    watchlist_id = new_id()
    with node.db.transaction() as session:
        member_ids = _member_ids(session, node, data.members, actor)
        session.add(
            WatchlistRow(
                id=watchlist_id,
                name=data.name.strip(),
                description=data.description,
                owner_id=actor.user_id,
                created_at=utcnow(),
            )
        )
        session.flush()
        store.set_members(session, watchlist_id, member_ids)
        _changed(session, actor, watchlist_id, "created")
    return get(node, actor, watchlist_id)


def update(node: Node, actor: Principal, watchlist_id: str, data: WatchlistIn) -> WatchlistOut:
    """Rename a watchlist, change its description and members (its owner only)."""
    _require(node, actor, Action.UPDATE)
    with node.db.transaction() as session:
        row = _owned(session, actor, watchlist_id)
        row.name, row.description = data.name.strip(), data.description
        store.set_members(session, watchlist_id, _member_ids(session, node, data.members, actor))
        _changed(session, actor, watchlist_id, "changed")
    return get(node, actor, watchlist_id)


def delete(node: Node, actor: Principal, watchlist_id: str) -> None:
    """Delete a watchlist, its entries and alerts (its owner only)."""
    _require(node, actor, Action.UPDATE)
    with node.db.transaction() as session:
        session.delete(_owned(session, actor, watchlist_id))
        _changed(session, actor, watchlist_id, "deleted")


def add_entry(node: Node, actor: Principal, watchlist_id: str, data: EntryIn) -> EntryOut:
    """Watch an entity, a name or a selector."""
    _require(node, actor, Action.UPDATE)
    kind = data.kind.strip().lower()
    if kind not in KINDS:
        raise ValidationFailed.field("kind", f"one of {', '.join(KINDS)}")
    value = data.value.strip()
    entry_id = new_id()
    with node.db.transaction() as session:
        _mine(session, actor, watchlist_id)
        profile = None
        entity_id = None
        if kind == ENTITY:
            side = hits.sides(session, node, actor, [value]).get(value)
            if side is None or not side.readable:
                raise NotFound(f"no entity {value}")
            row = store.held_entities(session, [value])[value]
            profile = correlation.profile_of(row, node.identity.country)
            entity_id = value
        elif kind != correlation.NAME:
            try:
                value = Selector.parse(f"{kind}:{value}", node.identity.country).value
            except ValueError as exc:
                raise ValidationFailed.field("value", str(exc)) from None
        session.add(
            WatchEntryRow(
                id=entry_id,
                watchlist_id=watchlist_id,
                kind=kind,
                value=value,
                entity_id=entity_id,
                note=data.note,
                created_at=utcnow(),
                created_by=actor.user_id,
            )
        )
        session.flush()
        keys = correlation.watch_keys(kind, value, profile)
        if not keys:
            raise ValidationFailed.field("value", "nothing in it can be matched")
        store.set_watch_keys(session, {entry_id: keys})
        _changed(session, actor, watchlist_id, "entry_added", entry_id)
        entry = session.get_one(WatchEntryRow, entry_id)
        return _entry_out(session, node, actor, entry)


def remove_entry(node: Node, actor: Principal, watchlist_id: str, entry_id: str) -> None:
    """Stop watching something."""
    _require(node, actor, Action.UPDATE)
    with node.db.transaction() as session:
        _mine(session, actor, watchlist_id)
        entry = session.get(WatchEntryRow, entry_id)
        if entry is None or entry.watchlist_id != watchlist_id:
            raise NotFound(f"no entry {entry_id} in this watchlist")
        session.delete(entry)
        _changed(session, actor, watchlist_id, "entry_removed", entry_id)


def alerts(
    node: Node, actor: Principal, *, after: int = 0, limit: int = 50, newest: bool = False
) -> list[AlertOut]:
    """Alerts of the actor's watchlists: after an id (for streams) or the newest."""
    _require(node, actor, Action.READ)
    if not 1 <= limit <= MAX_ALERTS:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_ALERTS}")
    with node.db.reading() as session:
        lists = {w.id: w for w in store.watchlists_of(session, actor.user_id)}
        if not lists:
            return []
        if newest:
            rows = store.latest_alerts(session, list(lists), limit)
        else:
            rows = store.alerts_after(session, list(lists), after, limit)
        seen = hits.sides(session, node, actor, [r.entity_id for r in rows])
        return [
            AlertOut(
                id=r.id,
                watchlist_id=r.watchlist_id,
                watchlist=lists[r.watchlist_id].name,
                entry_id=r.entry_id,
                entity=seen[r.entity_id],
                report_id=r.report_id if seen[r.entity_id].readable else None,
                score=r.score,
                reasons=r.reasons if seen[r.entity_id].readable else [],
                created_at=r.created_at,
            )
            for r in rows
            if r.entity_id in seen
        ]


def _outs(
    session: Session, node: Node, actor: Principal, rows: list[WatchlistRow]
) -> list[WatchlistOut]:
    ids = [r.id for r in rows]
    members = store.members(session, ids)
    names = account_store.usernames(
        session, {r.owner_id for r in rows} | {u for m in members.values() for u in m}
    )
    entries: dict[str, list[EntryOut]] = {i: [] for i in ids}
    for entry in store.entries(session, ids):
        entries[entry.watchlist_id].append(_entry_out(session, node, actor, entry))
    return [
        WatchlistOut(
            id=r.id,
            name=r.name,
            description=r.description,
            owner=names.get(r.owner_id, "?"),
            members=sorted(names.get(u, "?") for u in members[r.id]),
            created_at=r.created_at,
            entries=entries[r.id],
        )
        for r in rows
    ]


def _entry_out(session: Session, node: Node, actor: Principal, entry: WatchEntryRow) -> EntryOut:
    subject = None
    if entry.entity_id is not None:
        subject = hits.sides(session, node, actor, [entry.entity_id]).get(entry.entity_id)
    readable = subject is None or subject.readable
    return EntryOut(
        id=entry.id,
        kind=entry.kind,
        # A member who may not read a watched entity learns neither its id nor its content.
        value=entry.value if readable else "",
        note=entry.note,
        created_at=entry.created_at,
        subject=subject,
    )


def _mine(session: Session, actor: Principal, watchlist_id: str) -> WatchlistRow:
    for row in store.watchlists_of(session, actor.user_id):
        if row.id == watchlist_id:
            return row
    raise NotFound(f"no watchlist {watchlist_id}")


def _owned(session: Session, actor: Principal, watchlist_id: str) -> WatchlistRow:
    row = _mine(session, actor, watchlist_id)
    if row.owner_id != actor.user_id:
        raise PermissionDenied("only the owner of a watchlist may change or delete it")
    return row


def _member_ids(session: Session, node: Node, usernames: list[str], actor: Principal) -> set[int]:
    found: set[int] = set()
    for i, username in enumerate(usernames):
        user = account_store.user_by_name(session, username.strip())
        if user is None or user.disabled:
            raise ValidationFailed.field(f"members.{i}", f"no active user {username!r}")
        if not Role(user.role).reads_intelligence:
            raise ValidationFailed.field(
                f"members.{i}", f"{username} does not work with intelligence"
            )
        if user.id != actor.user_id:
            found.add(user.id)
    return found


def _changed(
    session: Session, actor: Principal, watchlist_id: str, change: str, entry: str | None = None
) -> None:
    audit_log.add(
        session,
        ev.WatchlistChanged(
            actor=auditing.actor_of(actor), watchlist_id=watchlist_id, change=change, entry_id=entry
        ),
    )


def _require(node: Node, actor: Principal, action: Action) -> None:
    if not node.policy.allows_role(actor, action, Kind.ENTITY):
        error = PermissionDenied(f"the {actor.role.value} role may not use watchlists")
        raise auditing.refusal(node, actor, action.value, None, error)
