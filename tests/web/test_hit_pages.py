"""Hit review and watchlists in the pages: side by side, decided by a person, need-to-know."""

from tabadul.jobs.handlers import handlers
from tabadul.jobs.worker import Worker
from tests.web.conftest import csrf
from tests.web.test_pages import principal, record


def person(name, **props):
    properties = {"name": [name], **{k: [v] for k, v in props.items()}}
    return [{"id": "p1", "schema": "Person", "properties": properties}]


def correlate(node):
    Worker(node.db, node.settings, handlers(node)).run_until_idle()


def test_reviewing_a_hit_side_by_side_with_its_reasons(browser, node):
    client = browser("reviewer", "supervisor")
    who = principal(node, client)
    record(node, who, entities=person("طارق السعيدي", birthDate="1985-03-12"), mentions=[])
    record(node, who, entities=person("Tarik Saidi", birthDate="1985-03-12"), mentions=[])
    correlate(node)

    dashboard = client.get("/").text
    assert "New hits" in dashboard
    listed = client.get("/hits").text
    assert "Tarik Saidi" in listed
    hit_path = next(
        part.split('"')[0] for part in listed.split('href="')[1:] if part.startswith("/hits/0")
    )
    page = client.get(hit_path)
    assert page.status_code == 200
    text = page.text
    assert "طارق السعيدي" in text
    assert "Tarik Saidi" in text
    assert "Why it was raised" in text
    assert "same date of birth 1985-03-12" in text

    missing = client.post(
        f"{hit_path}/review",
        data={"decision": "confirmed", "reason": " ", "csrf_token": csrf(text)},
    )
    assert missing.status_code == 422
    forged = client.post(f"{hit_path}/review", data={"decision": "confirmed", "reason": "x"})
    assert forged.status_code == 403  # no CSRF token
    done = client.post(
        f"{hit_path}/review",
        data={"decision": "confirmed", "reason": "same passport photo", "csrf_token": csrf(text)},
    )
    assert done.status_code == 303
    after = client.get(hit_path).text
    assert "same passport photo" in after
    assert "Same as" in after


def test_a_reader_of_one_side_sees_only_that_a_record_matches(browser, node):
    owner = browser("owner", "analyst", clearance="SECRET", compartments=("orca",))
    who = principal(node, owner)
    record(node, who, entities=person("Tarik Saidi", birthDate="1985-03-12"), mentions=[])
    record(
        node,
        who,
        entities=person("طارق السعيدي", birthDate="1985-03-12"),
        mentions=[],
        classification="SECRET",
        compartments=["orca"],
    )
    correlate(node)
    other = browser("other", "analyst")
    listed = other.get("/hits").text
    assert "A record you may not read" in listed
    assert "طارق" not in listed
    hit_path = next(
        part.split('"')[0] for part in listed.split('href="')[1:] if part.startswith("/hits/0")
    )
    page = other.get(hit_path).text
    assert "A record you may not read matches." in page
    assert "owner" in page  # whom to ask
    assert "طارق" not in page
    assert "review-form" not in page


def test_watching_a_name_from_the_pages(browser, node):
    client = browser("watcher")
    page = client.get("/watchlists").text
    created = client.post(
        "/watchlists", data={"name": "Northern cell", "members": "", "csrf_token": csrf(page)}
    )
    assert created.status_code == 303
    path = created.headers["location"]
    form = client.get(path).text
    bad = client.post(
        f"{path}/entries", data={"kind": "phone", "value": "12", "csrf_token": csrf(form)}
    )
    assert bad.status_code == 422
    added = client.post(
        f"{path}/entries",
        data={"kind": "name", "value": "خالد العلوي", "note": "", "csrf_token": csrf(form)},
    )
    assert added.status_code == 303
    assert "خالد العلوي" in client.get(path).text
    record(node, principal(node, client), entities=person("Khalid Alaoui"), mentions=[])
    correlate(node)
    dashboard = client.get("/").text
    assert "Khalid Alaoui" in dashboard.split("Watchlist alerts")[1]


def test_search_page_finds_across_scripts_with_facets(browser, node):
    client = browser("searcher")
    record(node, principal(node, client), entities=person("طارق السعيدي"), mentions=[])
    correlate(node)  # the index job
    page = client.get("/search?q=Tarik")
    assert page.status_code == 200
    assert "طارق السعيدي" in page.text
    assert "<mark>" in page.text
    assert 'class="card facets"' in page.text
    assert client.get('/search?q="unclosed').status_code == 200  # said, not crashed


def test_exchange_and_partner_pages_by_role(browser, node):
    liaison = browser("liaison1", "liaison")
    for path in ("/inbox", "/queries"):
        assert liaison.get(path).status_code == 200, path
    page = liaison.get("/queries").text
    refused = liaison.post(
        "/queries", data={"kind": "name", "value": "X", "csrf_token": csrf(page)}
    )
    assert refused.status_code == 422  # no partner ticked
    analyst = browser("analyst1", "analyst")
    assert analyst.get("/queries").status_code == 403
    assert analyst.get("/admin/partners").status_code == 403
    admin = browser("admin1", "administrator", context=None)
    partners = admin.get("/admin/partners")
    assert partners.status_code == 200
    assert "Fingerprint to read to partners" in partners.text
    assert admin.get("/hits").status_code in (303, 403)  # administrators read no intelligence
