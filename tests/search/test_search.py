"""Searching a node: the same tests on SQLite and PostgreSQL (through the ``node`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update

from tabadul.errors import PermissionDenied, PurposeRequired
from tabadul.jobs.handlers import handlers
from tabadul.jobs.worker import Worker
from tabadul.model.accounts import Role
from tabadul.schemas.reports import ReportIn, ReportVersionIn
from tabadul.search import facets
from tabadul.search.engine import SearchFilter
from tabadul.services import reports, search
from tabadul.storage import audit_log
from tabadul.storage.audit_log import EventFilter
from tabadul.storage.tables import SearchDocumentRow
from tests.conftest import make_person, report_body

PURPOSE = "case TEST-1"


def record(node, person, **overrides):
    body = report_body(**overrides)
    return reports.record(node, person.principal, ReportIn.model_validate(body), PURPOSE)


def index_now(node):
    Worker(node.db, node.settings, handlers(node)).run_until_idle()


def found(node, person, q, **filters):
    results = search.search(node, person.principal, q, SearchFilter(**filters), PURPOSE, limit=100)
    return results


def ids(results):
    return sorted(h.id for h in results.items)


@pytest.fixture
def corpus(node):
    """Three reports in Arabic, French and English, and a writer cleared for everything."""
    writer = make_person(
        node, Role.ANALYST, "writer", clearance="SECRET", compartments=("orcon-x",)
    )
    ar = record(
        node,
        writer,
        title="اجتماع في طنجة",
        body="شوهد طارق السعيدي في المدرسة مع شريكه بالسيارة.",
        language="ar",
        topics=["terrorism"],
        date_of_information="2025-03-01",
    )
    fr = record(
        node,
        writer,
        title="Réunion à Tanger",
        body="Les suspects ont tenu des réunions avant les arrestations.",
        language="fr",
        topics=["smuggling"],
        entities=[],
        mentions=[],
        handling={"tlp": "GREEN"},
        date_of_information="2025-06-01",
    )
    en = record(
        node,
        writer,
        title="Meeting observed in Tangier",
        body="Two smugglers were meeting near the port; arrests followed.",
        language="en",
        topics=["smuggling", "terrorism"],
        entities=[],
        mentions=[],
        classification="SECRET",
        date_of_information="2025-09-01",
    )
    index_now(node)
    return {"ar": ar.id, "fr": fr.id, "en": en.id, "writer": writer}


def test_arabic_words_are_found_through_normalisation_and_stemming(node, corpus):
    reader = corpus["writer"]
    # مدرسة (no article, ta marbuta) finds المدرسة; السيارات finds بالسيارة.
    assert ids(found(node, reader, "مدرسة", kind="report")) == [corpus["ar"]]
    assert ids(found(node, reader, "السيارات", kind="report")) == [corpus["ar"]]
    assert ids(found(node, reader, "مُدرسة", kind="report")) == [corpus["ar"]]


def test_french_and_english_stemming(node, corpus):
    reader = corpus["writer"]
    assert ids(found(node, reader, "réunion")) == [corpus["fr"]]
    assert ids(found(node, reader, "arrest")) == sorted([corpus["fr"], corpus["en"]])
    assert ids(found(node, reader, "meetings")) == [corpus["en"]]


def test_phrase_boolean_and_prefix(node, corpus):
    reader = corpus["writer"]
    assert ids(found(node, reader, '"réunion à tanger"')) == [corpus["fr"]]
    assert ids(found(node, reader, '"tanger à réunion"')) == []
    assert ids(found(node, reader, "tang*")) == sorted([corpus["fr"], corpus["en"]])
    assert ids(found(node, reader, "arrests -smugglers")) == [corpus["fr"]]
    assert ids(found(node, reader, "smugglers OR réunions")) == sorted([corpus["fr"], corpus["en"]])
    assert ids(found(node, reader, "(port OR طنجة) اجتماع")) == [corpus["ar"]]


def test_entity_names_are_searchable_in_every_spelling(node, corpus):
    reader = corpus["writer"]
    hits = found(node, reader, "tarik", kind="entity").items
    assert [h.schema_ for h in hits] == ["Person"]
    assert found(node, reader, "السعيدي", kind="entity").total == 1


def test_filters(node, corpus):
    reader = corpus["writer"]
    assert ids(found(node, reader, "tang*", topic="terrorism")) == [corpus["en"]]
    assert ids(found(node, reader, "tang*", tlp="GREEN")) == [corpus["fr"]]
    assert ids(found(node, reader, "tang*", classification="SECRET")) == [corpus["en"]]
    assert ids(found(node, reader, "tang*", date_from=dt.date(2025, 7, 1))) == [corpus["en"]]
    assert ids(found(node, reader, "tang*", date_to=dt.date(2025, 7, 1))) == [corpus["fr"]]
    assert ids(found(node, reader, "tang*", language="fr")) == [corpus["fr"]]
    assert found(node, reader, "tarik", schema="Person").total == 1
    assert found(node, reader, "tarik", schema="Organization").total == 0


def test_filter_words_narrow_the_walk_but_the_records_decide(node, corpus):
    reader = corpus["writer"]
    months = {"date_from": dt.date(2024, 12, 1), "date_to": dt.date(2025, 6, 30)}
    assert ids(found(node, reader, "tang*", **months)) == [corpus["fr"]]
    decades = {"date_from": dt.date(2000, 1, 1), "date_to": dt.date(2025, 8, 1)}
    assert ids(found(node, reader, "tang*", **decades)) == [corpus["fr"]]
    # Stale words cannot show what the records' own labels refuse.
    with node.db.transaction() as session:
        session.execute(update(SearchDocumentRow).values(facets="kindreport tlpgreen"))
    assert ids(found(node, reader, "tang*", tlp="GREEN")) == [corpus["fr"]]
    # Documents indexed before filter words existed pass every narrowing.
    with node.db.transaction() as session:
        session.execute(update(SearchDocumentRow).values(facets="pending"))
    assert ids(found(node, reader, "tang*", topic="terrorism", tlp="AMBER")) == [corpus["en"]]
    if node.db.is_sqlite:
        # The words do narrow FTS5's walk (PostgreSQL filters in SQL only).
        with node.db.transaction() as session:
            session.execute(update(SearchDocumentRow).values(facets=""))
        assert ids(found(node, reader, "tang*", tlp="GREEN")) == []
        assert ids(found(node, reader, "tang*")) == sorted([corpus["fr"], corpus["en"]])
    search.reindex(node)
    assert ids(found(node, reader, "tang*", topic="terrorism", tlp="AMBER")) == [corpus["en"]]


def test_combined_filter_words_narrow_once_every_document_carries_them(node, corpus):
    if not node.db.is_sqlite:
        pytest.skip("PostgreSQL filters in SQL only: nothing is narrowed")
    reader = corpus["writer"]
    both = {"topic": "terrorism", "tlp": "AMBER"}
    assert ids(found(node, reader, "tang*", **both)) == [corpus["en"]]
    # The combined word narrows: without it (the mark kept), the report is not walked.
    stripped = f"kindreport topicterrorism tlpamber {facets.COMBINED}"
    with node.db.transaction() as session:
        session.execute(update(SearchDocumentRow).values(facets=stripped))
    assert ids(found(node, reader, "tang*", **both)) == []
    # One document written before the combined words (no mark): the separate words narrow.
    with node.db.transaction() as session:
        session.execute(
            update(SearchDocumentRow)
            .where(SearchDocumentRow.record_id == corpus["fr"])
            .values(facets="kindreport langfr")
        )
    assert ids(found(node, reader, "tang*", **both)) == [corpus["en"]]
    search.reindex(node)
    assert ids(found(node, reader, "tang*", **both)) == [corpus["en"]]


def test_a_filtered_search_ranks_as_the_same_search_unfiltered(node):
    """Filter words narrow the walk but take no part in the rank (scored apart on SQLite)."""
    writer = make_person(node, Role.ANALYST, "ranker", clearance="SECRET")
    amber = [
        record(
            node,
            writer,
            title=f"Observation {i}",
            body=("Essaouira " * n + "Le port était calme ce jour-là, rien à signaler.").strip(),
            language="fr",
            entities=[],
            mentions=[],
            topics=["smuggling"],
        ).id
        for i, n in enumerate((1, 3, 2))
    ]
    green = record(
        node,
        writer,
        title="Observation verte",
        body="Essaouira " * 4,
        language="fr",
        entities=[],
        mentions=[],
        topics=["smuggling"],
        handling={"tlp": "GREEN"},
    ).id
    index_now(node)
    everything = found(node, writer, "essaouira")
    filtered = found(node, writer, "essaouira", tlp="AMBER", topic="smuggling")
    # Best first: the most mentions of the word, then fewer.
    assert [h.id for h in filtered.items] == [amber[1], amber[2], amber[0]]
    assert [h.id for h in everything.items] == [green, amber[1], amber[2], amber[0]]
    # The same scores as unfiltered: the filters only took the GREEN report away.
    scores = {h.id: h.score for h in everything.items}
    assert [h.score for h in filtered.items] == [scores[i] for i in (amber[1], amber[2], amber[0])]
    assert filtered.items[0].score > filtered.items[-1].score > 0
    second = search.search(
        node,
        writer.principal,
        "essaouira",
        SearchFilter(tlp="AMBER", topic="smuggling"),
        PURPOSE,
        limit=1,
        offset=1,
    )
    assert [h.id for h in second.items] == [amber[2]]


def test_facets_count_every_match(node, corpus):
    reader = corpus["writer"]
    results = found(node, reader, "tang* OR طنجة OR tarik")
    assert results.total == 4
    assert results.facets["kind"] == {"report": 3, "entity": 1}
    assert results.facets["topic"] == {"smuggling": 2, "terrorism": 2}
    assert results.facets["classification"] == {"RESTRICTED": 3, "SECRET": 1}
    assert results.facets["schema"] == {"Person": 1}


def test_counts_and_facets_leak_nothing_above_clearance_or_outside_compartments(node, corpus):
    writer = corpus["writer"]
    record(
        node,
        writer,
        title="Tanger source report",
        body="Compartmented.",
        entities=[],
        mentions=[],
        compartments=["orcon-x"],
        topics=["proliferation"],
    )
    index_now(node)
    low = make_person(node, Role.ANALYST, "low", clearance="RESTRICTED")
    everything = found(node, writer, "tang*")
    restricted = found(node, low, "tang*")
    assert everything.total == 3
    assert restricted.total == 1  # not the SECRET one, not the compartmented one
    assert ids(restricted) == [corpus["fr"]]
    assert restricted.facets["classification"] == {"RESTRICTED": 1}
    assert "proliferation" not in restricted.facets["topic"]
    assert restricted.facets["kind"] == {"report": 1}
    cleared = make_person(node, Role.ANALYST, "cleared", clearance="SECRET")
    assert found(node, cleared, "tang*").total == 2  # SECRET yes, compartment no


def test_snippets_mark_matches_and_isolate_directions(node, corpus):
    reader = corpus["writer"]
    hit = found(node, reader, "السعيدي", kind="report").items[0]
    assert hit.direction == "rtl"
    assert [f.text for f in hit.snippet if f.match] == ["السعيدي"]
    assert "<mark><bdi>السعيدي</bdi></mark>" in hit.snippet_html
    assert hit.snippet_html.startswith('<bdi dir="rtl">')
    fr = found(node, reader, "réunions").items[0]
    assert [f.text for f in fr.snippet if f.match] == ["réunions"]
    assert fr.direction == "ltr"


def test_snippets_escape_html(node):
    writer = make_person(node, Role.ANALYST, "writer2")
    record(node, writer, title="x", body="<script>tanger</script>", entities=[], mentions=[])
    index_now(node)
    hit = found(node, writer, "tanger").items[0]
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;<mark><bdi>tanger</bdi></mark>" in hit.snippet_html


def test_a_correction_replaces_the_indexed_text(node, corpus):
    writer = corpus["writer"]
    body = report_body(title="Réunion à Rabat", body="Corrigé.", entities=[], mentions=[])
    body["note"] = "lieu corrigé"
    reports.add_version(
        node, writer.principal, corpus["fr"], ReportVersionIn.model_validate(body), PURPOSE
    )
    index_now(node)
    assert ids(found(node, writer, "rabat")) == [corpus["fr"]]
    assert corpus["fr"] not in ids(found(node, writer, "tanger"))
    assert ids(found(node, writer, "corrigé")) == [corpus["fr"]]  # the note is indexed too


def test_every_search_is_audited_with_its_purpose_and_what_was_shown(node, corpus):
    reader = corpus["writer"]
    results = found(node, reader, "tang*", topic="smuggling")
    with node.db.reading() as session:
        events = audit_log.query(session, EventFilter(name="search.performed"), 10, None)
    assert len(events) == 1
    event = events[0]
    assert event.purpose == PURPOSE
    assert event.details["query"] == "tang*"
    assert event.details["filters"] == {"topic": "smuggling"}
    assert event.details["total"] == results.total
    assert sorted(event.records) == sorted(f"report:{h.id}" for h in results.items)


def test_search_needs_a_purpose_and_an_intelligence_role(node, corpus):
    with pytest.raises(PurposeRequired):
        search.search(node, corpus["writer"].principal, "tanger", None, None)
    admin = make_person(node, Role.ADMINISTRATOR, "admin2")
    with pytest.raises(PermissionDenied):
        search.search(node, admin.principal, "tanger", None, PURPOSE)


def test_reindex_rebuilds_every_document(node, corpus):
    with node.db.transaction() as session:
        session.execute(delete(SearchDocumentRow))
    assert found(node, corpus["writer"], "tang*").total == 0
    done = search.reindex(node)
    assert done.reports == 3
    assert done.entities == 1
    assert found(node, corpus["writer"], "tang*").total == 2


@pytest.fixture
def two_scripts(node):
    """The same invented person, written only in Arabic in one report, only in Latin in another."""
    writer = make_person(node, Role.ANALYST, "scribe")
    arabic_name = "خالد الإدريسي"
    arabic = record(
        node,
        writer,
        title="Vehicle check",
        body=f"{arabic_name} was stopped at the border.",
        entities=[{"id": "p", "schema": "Person", "properties": {"name": [arabic_name]}}],
        mentions=[{"entity": "p", "start": 0, "end": len(arabic_name)}],
    )
    latin_name = "Khaled El Idrissi"
    latin = record(
        node,
        writer,
        title="Contrôle routier",
        body=f"{latin_name} a été contrôlé à la frontière.",
        language="fr",
        entities=[{"id": "p", "schema": "Person", "properties": {"name": [latin_name]}}],
        mentions=[{"entity": "p", "start": 0, "end": len(latin_name)}],
    )
    index_now(node)
    return writer, arabic, latin


def test_a_latin_query_finds_arabic_names_and_the_reverse(node, two_scripts):
    writer, arabic, latin = two_scripts
    # A spelling neither report uses finds both people and both reports.
    for query in ("Khalid al-Idrisi", "khalid idrisi", '"Khalid Idrisi"', "خالد الادريسي"):
        results = found(node, writer, query)
        assert results.facets["kind"] == {"entity": 2, "report": 2}, query
        assert {arabic.id, latin.id} <= {h.id for h in results.items}, query
    arabic_hit = next(h for h in found(node, writer, "Khalid").items if h.id == arabic.id)
    assert [f.text for f in arabic_hit.snippet if f.match] == ["خالد"]


def test_name_forms_do_not_bypass_need_to_know(node, two_scripts):
    writer, _, _ = two_scripts
    secret = make_person(node, Role.ANALYST, "keeper", clearance="SECRET")
    record(
        node,
        secret,
        title="Source",
        body="خالد الإدريسي عميل.",
        classification="SECRET",
        entities=[{"id": "p", "schema": "Person", "properties": {"name": ["خالد الإدريسي"]}}],
        mentions=[{"entity": "p", "start": 0, "end": 13}],
    )
    index_now(node)
    assert found(node, secret, "Khalid Idrisi").total == 6
    assert found(node, writer, "Khalid Idrisi").total == 4
