"""Bounded counting: past the bound the total reads "N+"; refused records still count for nothing.

The bound is lowered to a handful so the smallest data shows it; the same
tests run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from tabadul.model.accounts import Role
from tabadul.search import engine
from tabadul.storage import audit_log
from tabadul.storage.audit_log import EventFilter
from tests.conftest import make_person
from tests.search.test_search import found, index_now, record

BOUND = 3


@pytest.fixture
def bounded(monkeypatch):
    monkeypatch.setattr(engine, "COUNT_BOUND", BOUND)


def essaouira(node, writer, n, **overrides):
    """``n`` reports about Essaouira, without entities (so only reports match)."""
    return [
        record(
            node,
            writer,
            title=f"Réunion {i} à Essaouira",
            body="Observation au port.",
            language="fr",
            entities=[],
            mentions=[],
            **overrides,
        ).id
        for i in range(n)
    ]


@pytest.fixture
def writer(node):
    return make_person(node, Role.ANALYST, "writer", clearance="SECRET", compartments=("orcon-x",))


def test_total_is_exact_up_to_the_bound(node, writer, bounded):
    essaouira(node, writer, BOUND)
    index_now(node)
    results = found(node, writer, "essaouira")
    assert results.total == BOUND
    assert results.total_exact


def test_total_is_flagged_past_the_bound_and_facets_count_the_bounded_set(node, writer, bounded):
    essaouira(node, writer, BOUND + 2)
    index_now(node)
    results = found(node, writer, "essaouira")
    assert results.total == BOUND
    assert not results.total_exact
    assert results.facets["kind"] == {"report": BOUND}
    assert sum(results.facets["classification"].values()) == BOUND
    assert len(results.items) == BOUND  # the page comes from the bounded set


def test_refused_records_take_no_place_in_the_bounded_set(node, writer, bounded):
    # Visible reports first, then more hidden ones than the bound: the newest matches
    # are all refused, so a bound applied before visibility would count them (or none).
    visible = essaouira(node, writer, BOUND)
    essaouira(node, writer, BOUND + 1, classification="SECRET", topics=["proliferation"])
    essaouira(node, writer, BOUND + 1, compartments=["orcon-x"], topics=["proliferation"])
    index_now(node)
    low = make_person(node, Role.ANALYST, "low", clearance="RESTRICTED")
    results = found(node, low, "essaouira")
    assert results.total == BOUND
    assert results.total_exact  # exactly the visible ones: no "+" from refused records
    assert sorted(h.id for h in results.items) == sorted(visible)
    assert results.facets["classification"] == {"RESTRICTED": BOUND}
    assert "proliferation" not in results.facets["topic"]
    assert found(node, writer, "essaouira").total_exact is False


def test_refused_records_do_not_tip_a_count_over_the_bound(node, writer, bounded):
    # One visible report fewer than the bound, hidden ones interleaved and after it.
    visible = essaouira(node, writer, 1)
    essaouira(node, writer, 2, classification="SECRET")
    visible += essaouira(node, writer, BOUND - 2)
    essaouira(node, writer, 2, compartments=["orcon-x"])
    index_now(node)
    low = make_person(node, Role.ANALYST, "low", clearance="RESTRICTED")
    results = found(node, low, "essaouira")
    assert results.total == BOUND - 1
    assert results.total_exact
    assert sorted(h.id for h in results.items) == sorted(visible)
    assert results.facets["classification"] == {"RESTRICTED": BOUND - 1}


def test_filters_apply_before_the_bound(node, writer, bounded):
    green = essaouira(node, writer, 2, handling={"tlp": "GREEN"})
    essaouira(node, writer, BOUND + 1)
    index_now(node)
    results = found(node, writer, "essaouira", tlp="GREEN")
    assert results.total == 2
    assert results.total_exact
    assert sorted(h.id for h in results.items) == sorted(green)


def test_the_audit_records_that_the_total_was_bounded(node, writer, bounded):
    essaouira(node, writer, BOUND + 1)
    index_now(node)
    found(node, writer, "essaouira")
    with node.db.reading() as session:
        (event,) = audit_log.query(session, EventFilter(name="search.performed"), 10, None)
    assert event.details["total"] == BOUND
    assert event.details["total_exact"] is False


def test_the_api_carries_the_flag(client, node, analyst, bounded):
    essaouira(node, make_person(node, Role.ANALYST, "writer2"), BOUND + 1)
    index_now(node)
    data = client.get("/api/v1/search", params={"q": "essaouira"}, headers=analyst.headers).json()
    assert data["total"] == BOUND
    assert data["total_exact"] is False


def test_the_page_is_ranked_within_the_bounded_set(node, writer, bounded):
    # The oldest match would rank first (the word three times), but it lies beyond the
    # bound: the newest BOUND matches are the set the page is ranked from.
    oldest = record(
        node,
        writer,
        title="Essaouira, Essaouira, Essaouira",
        body="Observation au port.",
        language="fr",
        entities=[],
        mentions=[],
    ).id
    newest = essaouira(node, writer, BOUND)
    index_now(node)
    results = found(node, writer, "essaouira")
    assert not results.total_exact
    assert sorted(h.id for h in results.items) == sorted(newest)
    assert oldest not in {h.id for h in results.items}
