"""Fixtures for federation tests: pairs of real nodes, linked and under an agreement."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.exchange.cluster import agree, drop_schema, link, make_node


@pytest.fixture
def pair(tmp_path, backend):
    """Rabat and Madrid, serving, linked, under an agreement (terrorism, drugs; AMBER)."""
    yield from _pair(tmp_path, PG_URL if backend == "postgres" else None)


@pytest.fixture(scope="module")
def shared_pair(tmp_path_factory):
    """The same pair on SQLite, shared by a module's tests (protocol checks need no fresh pair)."""
    yield from _pair(tmp_path_factory.mktemp("pair"), None)


def _pair(tmp_path, pg):
    rabat = make_node(tmp_path, "rabat", "MA", pg)
    madrid = make_node(tmp_path, "madrid", "ES", pg)
    rabat.start()
    madrid.start()
    try:
        madrid_on_rabat, rabat_on_madrid = link(rabat, madrid)
        agreement = agree(rabat, madrid, madrid_on_rabat, topics="terrorism,drugs")
        yield rabat, madrid, madrid_on_rabat, rabat_on_madrid, agreement
    finally:
        rabat.close()
        madrid.close()
        if pg:
            drop_schema(pg, rabat)
            drop_schema(pg, madrid)


@pytest.fixture(scope="module")
def trio(tmp_path_factory):
    """Rabat, Madrid and Berlin (SQLite), serving.

    Rabat–Madrid: linked, agreement on terrorism and drugs up to AMBER+STRICT.
    Madrid–Berlin: linked, agreement on terrorism up to AMBER.
    Rabat–Berlin: linked and confirmed, no agreement.
    Rabat–Lisbon: Lisbon accepted Rabat's invitation; nobody confirmed anything.
    """
    base = tmp_path_factory.mktemp("trio")
    nodes = {
        name: make_node(base, name, country, None)
        for name, country in (("rabat", "MA"), ("madrid", "ES"), ("berlin", "DE"), ("lisbon", "PT"))
    }
    try:
        for n in nodes.values():
            n.start()
        rabat, madrid, berlin, lisbon = nodes.values()
        ids = {}
        ids["madrid@rabat"], ids["rabat@madrid"] = link(rabat, madrid)
        ids["berlin@madrid"], ids["madrid@berlin"] = link(madrid, berlin)
        ids["berlin@rabat"], ids["rabat@berlin"] = link(rabat, berlin)
        invited = rabat.cli("partner", "invite", "--json")
        ids["rabat@lisbon"] = lisbon.cli(
            "partner", "accept", "--invitation", invited["invitation"], "--json"
        )["partner_id"]
        ids["lisbon@rabat"] = next(
            p["partner_id"]
            for p in rabat.cli("partner", "list", "--json")
            if p["status"] == "unconfirmed"
        )
        agree(rabat, madrid, ids["madrid@rabat"], topics="terrorism,drugs", max_tlp="AMBER+STRICT")
        agree(madrid, berlin, ids["berlin@madrid"], topics="terrorism", max_tlp="AMBER")
        yield nodes, ids
    finally:
        for n in nodes.values():
            n.close()
