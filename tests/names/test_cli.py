"""``tabadul names …`` through the CLI runner, in process (synthetic names only)."""

import json

from click.testing import CliRunner

from tabadul.cli import main
from tabadul.names import THRESHOLD


def run(*args, input=None):
    result = CliRunner().invoke(main, ["names", *args], input=input, catch_exceptions=False)
    return result


def test_compare_prints_score_decision_and_reasons():
    result = run("compare", "طارق السعيدي", "Tariq Es-Saidi")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].endswith(" match")
    assert "T-R-K" in result.output


def test_compare_json():
    result = run("compare", "Karim Haddad", "Samir Benali", "--json")
    data = json.loads(result.output)
    assert data["match"] is False
    assert data["threshold"] == THRESHOLD
    assert data["reasons"]


def test_pairs_adds_score_and_match_columns(tmp_path):
    file = tmp_path / "pairs.tsv"
    file.write_text(
        "a\tb\tnote\n"
        "عبد الرحمن بن علي\tAbderrahmane Ben Ali\tsame\n"
        "يوسف القاسمي\tNadia Ferhat\tdifferent\n",
        encoding="utf-8",
    )
    result = run("pairs", str(file))
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert lines[0] == ["a", "b", "note", "score", "match"]
    assert lines[1][-1] == "1"
    assert lines[2][-1] == "0"
    assert 0 <= float(lines[1][3]) <= 1


def test_pairs_compares_the_rows_a_schema_column_marks_as_organisations_as_such():
    # The same pair, once as people (a dropped first given name) and once as an organisation
    # (Tanzim dropped as freely as any word).
    rows = "arabic\tlatin\tschema\n" + "".join(
        f"تنظيم جيش المهاجرين\tJaysh al-Muhajirin\t{schema}\n"
        for schema in ("Person", "Organization")
    )
    lines = [line.split("\t") for line in run("pairs", "-", input=rows).output.splitlines()]
    assert float(lines[2][3]) > float(lines[1][3])
    assert lines[2][-1] == "1"
    organisation = run("compare", "تنظيم جيش المهاجرين", "Jaysh al-Muhajirin", "--organisation")
    assert organisation.output.splitlines()[0] == f"{float(lines[2][3]):.3f} match"


def test_pairs_reads_standard_input():
    result = run("pairs", "-", input="left\tright\nTarik Saidi\tطارق السعيدي\n")
    assert result.output.splitlines()[1].endswith("\t1")


def test_pairs_refuses_a_file_without_two_columns(tmp_path):
    file = tmp_path / "one.tsv"
    file.write_text("name\nTarik\n", encoding="utf-8")
    result = run("pairs", str(file))
    assert result.exit_code != 0


def test_search_ranks_the_right_record_first(tmp_path):
    file = tmp_path / "index.tsv"
    file.write_text(
        "id\tname\np1\tطارق السعيدي\np2\tKarim Haddad\np3\tسعيد الطاهري\n",
        encoding="utf-8",
    )
    result = run("search", "--index", str(file), "--query", "Tareq al-Saeedi", "-k", "2", "--json")
    data = json.loads(result.output)
    assert data[0]["id"] == "p1"
    assert data[0]["match"] is True
    assert len(data) <= 2
