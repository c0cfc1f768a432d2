"""Import and export: streaming JSON Lines, atomic imports, rejects, round trips."""

import json

from sqlalchemy import func, select

from tabadul.model.accounts import Role
from tabadul.services import reports
from tabadul.services.node import Node, initialise
from tabadul.storage.reports import ReportFilter
from tabadul.storage.tables import EntityRow, ReportRow
from tests.conftest import as_json, make_person, report_body


def write_lines(path, items):
    path.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    return path


def count(node, table):
    with node.db.reading() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_import_reports_and_ftm_entities(settings, node, cli, tmp_path):
    file = write_lines(
        tmp_path / "in.jsonl",
        [
            {
                "id": "person-1",
                "schema": "Person",
                "properties": {"name": ["Karim Benali", "كريم بن علي"]},
                "category": "contact",
            },
            {"id": "org-1", "schema": "Organization", "properties": {"name": ["Cellule Nord"]}},
            {
                "id": "mem-1",
                "schema": "Membership",
                "properties": {"member": ["person-1"], "organization": ["org-1"]},
            },
            report_body(entities=[], mentions=[{"entity": "person-1"}, {"entity": "mem-1"}]),
            report_body(title="Second report"),
        ],
    )
    out = as_json(cli(settings, "import", file, "--json"))
    assert out["reports"] == 2
    assert out["entities_created"] == 4  # three lines plus the person embedded in the second report
    assert out["rejected"] == 0
    analyst = make_person(node, Role.ANALYST)
    page = reports.list_reports(node, analyst.principal, ReportFilter(), purpose="test")
    first = next(r for r in page.items if r.title == report_body()["title"])
    assert {e.id for e in first.entities} == {"person-1", "mem-1"}


def test_bad_line_stops_the_import_with_its_number_and_writes_nothing(
    settings, node, cli, tmp_path
):
    file = write_lines(
        tmp_path / "in.jsonl",
        [report_body(title=f"Report {i}") for i in range(3)]
        + [report_body(handling={"tlp": "BLUE"})]
        + [report_body(title="After the bad one")],
    )
    result = cli(settings, "import", file, expect=1)
    assert "line 4" in result.stderr
    assert "unknown TLP label" in result.stderr
    assert count(node, ReportRow) == 0
    assert count(node, EntityRow) == 0


def test_broken_json_is_reported_with_its_line(settings, node, cli, tmp_path):
    file = tmp_path / "in.jsonl"
    file.write_text(json.dumps(report_body()) + "\n{not json\n", encoding="utf-8")
    result = cli(settings, "import", file, expect=1)
    assert "line 2: not JSON" in result.stderr
    assert count(node, ReportRow) == 0


def test_skip_bad_records_rejects_and_imports_the_rest(settings, node, cli, tmp_path):
    file = write_lines(
        tmp_path / "in.jsonl",
        [
            report_body(title="Good 1"),
            {"id": "x1", "schema": "Person", "properties": {"birthDate": ["yesterday"]}},
            report_body(title="Good 2"),
            {"neither": "kind"},
        ],
    )
    out = as_json(cli(settings, "import", file, "--skip-bad", "--json"))
    assert (out["reports"], out["rejected"]) == (2, 2)
    rejects = [
        json.loads(line) for line in (tmp_path / "in.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejects] == [2, 4]
    assert "birthDate" in rejects[0]["reason"]
    assert count(node, ReportRow) == 2


def test_export_then_import_into_a_fresh_node_gives_the_same_reports_and_entities(
    settings, node, cli, tmp_path, make_settings, backend
):
    analyst = make_person(node, Role.ANALYST)
    body = report_body(
        entities=[
            *report_body()["entities"],
            {"id": "o1", "schema": "Organization", "properties": {"name": ["Cellule Nord"]}},
            {
                "id": "m1",
                "schema": "Membership",
                "properties": {"member": ["p1"], "organization": ["o1"]},
            },
        ]
    )
    from tabadul.schemas.reports import ReportIn, ReportVersionIn

    first = reports.record(node, analyst.principal, ReportIn.model_validate(body))
    reports.add_version(
        node,
        analyst.principal,
        first.id,
        ReportVersionIn.model_validate(
            report_body(
                title="Corrected",
                entities=[],
                mentions=[{"entity": first.entities[0].id, "start": 0, "end": 12}],
                note="fix",
            )
        ),
    )
    reports.withdraw(node, analyst.principal, first.id, "retracted")
    reports.record(
        node, analyst.principal, ReportIn.model_validate(report_body(title="Other", status="draft"))
    )

    exported = tmp_path / "export.jsonl"
    cli(settings, "export", "--output", exported, "--purpose", "migration")
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    schemas = [line.get("schema") for line in lines if "schema" in line]
    assert schemas.index("Membership") > max(schemas.index("Person"), schemas.index("Organization"))

    if backend == "postgres":
        # One PostgreSQL schema per test: empty it and import into the same database.
        snapshot = _snapshot(node, analyst)
        node.close()
        from tests.conftest import empty_postgres

        empty_postgres(settings.database_url)
        (settings.data_dir / "node.json").unlink()
        fresh = settings
    else:
        snapshot = _snapshot(node, analyst)
        fresh = make_settings("fresh")
    initialise(fresh, "Fresh node")
    out = as_json(cli(fresh, "import", exported, "--json"))
    assert out["versions"] == 4  # three of the first report, one of the other
    other = Node.open(fresh)
    try:
        reader = make_person(other, Role.ANALYST)
        assert _snapshot(other, reader) == snapshot
        second = tmp_path / "again.jsonl"
        cli(fresh, "export", "--output", second, "--purpose", "migration")
        assert second.read_text() == exported.read_text()
        # Importing the same file again changes nothing.
        again = as_json(cli(fresh, "import", exported, "--json"))
        assert (again["versions"], again["entities_created"], again["rejected"]) == (0, 0, 0)
    finally:
        other.close()


def _snapshot(node, person):
    page = reports.list_reports(node, person.principal, ReportFilter(), limit=200, purpose="test")
    out = []
    for r in page.items:
        history = reports.versions(node, person.principal, r.id, purpose="test")
        versions = [reports.get(node, person.principal, r.id, v.version, "test") for v in history]
        out.append(
            [
                v.model_dump(exclude={"recorded_by", "entities"})
                | {
                    "entities": sorted(
                        e.model_dump(exclude={"created_at", "updated_at"}, by_alias=True).__repr__()
                        for e in v.entities
                    )
                }
                for v in versions
            ]
        )
    return out


def test_import_refuses_a_version_that_contradicts_the_one_held(settings, node, cli, tmp_path):
    line = report_body(entities=[], mentions=[]) | {"id": "r-1", "version": 1}
    cli(settings, "import", write_lines(tmp_path / "a.jsonl", [line]))
    changed = line | {"title": "Something else"}
    result = cli(settings, "import", write_lines(tmp_path / "b.jsonl", [changed]), expect=1)
    assert "different title" in result.stderr


def test_import_refuses_versions_out_of_order(settings, node, cli, tmp_path):
    line = report_body(entities=[], mentions=[]) | {"id": "r-2", "version": 2}
    result = cli(settings, "import", write_lines(tmp_path / "a.jsonl", [line]), expect=1)
    assert "in order" in result.stderr


def test_export_as_a_user_holds_only_what_they_may_read(settings, node, cli, tmp_path):
    from tabadul.schemas.reports import ReportIn

    writer = make_person(node, Role.ANALYST, clearance="SECRET", compartments=("op-a",))
    make_person(node, Role.ANALYST, username="reader", clearance="CONFIDENTIAL")
    for title, level, groups in [
        ("Open one", "RESTRICTED", []),
        ("Secret one", "SECRET", []),
        ("Compartmented one", "RESTRICTED", ["op-a"]),
    ]:
        body = report_body(title=title, classification=level, compartments=groups)
        body["entities"][0]["properties"]["name"] = [f"Person of {title}"]
        reports.record(node, writer.principal, ReportIn.model_validate(body))
    out = cli(settings, "export", "--as-user", "reader", "--purpose", "review").stdout
    assert "Open one" in out
    assert "Person of Open one" in out
    for hidden in ("Secret one", "Compartmented one"):
        assert hidden not in out
    assert "Person of Secret one" not in out
    full = cli(settings, "export", "--purpose", "review").stdout
    assert "Secret one" in full
    assert "Compartmented one" in full
    admin = make_person(node, Role.ADMINISTRATOR, username="boss")
    assert admin.principal.role is Role.ADMINISTRATOR
    refused = cli(settings, "export", "--as-user", "boss", "--purpose", "x", expect=1)
    assert "may not export" in refused.stderr
