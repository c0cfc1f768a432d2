"""Filter words (tabadul.search.facets): what a document carries and what a filter asks for."""

import datetime as dt

from sqlalchemy.dialects import sqlite

from tabadul.search import facets
from tabadul.search.backends import matching
from tabadul.search.engine import SearchFilter, narrowing
from tabadul.search.query import parse


def test_words_are_single_tokens_of_letters_and_digits():
    assert facets.word("topic", "Human-Trafficking") == "topichumantrafficking"
    assert facets.word("orig", "01a2-BC_3") == "orig01a2bc3"


def test_a_report_carries_every_filterable_value():
    words = facets.report_words(
        language="ar",
        status="released",
        tlp="AMBER+STRICT",
        classification="SECRET",
        originator="node-1",
        topics=["terrorism", "financing"],
        date_of_information=dt.date(2025, 3, 9),
    ).split()
    assert words == [
        "kindreport",
        "langar",
        "statusreleased",
        "tlpamberstrict",
        "clssecret",
        "orignode1",
        "topicfinancing",
        "topicterrorism",
        # Topic and TLP combined, and each with the month, and all three.
        "ttfinancingamberstrict",
        "ttterrorismamberstrict",
        "m202503",
        "y2025",
        "lmamberstrict202503",
        "tmfinancing202503",
        "tmterrorism202503",
        "ttmfinancingamberstrict202503",
        "ttmterrorismamberstrict202503",
        facets.COMBINED,
    ]
    assert facets.entity_words(schema="Person").split()[-1] == facets.COMBINED


def test_date_ranges_become_months_then_years_then_nothing():
    assert facets.date_words(dt.date(2024, 11, 20), dt.date(2025, 2, 1)) == [
        "m202411",
        "m202412",
        "m202501",
        "m202502",
    ]
    assert facets.date_words(dt.date(2010, 1, 1), dt.date(2025, 1, 1)) == [
        f"y{year}" for year in range(2010, 2026)
    ]
    assert facets.date_words(dt.date(1900, 1, 1), dt.date(2025, 1, 1)) is None
    # Open or empty ranges are left to the live check.
    assert facets.date_words(dt.date(2025, 1, 1), None) is None
    assert facets.date_words(dt.date(2025, 2, 1), dt.date(2025, 1, 1)) is None


def test_narrowing_asks_for_one_word_of_each_filter():
    f = SearchFilter(topic="financing", tlp="AMBER", date_from=dt.date(2025, 1, 5))
    # An open date range narrows nothing; a closed one by its months.
    assert narrowing(f, ["report"]) == [["topicfinancing"], ["tlpamber"]]
    dated = {"date_from": dt.date(2025, 1, 5), "date_to": dt.date(2025, 2, 5)}
    assert narrowing(SearchFilter(tlp="RED", **dated), ["report"]) == [
        ["tlpred"],
        ["m202501", "m202502"],
    ]
    # Most documents are reports: only entities are narrowed by kind.
    assert narrowing(SearchFilter(kind="entity"), ["entity"]) == [["kindentity"]]
    # A classification filter cannot narrow entities: their labels follow their reports.
    both = narrowing(SearchFilter(classification="SECRET"), ["report", "entity"])
    assert both == [["clssecret", "kindentity"]]
    assert narrowing(SearchFilter(), ["report", "entity"]) == []


def test_combined_words_narrow_filters_used_together_once_every_document_has_them():
    dated = {"date_from": dt.date(2025, 1, 5), "date_to": dt.date(2025, 2, 5)}
    all_three = SearchFilter(topic="Financing", tlp="AMBER", status="released", **dated)
    assert narrowing(all_three, ["report"], combine=True) == [
        ["ttmfinancingamber202501", "ttmfinancingamber202502"],
        ["statusreleased"],
    ]
    assert narrowing(SearchFilter(topic="financing", tlp="RED"), ["report"], combine=True) == [
        ["ttfinancingred"]
    ]
    assert narrowing(SearchFilter(topic="financing", **dated), ["report"], combine=True) == [
        ["tmfinancing202501", "tmfinancing202502"]
    ]
    assert narrowing(SearchFilter(tlp="RED", **dated), ["report"], combine=True) == [
        ["lmred202501", "lmred202502"]
    ]
    # One of the three alone, or dates that are years, keep the separate words.
    assert narrowing(SearchFilter(tlp="RED"), ["report"], combine=True) == [["tlpred"]]
    decade = {"date_from": dt.date(2010, 1, 1), "date_to": dt.date(2019, 12, 31)}
    assert narrowing(SearchFilter(topic="x", tlp="RED", **decade), ["report"], combine=True) == [
        ["ttxred"],
        [f"y{year}" for year in range(2010, 2020)],
    ]
    # Without combine (documents written before the combined words): the separate words.
    assert narrowing(all_three, ["report"]) == [
        ["topicfinancing"],
        ["statusreleased"],
        ["tlpamber"],
        ["m202501", "m202502"],
    ]


def test_no_walk_is_ranked_by_fts5_on_sqlite():
    # FTS5's BM25 counts every document of every phrase it ranks, filter words included.
    def sql(clause):
        return str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))

    for narrow in ([["tlpamber"]], []):
        found = matching("sqlite", parse("tarik"), lambda _: [], narrow)
        assert "bm25" not in sql(found.score)
        assert found.rank is not None
        assert [c.name for c in found.texts] == ["stems", "names", "facets"]
    assert "tlpamber" in sql(
        matching("sqlite", parse("tarik"), lambda _: [], [["tlpamber"]]).condition
    )
    postgres = matching("postgresql", parse("tarik"), lambda _: [], [["tlpamber"]])
    assert postgres.rank is None
    assert "ts_rank_cd" in str(postgres.score)
