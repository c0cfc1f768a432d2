"""The synthetic generator shared by the demonstration, the tests and the benchmarks."""

import re

from tabadul.synthetic import Generator

ARABIC = re.compile(r"[\u0600-\u06ff]")


def test_the_same_seed_gives_the_same_data():
    assert Generator(seed=7).report() == Generator(seed=7).report()
    assert Generator(seed=7).person() != Generator(seed=8).person()


def test_a_person_has_an_arabic_name_and_latin_spellings():
    person = Generator(seed=3).person()
    assert ARABIC.search(person.arabic)
    assert len(person.latin) >= 2
    assert not any(ARABIC.search(s) for s in person.latin)


def test_a_report_as_written_names_people_only_as_its_text_does():
    generator = Generator(seed=11)
    people = generator.people(2)
    for language in ("ar", "fr", "en"):
        report = generator.report(people, language=language, as_written=True)
        subject = report["entities"][0]["properties"]["name"]
        assert len(subject) == 1
        assert subject[0] in report["body"]
        assert bool(ARABIC.search(subject[0])) == (language == "ar")
        assert report["language"] == language


def test_a_report_otherwise_carries_every_script():
    report = Generator(seed=11).report(language="fr")
    names = report["entities"][0]["properties"]["name"]
    assert any(ARABIC.search(n) for n in names)
    assert any(not ARABIC.search(n) for n in names)
