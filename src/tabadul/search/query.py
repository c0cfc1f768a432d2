"""The search query language, parsed into a small tree both backends compile.

    tarik tanger              both words (any form: "Tangier" also finds "tangier")
    tarik OR tariq            either
    tarik -tanger             tarik, without tanger (also: tarik NOT tanger)
    "réunion à Tanger"        the words in this order (accents, case, Arabic letter forms folded)
    tang*                     words starting with "tang"
    (tarik OR tariq) tanger   parentheses group

Operators are ``AND``, ``OR`` and ``NOT`` in capitals (lower case they are
words); ``AND`` binds tighter than ``OR``. A negation must stand beside at
least one positive term: ``-x`` alone would list everything but x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tabadul.errors import ValidationFailed
from tabadul.search.analysis import raw_words, words

MAX_QUERY = 500
MAX_TERMS = 32
MIN_PREFIX = 2

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<paren>[()])|(?P<word>[^\s()"]+))')


@dataclass(frozen=True)
class Word:
    """One query word as typed (``raw``), normalised (``word``), optionally a prefix."""

    raw: str
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Normalised words that must follow one another (``raw``: as typed, for name forms)."""

    words: tuple[str, ...]
    raw: str = ""


@dataclass(frozen=True)
class And:
    """Every part matches."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any part matches."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The part does not match (only inside an ``And`` with a positive part)."""

    part: Node


Node = Word | Phrase | And | Or | Not


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.field("q", message)


def parse(text: str) -> Node:
    """The tree of a query; ValidationFailed (field ``q``) when it cannot be searched."""
    if len(text) > MAX_QUERY:
        raise _refuse(f"at most {MAX_QUERY} characters")
    tokens = _tokens(text)
    if not tokens:
        raise _refuse("type at least one word")
    parser = _Parser(tokens)
    tree = parser.expression()
    if parser.position < len(tokens):
        raise _refuse("a closing parenthesis has no opening one")
    if tree is None:
        raise _refuse("type at least one word")
    _check(tree, inside_and=False)
    if sum(1 for _ in terms(tree)) > MAX_TERMS:
        raise _refuse(f"at most {MAX_TERMS} words")
    return tree


def terms(tree: Node) -> list[Word | Phrase]:
    """The positive words and phrases of a query (what snippets highlight)."""
    if isinstance(tree, Word | Phrase):
        return [tree]
    if isinstance(tree, Not):
        return []
    return [t for part in tree.parts for t in terms(part)]


def _tokens(text: str) -> list[tuple[str, str]]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        found.append((kind, match.group(kind)))
    return found


class _Parser:
    """Recursive descent over (kind, text) tokens."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self) -> Node | None:
        parts = [self._conjunction()]
        while (token := self._peek()) is not None and token == ("word", "OR"):
            self.position += 1
            parts.append(self._conjunction())
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def _conjunction(self) -> Node | None:
        parts: list[Node] = []
        while (token := self._peek()) is not None:
            if token in {("word", "OR"), ("paren", ")")}:
                break
            if token == ("word", "AND"):
                self.position += 1
                continue
            unit = self._unary()
            if unit is not None:
                parts.append(unit)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _unary(self) -> Node | None:
        token = self._peek()
        assert token is not None
        kind, text = token
        if kind == "word" and (text == "NOT" or (text.startswith("-") and len(text) > 1)):
            if text == "NOT":
                self.position += 1
            else:
                self.tokens[self.position] = ("word", text[1:])
            if self._peek() is None:
                raise _refuse("NOT needs something to exclude")
            inner = self._unary()
            return Not(inner) if inner is not None else None
        return self._primary()

    def _primary(self) -> Node | None:
        kind, text = self.tokens[self.position]
        self.position += 1
        if kind == "paren":
            if text == ")":
                raise _refuse("a closing parenthesis has no opening one")
            inner = self.expression()
            if self._peek() != ("paren", ")"):
                raise _refuse("a parenthesis is not closed")
            self.position += 1
            return inner
        if kind == "phrase":
            quoted = text.strip('"')
            found = words(quoted)
            if not found:
                return None
            if len(found) == 1:
                return _word(quoted)
            return Phrase(tuple(found), quoted)
        return _word(text)


def _word(text: str) -> Node | None:
    prefix = text.endswith("*")
    found = words(text.rstrip("*"))
    if not found:
        return None
    if len(found) > 1:
        # "al-Saeedi", "l'arrestation": the parts, in order, like a phrase.
        if prefix:
            raise _refuse(f"a prefix is one word: {text!r}")
        return Phrase(tuple(found), text)
    raw = raw_words(text.rstrip("*"))
    word = found[0]
    if prefix and len(word) < MIN_PREFIX:
        raise _refuse(f"a prefix needs at least {MIN_PREFIX} letters: {text!r}")
    return Word(raw[0] if len(raw) == 1 else word, word, prefix)


def _check(tree: Node, *, inside_and: bool) -> None:
    """Negations only beside a positive part of the same AND."""
    if isinstance(tree, Not):
        if not inside_and:
            raise _refuse("NOT (or -) needs a word to keep beside it, e.g. tarik -tanger")
        _check(tree.part, inside_and=False)
    elif isinstance(tree, And):
        if all(isinstance(p, Not) for p in tree.parts):
            raise _refuse("NOT (or -) needs a word to keep beside it, e.g. tarik -tanger")
        for part in tree.parts:
            _check(part, inside_and=True)
    elif isinstance(tree, Or):
        for part in tree.parts:
            _check(part, inside_and=False)
