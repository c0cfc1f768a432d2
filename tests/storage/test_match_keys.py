"""The stored correlation keys of entities: replaced by writing only what changed."""

from __future__ import annotations

from tabadul.storage import entities as entity_store
from tabadul.storage import matching as store
from tests.conftest import person_row


def entity(entity_id: str) -> dict[str, object]:
    return person_row(entity_id, {"name": [entity_id]})


def test_replacing_keys_keeps_what_stays_and_changes_only_the_rest(node):
    with node.db.transaction() as session:
        entity_store.insert(session, [entity("a"), entity("b"), entity("c")])
        store.replace_keys(
            session,
            {
                "a": {("name", "trq+sd"), ("phone", "+212612345678")},
                "b": {("name", "trq+sd")},
                "c": {("document", "MA:passport:P1")},
            },
        )
    with node.db.transaction() as session:
        store.replace_keys(
            session,
            {
                "a": {("name", "trq+sd"), ("name+year", "trq+sd|1985")},  # one gone, one new
                "b": set(),  # every key gone
            },
        )
    with node.db.reading() as session:
        assert store.keys_of_entities(session, ["a", "b", "c"]) == {
            "a": {("name", "trq+sd"), ("name+year", "trq+sd|1985")},
            "c": {("document", "MA:passport:P1")},  # not named: untouched
        }
        assert store.entity_ids_with(session, {("name", "trq+sd")}, 10) == {
            ("name", "trq+sd"): ["a"]
        }


def test_holders_of_keys_are_counted_up_to_a_cap(node):
    with node.db.transaction() as session:
        entity_store.insert(session, [entity(f"e{i}") for i in range(7)])
        store.replace_keys(
            session,
            {
                f"e{i}": {("name-element", "krm")} | ({("name-element", "tz")} if i < 2 else set())
                for i in range(7)
            },
        )
    with node.db.reading() as session:
        counts = store.count_holders(
            session, [("name-element", "krm"), ("name-element", "tz"), ("name-element", "x")], 5
        )
        assert counts == {
            ("name-element", "krm"): 5,
            ("name-element", "tz"): 2,
            ("name-element", "x"): 0,
        }
        assert store.count_schemata(session, {"Person"}) == 7
        assert store.count_schemata(session, {"Organization"}) == 0
