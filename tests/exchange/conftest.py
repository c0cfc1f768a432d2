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
