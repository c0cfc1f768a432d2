"""The query language: words, phrases, boolean operators, prefixes, and what it refuses."""

import pytest

from tabadul.errors import ValidationFailed
from tabadul.search.backends import fts5, tsquery
from tabadul.search.query import And, Not, Or, Phrase, Word, parse


def no_keys(_):
    return []


def test_words_are_anded():
    assert parse("tarik tanger") == And((Word("tarik", "tarik"), Word("tanger", "tanger")))


def test_or_binds_looser_than_and():
    tree = parse("a1 b1 OR c1")
    assert tree == Or((And((Word("a1", "a1"), Word("b1", "b1"))), Word("c1", "c1")))


def test_negation_prefix_phrase_and_parentheses():
    tree = parse('(tarik OR tariq) -tanger "réunion à Tanger" tang*')
    assert isinstance(tree, And)
    assert tree.parts[0] == Or((Word("tarik", "tarik"), Word("tariq", "tariq")))
    assert tree.parts[1] == Not(Word("tanger", "tanger"))
    assert tree.parts[2] == Phrase(("reunion", "a", "tanger"), "réunion à Tanger")
    assert tree.parts[3] == Word("tang", "tang", prefix=True)


def test_hyphenated_names_are_phrases():
    assert parse("al-Saeedi") == Phrase(("al", "saeedi"), "al-Saeedi")


def test_lowercase_or_is_a_word():
    assert parse("tarik or") == And((Word("tarik", "tarik"), Word("or", "or")))


@pytest.mark.parametrize(
    "text", ["", "   ", "-tanger", "NOT tanger", "(tarik", "tarik)", "t*", "a OR -b", '""']
)
def test_unsearchable_queries_are_refused_with_the_field(text):
    with pytest.raises(ValidationFailed) as caught:
        parse(text)
    assert caught.value.details[0].field == "q"


def test_compiled_forms_with_name_forms():
    def keys(text):
        return {"tarik": ["trk"], "al-saeedi": ["sd"]}.get(text.lower(), [])

    tree = parse("tarik al-Saeedi")
    assert fts5(tree, keys) == (
        '((stems:"tarik" OR names:"trk") AND (words:"al saeedi" OR names:"sd"))'
    )
    assert tsquery(tree, keys) == "(('tarik':B | 'trk':C) & (('al':A <-> 'saeedi':A) | ('sd':C)))"


def test_compiled_forms():
    tree = parse('tarik -tanger "a b" tang*')
    assert fts5(tree, no_keys) == (
        '(((stems:"tarik") AND words:"a b" AND words:"tang"*) NOT (stems:"tang" OR stems:"tanger"))'
    )
    assert tsquery(tree, no_keys) == (
        "(('tarik':B) & !('tang':B | 'tanger':B) & ('a':A <-> 'b':A) & 'tang':*A)"
    )


def test_pg_index_expression_is_the_one_the_migration_builds():
    import importlib

    from tabadul.search.backends import PG_VECTOR

    migration = importlib.import_module("tabadul.storage.migrations.versions.0006_search")
    assert migration.PG_VECTOR == PG_VECTOR
