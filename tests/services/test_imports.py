"""Imports behave the same whatever the chunk boundaries fall on."""

import json

import pytest

from tabadul.errors import ImportFailed
from tabadul.services import exports, imports
from tabadul.synthetic import Generator


def lines_of(items):
    return [json.dumps(i, ensure_ascii=False) for i in items]


@pytest.mark.parametrize("chunk_lines", [1, 3, 500])
def test_versions_and_entities_spread_over_chunks_import_alike(node, chunk_lines):
    person = {"id": "person-a", "schema": "Person", "properties": {"name": ["Karim Benali"]}}
    report = Generator(seed=1).report()
    report.update(id="rep-1", entities=[], mentions=[{"entity": "person-a"}])
    v2 = report | {"version": 2, "title": "Corrected"}
    v3 = report | {"version": 3, "title": "Corrected", "status": "withdrawn"}
    others = list(Generator(seed=2).reports(4))
    result = imports.import_lines(
        node, lines_of([person, report, v2, v3, *others]), chunk_lines=chunk_lines
    )
    assert (result.reports, result.versions, result.rejected) == (5, 7, 0)
    exported = [json.loads(line) for line in exports.export_lines(node, purpose="test")]
    versions = [
        (line["id"], line["version"])
        for line in exported
        if line.get("id") == "rep-1" and "title" in line
    ]
    assert versions == [("rep-1", 1), ("rep-1", 2), ("rep-1", 3)]


def test_first_bad_line_is_named_even_when_a_later_check_fails_first(node):
    good = Generator(seed=3).report()
    bad_entity = {"id": "x", "schema": "Person", "properties": {"birthDate": ["someday"]}}
    with pytest.raises(ImportFailed) as err:
        imports.import_lines(node, lines_of([good, bad_entity, good | {"title": ""}]))
    assert err.value.line == 2


def test_skipping_a_bad_first_version_rejects_its_later_versions(node):
    report = Generator(seed=4).report()
    report.update(id="rep-x", entities=[], mentions=[])
    bad = report | {"handling": {"tlp": "NOPE"}}
    rejected = []
    result = imports.import_lines(
        node,
        lines_of([bad, report | {"version": 2}]),
        skip_bad=True,
        on_reject=lambda n, _text, reason: rejected.append((n, reason)),
    )
    assert result.reports == 0
    assert [n for n, _ in rejected] == [1, 2]
