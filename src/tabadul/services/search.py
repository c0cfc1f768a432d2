"""Search use cases: search within need-to-know (audited), index after changes, rebuild the index.

Every search states its purpose and is written to the audit log with its
query, filters, the total the searcher saw and the records shown. Counts
and facets are computed by the database over the records the policy's
visibility lets the searcher read; the page itself is checked record by
record with :meth:`Policy.can` as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tabadul.access.policy import Action, Kind, Principal, Resource
from tabadul.audit import events as ev
from tabadul.errors import PermissionDenied, ValidationFailed
from tabadul.model.protection import Protection
from tabadul.schemas.search import FragmentOut, SearchHit, SearchResults
from tabadul.search import backends, documents, engine
from tabadul.search.documents import ENTITY, INDEX_JOB, REPORT, entity_texts, name_keys
from tabadul.search.engine import Hit, SearchFilter
from tabadul.search.query import Node as Query
from tabadul.search.query import parse
from tabadul.search.snippets import Highlighter
from tabadul.services import auditing
from tabadul.services.node import Node
from tabadul.storage import entities as entity_store
from tabadul.storage import protection
from tabadul.storage import reports as report_store

MAX_LIMIT = 100
MAX_OFFSET = 1000
REINDEX_BATCH = 1000

__all__ = ["INDEX_JOB", "SearchFilter", "index", "reindex", "search"]


def search(
    node: Node,
    actor: Principal,
    q: str,
    filters: SearchFilter | None = None,
    purpose: str | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Records the actor may read matching ``q``, best first, with snippets, facets and total."""
    _require(node, actor)
    stated = auditing.purpose_of(purpose)
    filters = filters or SearchFilter()
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.field("limit", f"must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationFailed.field("offset", f"must be between 0 and {MAX_OFFSET}")
    tree = parse(q)
    seen = node.policy.visibility(actor)
    with node.db.reading() as session:
        found = engine.run(
            session,
            node.db.dialect,
            tree,
            name_keys,
            filters,
            seen.levels,
            seen.compartments,
            limit=limit,
            offset=offset,
        )
        items = _items(session, node, actor, tree, found.hits)
    auditing.record(
        node,
        ev.Searched(
            actor=auditing.actor_of(actor),
            purpose=stated,
            query=q,
            filters={k: str(v) for k, v in filters.__dict__.items() if v is not None},
            total=found.total,
            total_exact=found.total_exact,
            shown=tuple(f"{h.kind}:{h.id}" for h in items),
        ),
    )
    return SearchResults(
        query=q,
        total=found.total,
        total_exact=found.total_exact,
        offset=offset,
        limit=limit,
        items=items,
        facets=found.facets,
    )


def index(session: Session, reports: list[str], entities: list[str]) -> int:
    """(Re)index records in the caller's transaction (the job handler); returns documents."""
    return documents.index_reports(session, reports) + documents.index_entities(
        session, entities, name_keys
    )


@dataclass(frozen=True)
class Reindexed:
    """What a full re-index wrote."""

    reports: int
    entities: int


def reindex(node: Node, progress: Callable[[int], None] | None = None) -> Reindexed:
    """Rebuild every document from the stored records, a batch per transaction.

    For nodes that held records before search existed, or after a change to
    the analysis. Searches keep working meanwhile (each batch replaces its
    documents atomically).
    """
    counts = {REPORT: 0, ENTITY: 0}
    for kind in (REPORT, ENTITY):
        after: str | None = None
        while True:
            with node.db.transaction() as session:
                ids = documents.all_ids(session, kind, after, REINDEX_BATCH)
                if not ids:
                    break
                if kind == REPORT:
                    counts[kind] += documents.index_reports(session, ids)
                else:
                    counts[kind] += documents.index_entities(session, ids, name_keys)
            after = ids[-1]
            if progress is not None:
                progress(len(ids))
    with node.db.transaction() as session:
        backends.optimise(session, node.db.dialect)
    return Reindexed(counts[REPORT], counts[ENTITY])


def _require(node: Node, actor: Principal) -> None:
    for kind in (Kind.REPORT, Kind.ENTITY):
        if not node.policy.allows_role(actor, Action.READ, kind):
            error = PermissionDenied(f"the {actor.role.value} role may not search intelligence")
            raise auditing.refusal(node, actor, "search", None, error)


def _items(
    session: Session, node: Node, actor: Principal, tree: Query, hits: list[Hit]
) -> list[SearchHit]:
    """The page as served: originals loaded, each record checked again, snippets cut."""
    report_ids = [h.record_id for h in hits if h.kind == REPORT]
    entity_ids = [h.record_id for h in hits if h.kind == ENTITY]
    reports = report_store.current_texts(session, report_ids)
    entities = entity_store.get_many(session, entity_ids)
    labels = {
        REPORT: protection.report_labels(session, report_ids),
        ENTITY: protection.entity_labels(session, entity_ids),
    }
    highlighter = Highlighter(tree, name_keys)
    items: list[SearchHit] = []
    for hit in hits:
        label = labels[hit.kind].get(hit.record_id)
        kind = Kind.REPORT if hit.kind == REPORT else Kind.ENTITY
        # The query already kept to visible records; a record whose label changed since
        # (or any slip) is dropped here rather than shown.
        if label is None or not node.policy.can(
            actor, Action.READ, Resource(kind, Protection(label[0], label[1]))
        ):
            continue
        if hit.kind == REPORT and hit.record_id in reports:
            row = reports[hit.record_id]
            text = "\n".join([row.body] + ([row.note] if row.note else []))
            snippet = highlighter.snippet(text, row.language)
            title = highlighter.snippet(row.title, row.language)
            items.append(
                SearchHit(
                    kind=REPORT,
                    id=row.id,
                    title=row.title,
                    score=hit.score,
                    language=row.language,
                    direction=snippet.direction,
                    snippet=[FragmentOut(text=f.text, match=f.match) for f in snippet.fragments],
                    snippet_html=snippet.html if text.strip() else title.html,
                    status=row.status,
                    date_of_information=row.date_of_information,
                    classification=row.classification,
                    tlp=row.tlp,
                    topics=list(row.topics),
                    originator=row.originator,
                )
            )
        elif hit.kind == ENTITY and hit.record_id in entities:
            entity = entities[hit.record_id]
            names, others = entity_texts(entity)
            snippet = highlighter.snippet(" · ".join(names + others), None)
            items.append(
                SearchHit(
                    kind=ENTITY,
                    id=entity.id,
                    title=entity.caption,
                    score=hit.score,
                    language="und",
                    direction=snippet.direction,
                    snippet=[FragmentOut(text=f.text, match=f.match) for f in snippet.fragments],
                    snippet_html=snippet.html,
                    classification=entity.classification,
                    schema=entity.schema,
                )
            )
    return items
