"""Hits: reading them within need-to-know, and the human decision on each.

Whether a hit can be seen is decided when it is read, side by side: a reader
who may read both records sees both; one who may read only one sees that a
record they cannot read matches, its classification and whom to ask; one who
may read neither does not see the hit at all (not even in a count).

A confirmed hit joins its two entities in a "same as" cluster; the entities
themselves stay as they were recorded. Taking a confirmation back splits the
cluster again. Every decision is audited as a combination.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.audit import events as ev
from tabadul.errors import NotFound, PermissionDenied, TabadulError, ValidationFailed
from tabadul.model.ids import new_id
from tabadul.model.protection import Protection
from tabadul.schemas.matching import HitOut, HitPage, Side
from tabadul.services import auditing
from tabadul.services.correlation import HitState
from tabadul.services.node import Node
from tabadul.storage import accounts as account_store
from tabadul.storage import audit_log, protection
from tabadul.storage import matching as store
from tabadul.storage.tables import EntityRow, HitRow
from tabadul.storage.types import utcnow

MAX_PAGE = 200
# Whom to ask about a record one may not read, when nobody recorded it by hand.
NODE_CONTACT = "the node's supervisors"


def list_hits(
    node: Node,
    actor: Principal,
    *,
    state: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
    before: str | None = None,
    purpose: str | None = None,
) -> HitPage:
    """Hits newest first that the actor may see (at least one side readable)."""
    _require(node, actor, Action.READ)
    stated = auditing.purpose_of(purpose)
    if state is not None and state not in HitState.ALL:
        raise ValidationFailed.field("state", f"one of {', '.join(HitState.ALL)}")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_PAGE}")
    visible = visible_hits(node, actor)
    with node.db.reading() as session:
        rows = store.list_hits(session, visible, state, entity_id, limit + 1, before)
        total = store.count_hits(session, visible, state)
        items = _outs(session, node, actor, rows[:limit])
    auditing.record(
        node,
        ev.HitsListed(
            actor=auditing.actor_of(actor), purpose=stated, shown=tuple(h.id for h in items)
        ),
    )
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return HitPage(items=items, total=total, next=next_cursor)


def get(node: Node, actor: Principal, hit_id: str, purpose: str | None = None) -> HitOut:
    """One hit, as the actor may see it."""
    _require(node, actor, Action.READ, hit_id)
    stated = auditing.purpose_of(purpose)
    with node.db.reading() as session:
        row = store.get_hit(session, hit_id)
        out = _outs(session, node, actor, [row])[0] if row is not None else None
    if out is None or not (out.left.readable or out.right.readable):
        raise auditing.refusal(node, actor, "read", f"hit:{hit_id}", NotFound(f"no hit {hit_id}"))
    auditing.record(
        node, ev.HitsListed(actor=auditing.actor_of(actor), purpose=stated, shown=(hit_id,))
    )
    return out


def review(node: Node, actor: Principal, hit_id: str, decision: str, reason: str) -> HitOut:
    """Record a person's decision on a hit; the reviewer must be able to read both records."""
    _require(node, actor, Action.UPDATE, hit_id)
    if decision not in (HitState.CONFIRMED, HitState.REJECTED, HitState.UNSURE):
        raise ValidationFailed.field("decision", "confirmed, rejected or unsure")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.field("reason", "say why: the next reviewer reads it")
    with node.db.transaction() as session:
        row = store.get_hit(session, hit_id, for_update=True)
        readable = _readable(session, node, actor, [row.left_id, row.right_id]) if row else set()
        error: TabadulError | None
        if row is None or not readable:
            error = NotFound(f"no hit {hit_id}")
        elif len(readable) < 2:
            error = PermissionDenied(
                "you may read only one of the two records; ask its owner to review this hit"
            )
        else:
            previous = row.state
            store.decide(
                session,
                hit_id,
                {
                    "state": decision,
                    "decided_by": actor.user_id,
                    "decided_at": utcnow(),
                    "decision_reason": reason,
                    "updated_at": utcnow(),
                },
            )
            clusters = recluster(session, {row.left_id, row.right_id})
            audit_log.add(
                session,
                ev.HitReviewed(
                    actor=auditing.actor_of(actor),
                    reason=reason,
                    hit_id=hit_id,
                    left=row.left_id,
                    right=row.right_id,
                    score=row.score,
                    decision=decision,
                    previous=previous,
                    cluster=clusters.get(row.left_id),
                ),
            )
            error = None
    if error is not None:
        raise auditing.refusal(node, actor, "review", f"hit:{hit_id}", error)
    return get(node, actor, hit_id, f"review of hit {hit_id}")


def same_as(node: Node, actor: Principal, entity_id: str) -> list[str]:
    """The entities confirmed to be the same as ``entity_id`` that the actor may read."""
    with node.db.reading() as session:
        cluster = store.clusters_of(session, [entity_id]).get(entity_id)
        if cluster is None:
            return []
        members = [m for m in store.cluster_members(session, cluster) if m != entity_id]
        readable = _readable(session, node, actor, members)
    return [m for m in members if m in readable]


def recluster(session: Session, seeds: Collection[str]) -> dict[str, str]:
    """Recompute the "same as" clusters around ``seeds`` from the confirmed hits.

    Starts from the seeds and every member of their current clusters, follows
    confirmed hits to the whole connected group, and gives each group of two or
    more a cluster (keeping an existing cluster id where there is one).
    """
    current = store.clusters_of(session, seeds)
    members: set[str] = set(seeds)
    for held in set(current.values()):
        members.update(store.cluster_members(session, held))
    edges: dict[str, set[str]] = {}
    frontier = set(members)
    while frontier:
        found = store.confirmed_edges(session, frontier)
        frontier = set()
        for left, right in found:
            for a, b in ((left, right), (right, left)):
                if b not in edges.setdefault(a, set()):
                    edges[a].add(b)
                    if b not in members:
                        members.add(b)
                        frontier.add(b)
    previous = store.clusters_of(session, members)
    assigned: dict[str, str | None] = {}
    for start in sorted(members):
        if start in assigned:
            continue
        group, stack = {start}, [start]
        while stack:
            for other in edges.get(stack.pop(), ()):
                if other not in group:
                    group.add(other)
                    stack.append(other)
        kept = sorted({previous[m] for m in group if m in previous})
        cluster_id: str | None = None
        if len(group) > 1:
            cluster_id = kept[0] if kept else new_id()
        assigned.update(dict.fromkeys(group, cluster_id))
    store.set_clusters(session, assigned)
    return {m: c for m, c in assigned.items() if c is not None}


def visible_hits(node: Node, actor: Principal) -> ColumnElement[bool]:
    """SQL: hits with at least one side the actor may read (the policy's rule, as a filter)."""
    seen = node.policy.visibility(actor)
    readable = protection.entities_visible(seen.levels, seen.compartments)

    def side(column: Any) -> ColumnElement[bool]:
        return exists(select(EntityRow.id).where(EntityRow.id == column, readable))

    return or_(side(HitRow.left_id), side(HitRow.right_id))


def sides(session: Session, node: Node, actor: Principal, ids: Iterable[str]) -> dict[str, Side]:
    """Each entity as the actor may see it: in full, or only its classification and a contact."""
    wanted = list(dict.fromkeys(ids))
    labels = protection.entity_labels(session, wanted)
    rows = store.entity_rows(session, wanted)
    creators = account_store.usernames(
        session, {r.created_by for r in rows.values() if r.created_by is not None}
    )
    found: dict[str, Side] = {}
    for entity_id in wanted:
        row = rows.get(entity_id)
        if row is None or entity_id not in labels:
            continue
        level, compartments = labels[entity_id]
        resource = Resource(Kind.ENTITY, Protection(level, compartments))
        if node.policy.can(actor, Action.READ, resource):
            found[entity_id] = Side(
                id=entity_id,
                readable=True,
                schema_=row.schema,
                caption=row.caption,
                properties=row.properties,
                classification=level,
            )
        else:
            contact = creators.get(row.created_by) if row.created_by is not None else None
            found[entity_id] = Side(
                readable=False, classification=level, ask=contact or NODE_CONTACT
            )
    return found


def _readable(session: Session, node: Node, actor: Principal, ids: Iterable[str]) -> set[str]:
    return {i for i, side in sides(session, node, actor, ids).items() if side.readable}


def _outs(session: Session, node: Node, actor: Principal, rows: list[HitRow]) -> list[HitOut]:
    seen = sides(session, node, actor, [i for r in rows for i in (r.left_id, r.right_id)])
    deciders = account_store.usernames(
        session, {r.decided_by for r in rows if r.decided_by is not None}
    )
    clusters = store.clusters_of(session, [r.left_id for r in rows])
    out = []
    for row in rows:
        left, right = seen.get(row.left_id), seen.get(row.right_id)
        if left is None or right is None:
            continue
        both = left.readable and right.readable
        cluster = clusters.get(row.left_id)
        members = store.cluster_members(session, cluster) if cluster and both else []
        readable = _readable(session, node, actor, members) if members else set()
        out.append(
            HitOut(
                id=row.id,
                left=left,
                right=right,
                score=row.score,
                # The reasons quote both records; a reader of one side gets none of them.
                reasons=row.reasons if both else [],
                state=row.state,
                created_at=row.created_at,
                updated_at=row.updated_at,
                decided_by=deciders.get(row.decided_by) if row.decided_by else None,
                decided_at=row.decided_at,
                decision_reason=row.decision_reason if both else None,
                cluster=[m for m in members if m in readable],
            )
        )
    return out


def _require(node: Node, actor: Principal, action: Action, hit_id: str | None = None) -> None:
    if not node.policy.allows_role(actor, action, Kind.ENTITY):
        error = PermissionDenied(f"the {actor.role.value} role may not {action.value} hits")
        raise auditing.refusal(
            node, actor, action.value, f"hit:{hit_id}" if hit_id else None, error
        )
