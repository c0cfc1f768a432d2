"""The search page: a count that stopped at the bound reads "N+" and says why."""

from tabadul.model.accounts import Role
from tabadul.search import engine
from tests.conftest import make_person
from tests.search.test_bound import essaouira
from tests.search.test_search import index_now


def test_a_bounded_total_reads_n_plus_with_its_explanation(browser, node, monkeypatch):
    monkeypatch.setattr(engine, "COUNT_BOUND", 2)
    essaouira(node, make_person(node, Role.ANALYST, "writer"), 3)
    index_now(node)
    page = browser().get("/search?q=essaouira")
    assert page.status_code == 200
    assert "<bdi>2+</bdi> results" in page.text
    assert "Counting stops here" in page.text
    french = browser("fatima", language="fr").get("/search?q=essaouira")
    assert "<bdi>2+</bdi> résultats" in french.text
    assert (
        "Le décompte s'arrête ici" in french.text or "Le décompte s&#39;arrête ici" in french.text
    )


def test_an_exact_total_has_no_plus(browser, node):
    essaouira(node, make_person(node, Role.ANALYST, "writer"), 2)
    index_now(node)
    page = browser().get("/search?q=essaouira")
    assert "<p>2 results</p>" in page.text
    assert "Counting stops here" not in page.text
