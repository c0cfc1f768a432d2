"""Correlation end to end: planted links found across scripts and selectors, decisions kept."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, inspect, select

from tabadul.jobs.handlers import handlers
from tabadul.jobs.worker import Worker
from tabadul.model.accounts import Role
from tabadul.services import correlation
from tabadul.services.node import Node
from tabadul.storage import matching as store
from tabadul.storage.tables import HitRow, MatchKeyRow
from tabadul.synthetic import Generator
from tests.conftest import as_json, make_person, person_row


def person(ref: str, *names: str, **props: Any) -> dict[str, Any]:
    properties: dict[str, list[str]] = {"name": list(names)}
    properties.update({k: v if isinstance(v, list) else [v] for k, v in props.items()})
    return {"id": ref, "schema": "Person", "properties": properties}


def report(title: str, *entities: dict[str, Any], **labels: Any) -> dict[str, Any]:
    return {
        "title": title,
        "body": f"{title}.",
        "language": "en",
        "topics": ["terrorism"],
        "classification": labels.get("classification", "RESTRICTED"),
        "compartments": labels.get("compartments", []),
        "handling": {"tlp": "AMBER"},
        "entities": list(entities),
    }


def run_jobs(node) -> None:
    Worker(node.db, node.settings, handlers(node)).run_until_idle()


@pytest.fixture
def record(client, node):
    analyst = make_person(
        node, Role.ANALYST, "recorder", clearance="SECRET", compartments=("orca",)
    )

    def post(body: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/api/v1/reports", json=body, headers=analyst.headers)
        assert response.status_code == 201, response.text
        run_jobs(node)
        return response.json()

    return post


def entity_ids(recorded: dict[str, Any]) -> list[str]:
    return [m["entity"] for m in recorded.get("mentions", [])] or [
        e["id"] for e in recorded.get("entities", [])
    ]


def hits_of(client, who) -> list[dict[str, Any]]:
    response = client.get("/api/v1/hits", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_name_that_fits_several_held_records_or_agrees_only_in_part_raises_nothing(
    client, node, record
):
    # Two held namesakes, told apart by their dates of birth; a third record without a date.
    record(report("One", person("p", "Karim Bennani", birthDate="1950-02-01")))
    record(report("Two", person("p", "Karim Bennani", birthDate="1991-07-09")))
    record(report("Three", person("p", "كريم بناني")))
    # One held namesake, and an undated record of the name: worth a look.
    record(report("Four", person("p", "Yassine Tazi", birthDate="1984-10-10")))
    record(report("Five", person("p", "Yassin Tazi")))
    # The same date of birth, family names that only look alike (the names agree at 0.79).
    record(report("Six", person("p", "Karim Zasabi", birthDate="1979-03-03")))
    record(report("Seven", person("p", "Karim Salabi", birthDate="1979-03-03")))
    # ... unless a phone number links them.
    record(
        report("Eight", person("p", "Youssef Tazi", birthDate="1962-04-04", phone="+212661000111"))
    )
    record(
        report("Nine", person("p", "Youssef Tazini", birthDate="1962-04-04", phone="0661000111"))
    )

    reader = make_person(node, Role.ANALYST, "reader", clearance="SECRET")
    pairs = {
        frozenset((h["left"]["caption"], h["right"]["caption"])) for h in hits_of(client, reader)
    }
    assert pairs == {
        frozenset(("Yassine Tazi", "Yassin Tazi")),
        frozenset(("Youssef Tazi", "Youssef Tazini")),
    }


def test_a_birth_year_alone_does_not_single_out_one_of_two_namesakes(client, node, record):
    # Two held Karim Bennanis born in 1950; a record of the name born "1950" fits both, and
    # the year, shared by thousands, singles neither out: no hit.
    record(report("One", person("p", "Karim Bennani", birthDate="1950-02-01")))
    record(report("Two", person("p", "Karim Bennani", birthDate="1950-09-12")))
    record(report("Three", person("p", "كريم بناني", birthDate="1950")))
    # One held namesake born in 1984, a record of the name born in 1984: worth a look.
    record(report("Four", person("p", "Yassine Tazi", birthDate="1984-10-10")))
    record(report("Five", person("p", "Yassin Tazi", birthDate="1984")))

    reader = make_person(node, Role.ANALYST, "reader", clearance="SECRET")
    pairs = {
        frozenset((h["left"]["caption"], h["right"]["caption"])) for h in hits_of(client, reader)
    }
    assert pairs == {frozenset(("Yassine Tazi", "Yassin Tazi"))}


@pytest.mark.usefixtures("backend")
def test_a_latin_spelling_matches_an_arabic_file_with_reasons(client, node, record):
    record(
        report(
            "Moroccan file", person("p", "طارق السعيدي", birthDate="1985-03-12", nationality="ma")
        )
    )
    record(report("French report", person("p", "Tarik Saidi", birthDate="1985-03-12")))
    reader = make_person(node, Role.ANALYST, "reader", clearance="SECRET")
    [hit] = hits_of(client, reader)
    assert {hit["left"]["caption"], hit["right"]["caption"]} == {"طارق السعيدي", "Tarik Saidi"}
    assert hit["state"] == "new"
    assert hit["left"]["schema"] == hit["right"]["schema"] == "Person"
    kinds = {r["kind"] for r in hit["reasons"]}
    assert {"name", "birth_date"} <= kinds
    assert hit["score"] >= node.settings.match_threshold


@pytest.mark.usefixtures("backend")
def test_a_shared_phone_links_different_names_and_a_contradiction_separates_namesakes(
    client, node, record
):
    record(report("One", person("p", "Karim Bennani", phone="+212 612-345678")))
    record(report("Two", person("p", "Abu Yusuf", phone="٠٦١٢٣٤٥٦٧٨")))
    # Same name, but another date of birth and gender: not worth a look.
    record(report("Three", person("p", "Karim Bennani", birthDate="1950", gender="female")))
    record(report("Four", person("p", "Karim Bennani", birthDate="1991", gender="male")))
    reader = make_person(node, Role.ANALYST, "reader", clearance="SECRET")
    found = hits_of(client, reader)
    pairs = [{h["left"]["caption"], h["right"]["caption"]} for h in found]
    assert {"Karim Bennani", "Abu Yusuf"} in pairs
    selector_hit = next(
        h
        for h in found
        if {h["left"]["caption"], h["right"]["caption"]} == {"Karim Bennani", "Abu Yusuf"}
    )
    assert any(
        r["kind"] == "selector" and "+212612345678" in r["detail"] for r in selector_hit["reasons"]
    )
    # The first Bennani (no date, no gender) may be either of the others; those two
    # contradict each other (born 1950 / 1991, female / male) and raise nothing. The
    # first namesake recorded is worth a look; once a second one is, the name alone
    # singles nobody out and raises nothing more.
    dated = [
        h
        for h in found
        if h["left"]["properties"].get("birthDate") and h["right"]["properties"].get("birthDate")
    ]
    assert dated == []
    name_only = [h for h in found if h not in (selector_hit,)]
    assert [
        h["left"]["properties"].get("birthDate") or h["right"]["properties"].get("birthDate")
        for h in name_only
    ] == [["1950"]]


@pytest.mark.usefixtures("backend")
def test_rejected_pairs_stay_rejected_and_confirmed_pairs_form_a_cluster(client, node, record):
    record(report("A", person("p", "Tareq al-Saeedi", birthDate="1985")))
    record(report("B", person("p", "طارق السعيدي", birthDate="1985-03-12")))
    reviewer = make_person(node, Role.SUPERVISOR, "reviewer", clearance="SECRET")
    [hit] = hits_of(client, reviewer)

    refused = client.post(
        f"/api/v1/hits/{hit['id']}/review",
        json={"decision": "maybe", "reason": "x"},
        headers=reviewer.headers,
    )
    assert refused.status_code == 422
    no_reason = client.post(
        f"/api/v1/hits/{hit['id']}/review",
        json={"decision": "rejected", "reason": " "},
        headers=reviewer.headers,
    )
    assert no_reason.status_code == 422

    rejected = client.post(
        f"/api/v1/hits/{hit['id']}/review",
        json={"decision": "rejected", "reason": "different fathers' names in the files"},
        headers=reviewer.headers,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["decided_by"] == "reviewer"

    # Everything correlated again, and the same person recorded once more: no new hit.
    correlation.correlate_all(node, restart=True)
    record(report("C", person("p", "Tarek Saidi", birthDate="1985-03-12")))
    states = {h["id"]: h["state"] for h in hits_of(client, reviewer)}
    assert states[hit["id"]] == "rejected"
    with node.db.reading() as session:
        assert (
            store.hits_for_pairs(session, {(hit["left"]["id"], hit["right"]["id"])})[
                (hit["left"]["id"], hit["right"]["id"])
            ].state
            == "rejected"
        )

    # Confirm the new pairs: the three records join one cluster, none is changed.
    for other in [h for h in hits_of(client, reviewer) if h["state"] == "new"]:
        confirmed = client.post(
            f"/api/v1/hits/{other['id']}/review",
            json={"decision": "confirmed", "reason": "same passport photo"},
            headers=reviewer.headers,
        )
        assert confirmed.status_code == 200
    last = confirmed.json()
    assert len(last["cluster"]) >= 2
    # Taking a confirmation back splits the cluster again.
    client.post(
        f"/api/v1/hits/{last['id']}/review",
        json={"decision": "unsure", "reason": "second look"},
        headers=reviewer.headers,
    )
    again = client.get(f"/api/v1/hits/{last['id']}", headers=reviewer.headers).json()
    assert again["state"] == "unsure"
    assert len(again["cluster"]) < len(last["cluster"]) or again["cluster"] == []


@pytest.mark.usefixtures("backend")
def test_hits_respect_need_to_know_on_both_sides(client, node, record):
    record(report("Open", person("p", "Tarik Saidi", birthDate="1985-03-12")))
    record(
        report(
            "Source file",
            person("p", "طارق السعيدي", birthDate="1985-03-12"),
            classification="SECRET",
            compartments=["orca"],
        )
    )
    both = make_person(node, Role.ANALYST, "both", clearance="SECRET", compartments=("orca",))
    one = make_person(node, Role.ANALYST, "one", clearance="SECRET")
    [full] = hits_of(client, both)
    assert full["left"]["readable"]
    assert full["right"]["readable"]

    [partial] = hits_of(client, one)
    hidden = partial["left"] if not partial["left"]["readable"] else partial["right"]
    assert hidden == {
        "id": None,
        "readable": False,
        "schema": None,
        "caption": None,
        "properties": None,
        "classification": "SECRET",
        "ask": "recorder",
    }
    assert partial["reasons"] == []  # reasons quote both names
    assert "طارق" not in str(partial)
    review = client.post(
        f"/api/v1/hits/{partial['id']}/review",
        json={"decision": "confirmed", "reason": "looks the same"},
        headers=one.headers,
    )
    assert review.status_code == 403

    # A third record only the compartment holders may read: its hit with the other
    # hidden record does not exist for "one", not even in the count.
    record(
        report(
            "Second source",
            person("p", "Tareq al-Saeedi", birthDate="1985-03-12"),
            classification="SECRET",
            compartments=["orca"],
        )
    )
    listed = client.get("/api/v1/hits", headers=one.headers).json()
    assert all(h["left"]["readable"] or h["right"]["readable"] for h in listed["items"])
    assert listed["total"] == len(listed["items"]) == 2
    assert client.get("/api/v1/hits", headers=both.headers).json()["total"] == 3
    hidden_hit = next(
        h["id"] for h in hits_of(client, both) if h["id"] not in {x["id"] for x in listed["items"]}
    )
    assert client.get(f"/api/v1/hits/{hidden_hit}", headers=one.headers).status_code == 404

    for role in (Role.ADMINISTRATOR, Role.AUDITOR):
        outsider = make_person(node, role, clearance="SECRET")
        assert client.get("/api/v1/hits", headers=outsider.headers).status_code == 403


def test_a_full_run_resumes_after_an_interruption(node, record, cli, settings):
    people = Generator(seed=5).people(6)
    for i, p in enumerate(people):
        record(report(f"R{i}", person("p", p.arabic, birthDate=p.birth_date, gender=p.gender)))
    twin = people[1]
    record(report("Twin", person("p", twin.latin[0], birthDate=twin.birth_date)))
    with node.db.reading() as session:
        assert store.hits_per_entity(session) == pytest.approx(1 / 7)  # found by the job

    first = correlation.correlate_all(node, restart=True, chunk=2, stop_after=3)
    assert first.phase == "keys"
    assert first.done == 6
    result = as_json(cli(settings, "correlate", "--all", "--json"))
    assert result["entities"] == 7
    assert result["hits_raised"] == 0  # the pair was already held: one row per pair, ever
    with node.db.reading() as session:
        assert store.hits_per_entity(session) == pytest.approx(1 / 7)


def test_a_full_run_writes_keys_several_chunks_at_a_time_and_hits_one_chunk_at_a_time(
    node, record, monkeypatch
):
    people = Generator(seed=7).people(7)
    for i, p in enumerate(people):
        record(report(f"R{i}", person("p", p.arabic, birthDate=p.birth_date, gender=p.gender)))
    monkeypatch.setattr(correlation, "KEYS_PER_WRITE", 4)  # two chunks of two per write
    written: list[tuple[str, int]] = []
    result = correlation.correlate_all(
        node, restart=True, chunk=2, on_progress=lambda p: written.append((p.phase, p.done))
    )
    assert result.phase == "finished"
    assert written == [
        ("keys", 4),
        ("keys", 7),
        ("pairs", 2),
        ("pairs", 4),
        ("pairs", 6),
        ("pairs", 7),
        ("finished", 7),
    ]
    # Stopped inside a group of keys: the group ends where the run was asked to stop.
    stopped = correlation.correlate_all(node, restart=True, chunk=2, stop_after=3)
    assert (stopped.phase, stopped.done) == ("keys", 6)


def _has_lookup_index(node) -> bool:
    indexes = inspect(node.db.engine).get_indexes("match_keys")
    return any(i["name"] == "ix_match_keys_kind_value" for i in indexes)


def test_a_first_run_writes_its_keys_without_the_lookup_index_and_builds_it_after(
    node, record, settings
):
    people = Generator(seed=13).people(6)
    for i, p in enumerate(people):
        record(report(f"R{i}", person("p", p.arabic, birthDate=p.birth_date, gender=p.gender)))
    record(report("Twin", person("p", people[2].latin[0], birthDate=people[2].birth_date)))
    with node.db.transaction() as session:
        found_by_jobs = set(_all_pairs(session))
        session.execute(delete(HitRow))
        session.execute(delete(MatchKeyRow))  # as on a node whose holdings were just loaded
    assert found_by_jobs

    interrupted = correlation.correlate_all(node, restart=True, chunk=2, stop_after=2)
    assert interrupted.phase == "keys"
    assert not _has_lookup_index(node)  # dropped for the first keys
    # Interrupted and not resumed: the next start of the node builds it again.
    Node.open(settings).close()
    assert _has_lookup_index(node)

    with node.db.transaction() as session:
        session.execute(delete(MatchKeyRow))
    seen: list[tuple[str, bool]] = []
    result = correlation.correlate_all(
        node,
        restart=True,
        chunk=2,
        on_progress=lambda p: seen.append((p.phase, _has_lookup_index(node))),
    )
    assert result.phase == "finished"
    assert ("keys", False) in seen
    assert all(present for phase, present in seen if phase != "keys")
    assert _has_lookup_index(node)
    with node.db.reading() as session:
        assert set(_all_pairs(session)) == found_by_jobs
    # A later run finds keys in place: the index stays where it is.
    seen.clear()
    correlation.correlate_all(
        node,
        restart=True,
        chunk=2,
        on_progress=lambda p: seen.append((p.phase, _has_lookup_index(node))),
    )
    assert all(present for _, present in seen)


def test_a_full_run_in_worker_processes_finds_what_one_process_finds(node, record):
    people = Generator(seed=11).people(12)
    for i, p in enumerate(people):
        record(report(f"R{i}", person("p", p.arabic, birthDate=p.birth_date, gender=p.gender)))
    for p in people[:4]:  # a second record of four of them, in Latin script
        record(report("Again", person("p", p.latin[0], birthDate=p.birth_date)))
    with node.db.transaction() as session:
        found_by_jobs = store.hits_for_pairs(session, set(_all_pairs(session)))
        session.execute(delete(HitRow))
    assert len(found_by_jobs) >= 3

    interrupted = correlation.correlate_all(node, restart=True, chunk=3, processes=2, stop_after=7)
    # The keys of 16 entities in six chunks of three or fewer, then one chunk of pairs.
    assert (interrupted.phase, interrupted.done) == ("pairs", 3)
    resumed = correlation.correlate_all(node, chunk=3, processes=2)
    assert resumed.phase == "finished"
    with node.db.reading() as session:
        assert set(_all_pairs(session)) == set(found_by_jobs)


def _all_pairs(session) -> list[tuple[str, str]]:
    return [(h.left_id, h.right_id) for h in session.scalars(select(HitRow))]


def hold(node, people: list[tuple[str, str | dict[str, list[str]]]]) -> None:
    """Put records in the holdings as a bulk import would, with their correlation keys.

    Each record is a name, or its properties.
    """
    from tabadul.storage import entities as entity_store

    rows = [
        person_row(entity_id, {"name": [held]} if isinstance(held, str) else held)
        for entity_id, held in people
    ]
    with node.db.transaction() as session:
        entity_store.insert(session, rows)
        keys = {
            row["id"]: correlation.keys_of(
                correlation.Profile.of(row["id"], "Person", row["properties"])
            )
            for row in rows
        }
        store.replace_keys(session, keys)


@pytest.mark.usefixtures("backend")
def test_given_names_common_in_the_holdings_do_not_make_two_family_names_one(client, node, record):
    # A thousand people held, every one of them a Karim Hicham of some other family.
    families = Generator(seed=3, families=1000).family_names
    hold(
        node,
        [
            (f"h{i:04d}", f"Karim Hicham {latin[0]}")
            for i, (_, latin) in enumerate(families[-1000:])
        ],
    )
    with node.db.reading() as session:
        element = store.keys_of_entities(session, ["h0000"])["h0000"]
        assert {("name-element", "krm"), ("name-element", "hcm")} <= element
        rarity = correlation.rarity(
            session, [correlation.Profile("x", "Person", ("Karim Zasabi",))]
        )
    assert rarity.counts["krm"] == 1000
    assert rarity.weight("karim", "krm") < 0.4
    # Element keys are counted, never looked up: a thousand Karims are no candidates.
    profile = correlation.Profile("x", "Person", ("Karim Hicham Zasabi",))
    assert not any(kind == "name-element" for kind, _ in correlation.lookups_of(profile))

    # Born the same day, family names that look alike. Weighed alike, the two given names
    # would make the names agree at 0.86; in this holding they weigh 0.36 each.
    record(report("One", person("p", "Karim Hicham Zasabi", birthDate="1979-03-03")))
    record(report("Two", person("p", "كريم هشام الصالبي", birthDate="1979-03-03")))
    # One person written twice still matches.
    record(report("Three", person("p", "Karim Hicham Tazouti", birthDate="1981-05-05")))
    record(report("Four", person("p", "كريم التازوتي", birthDate="1981-05-05")))

    reader = make_person(node, Role.ANALYST, "reader", clearance="SECRET")
    [hit] = hits_of(client, reader)
    assert {hit["left"]["caption"], hit["right"]["caption"]} == {
        "Karim Hicham Tazouti",
        "كريم التازوتي",
    }
    [name] = [r for r in hit["reasons"] if r["kind"] == "name"]
    assert "(common among the names held, weighs 0.3" in name["detail"]


def test_a_name_block_of_more_than_thirty_namesakes_is_not_followed(node):
    namesakes: list[tuple[str, str | dict[str, list[str]]]] = [
        (f"z{i:02d}", {"name": ["Karim Zasabi"], "birthDate": [f"{1940 + i}-01-01"]})
        for i in range(correlation.MAX_PER_NAME)
    ]
    hold(node, [*namesakes, ("z-phone", {"name": ["Karim Zasabi"], "phone": ["+212661000222"]})])
    undated = person("new", "كريم الزصابي", phone="0661000222")
    hold(node, [("new", undated["properties"])])
    with node.db.transaction() as session:
        outcome = correlation.correlate(session, node, ["new"])
    # One holder more than followed: the block is not. The phone still finds its holder.
    assert outcome.skipped_keys == 1
    with node.db.reading() as session:
        assert [(h.left_id, h.right_id) for h in session.scalars(select(HitRow))] == [
            ("new", "z-phone")
        ]


def test_a_candidates_phone_numbers_are_read_from_its_keys_not_parsed_again(node, monkeypatch):
    from tabadul.matching import selectors

    hold(node, [("z", {"name": ["Karim Zasabi"], "phone": ["+212661000333"]})])
    hold(node, [("new", {"name": ["Karim Salabi"], "phone": ["0661000333"]})])
    selectors.normalise.cache_clear()
    parsed: list[str] = []
    parse = selectors.phonenumbers.parse

    def counted(text: str, region: str | None = None) -> Any:
        parsed.append(text)
        return parse(text, region)

    monkeypatch.setattr(selectors.phonenumbers, "parse", counted)
    with node.db.transaction() as session:
        correlation.correlate(session, node, ["new"])
        [hit] = session.scalars(select(HitRow)).all()
    # Only the new record's number was parsed; the held one's came from its stored key.
    assert parsed == ["0661000333"]
    assert (hit.left_id, hit.right_id) == ("new", "z")
    assert any(r["detail"] == "both carry phone:+212661000333" for r in hit.reasons)


def test_a_switchboard_number_too_common_to_follow_still_counts_when_names_bring_the_pair(node):
    switchboard = "+212522000000"
    hold(
        node,
        [
            (f"sw{i:03d}", {"name": [f"Holder {i:03d}"], "phone": [switchboard]})
            for i in range(correlation.MAX_PER_KEY + 1)
        ],
    )
    # Found through a name element and the same date (the names alone agree at 0.79).
    held = {"name": ["Karim Zasabi"], "birthDate": ["1979-03-03"], "phone": [switchboard]}
    new = {"name": ["Karim Salabi"], "birthDate": ["1979-03-03"], "phone": [switchboard]}
    hold(node, [("z", held), ("new", new)])
    with node.db.transaction() as session:
        outcome = correlation.correlate(session, node, ["new"])
        [hit] = session.scalars(select(HitRow)).all()
    assert outcome.skipped_keys == 1  # the switchboard number is not followed...
    assert (hit.left_id, hit.right_id) == ("new", "z")  # ...but both carry it
    assert any(r["detail"] == f"both carry phone:{switchboard}" for r in hit.reasons)


def test_a_record_whose_name_alone_fits_several_does_not_look_at_their_namesakes(node, monkeypatch):
    hold(
        node,
        [
            ("b1", {"name": ["Karim Bennani"], "birthDate": ["1950-02-01"]}),
            ("b2", {"name": ["Karim Bennani"], "birthDate": ["1991-07-09"]}),
            ("new", {"name": ["كريم بناني"]}),
        ],
    )
    read: list[str] = []
    keys_of_entities = store.keys_of_entities

    def counted(session: Any, ids: Any) -> Any:
        read.extend(ids)
        return keys_of_entities(session, ids)

    monkeypatch.setattr(store, "keys_of_entities", counted)
    with node.db.transaction() as session:
        outcome = correlation.correlate(session, node, ["new"])
        assert session.scalars(select(HitRow)).all() == []
    # Ambiguous by its own matches: whom b1's and b2's names match is not asked.
    assert outcome.ambiguous == 1
    assert read == ["new"]


def test_once_a_name_alone_matches_two_records_further_namesakes_are_not_compared(
    node, monkeypatch
):
    namesakes = [
        (f"b{i}", {"name": ["Karim Bennani"], "birthDate": [f"19{50 + i}-02-01"]}) for i in range(4)
    ]
    # b9 shares the new record's phone: the phone supports that pair, so it is compared.
    with_phone = {"name": ["Karim Bennani"], "phone": ["+212661000444"]}
    hold(node, [*namesakes, ("b9", with_phone)])
    hold(node, [("new", {"name": ["كريم بناني"], "phone": ["0661000444"]})])
    scored: list[tuple[str, str]] = []
    score = correlation.score

    def counted(a: Any, b: Any, *args: Any) -> Any:
        scored.append((a.id, b.id))
        return score(a, b, *args)

    monkeypatch.setattr(correlation, "score", counted)
    with node.db.transaction() as session:
        outcome = correlation.correlate(session, node, ["new"])
        hits = [(h.left_id, h.right_id) for h in session.scalars(select(HitRow))]
    assert outcome.ambiguous == 1
    assert hits == [("b9", "new")]
    # Two name-only matches settle it: of the four dated namesakes, two are compared.
    assert len([pair for pair in scored if pair != ("b9", "new")]) == correlation.MAX_NAME_ONLY + 1
