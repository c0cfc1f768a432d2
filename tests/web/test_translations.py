"""Every string of the interface is translated into Arabic and French."""

import hashlib
from pathlib import Path

import pytest
from followthemoney import model as ftm

from tabadul.model.entities import ALLOWED_SCHEMATA
from tabadul.web import catalogues
from tabadul.web.i18n import language
from tabadul.web.routes.entities import PROFILE_PROPERTIES


@pytest.mark.parametrize("code", ["ar", "fr"])
def test_every_interface_string_is_translated(code):
    lang = language(code)
    missing = {m: where for m, where in catalogues.extracted().items() if not lang.has(m)}
    assert missing == {}, f"untranslated in {code} (run `make messages`): {missing}"


@pytest.mark.parametrize("code", ["ar", "fr"])
def test_schema_names_and_profile_labels_are_translated(code):
    lang = language(code)
    labels = set()
    for name in ALLOWED_SCHEMATA:
        schema = ftm.get(name)
        labels.add(str(schema.label))
        labels |= {
            str(schema.properties[p].label) for p in PROFILE_PROPERTIES if p in schema.properties
        }
    missing = sorted(label for label in labels if not lang.has(label))
    assert missing == []


def test_dates_and_numbers_follow_the_language():
    import datetime as dt

    day = dt.date(2026, 11, 23)
    assert language("fr").date(day) == "23 nov. 2026"
    assert "2026" in language("ar").date(day)
    assert language("fr").number(1234567) == "1\u202f234\u202f567"


def test_pinned_assets_are_the_ones_recorded():
    vendor = Path(catalogues.WEB) / "static" / "vendor"
    table = (vendor / "ASSETS.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((vendor / "cytoscape.min.js").read_bytes()).hexdigest()
    assert digest in table
    assert digest == "081591ab735b2b6a3b31a3c60f8f3a3e2fee8c92939e0c7820ad1208571b6cd8"
