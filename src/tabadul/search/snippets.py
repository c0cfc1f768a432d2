"""Highlighted extracts of the original text, safe in mixed right-to-left and left-to-right text.

The index holds analysed tokens, not the text as written, so extracts are
cut here from the original: each word of the text is analysed the way the
index analysed it and marked when it matches a word, stem, prefix or phrase
of the query. The same code runs on both backends, so they agree.

An extract is a list of fragments (text, matched or not). Rendered as HTML
each marked word is wrapped in ``<mark><bdi>…</bdi></mark>`` and the whole
extract in ``<bdi dir="…">``: the bidirectional algorithm then cannot pull
a Latin name inside Arabic text (or the reverse) out of its place, nor let
the extract's direction leak into the page around it. As plain text, marked
words are wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE for the
same reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from tabadul.search.analysis import fold, is_arabic, query_stems, stem_arabic, stem_latin
from tabadul.search.query import Node, Phrase, Word, terms

_WORD = re.compile(r"[^\W_]+")
WINDOW = 200  # characters around the first match
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class Fragment:
    """A run of an extract; ``match`` when it is a word the query found."""

    text: str
    match: bool = False


@dataclass(frozen=True)
class Snippet:
    """A highlighted extract and the direction it reads in."""

    fragments: list[Fragment]
    direction: str  # "rtl" or "ltr"

    @property
    def html(self) -> str:
        """The extract as HTML, escaped, with ``<mark>`` around matches and isolated runs."""
        inner = "".join(
            f"<mark><bdi>{html.escape(f.text)}</bdi></mark>" if f.match else html.escape(f.text)
            for f in self.fragments
        )
        return f'<bdi dir="{self.direction}">{inner}</bdi>'

    @property
    def text(self) -> str:
        """The extract as plain text, matches isolated (and so readable in a terminal)."""
        return "".join(f"{FSI}{f.text}{PDI}" if f.match else f.text for f in self.fragments)


class Highlighter:
    """Decides, word by word, what a query matched."""

    def __init__(self, tree: Node, keys: Callable[[str], list[str]]) -> None:
        self.words: set[str] = set()
        self.stems: set[str] = set()
        self.prefixes: list[str] = []
        self.phrases: list[tuple[str, ...]] = []
        self.keys: set[str] = set()
        self._keys = keys
        # Each word's folded form and verdict, by its spelling and the text's language:
        # a page of results repeats its words, and a verdict costs a stem and a name parse.
        self._seen: dict[tuple[str, str | None], tuple[str, bool]] = {}
        for term in terms(tree):
            if isinstance(term, Phrase):
                self.phrases.append(term.words)
                self.keys.update(keys(term.raw or " ".join(term.words)))
            elif term.prefix:
                self.prefixes.append(term.word)
            else:
                self._add_word(term)

    def _add_word(self, term: Word) -> None:
        self.words.add(term.word)
        self.stems.update(query_stems(term.raw))
        self.keys.update(self._keys(term.raw))

    def snippet(self, text: str, language: str | None) -> Snippet:
        """The part of ``text`` around its first match, with every match marked."""
        spans = list(_WORD.finditer(text))
        words = [self._word(s.group(), language) for s in spans]
        folded = [f for f, _ in words]
        marked = [m for _, m in words]
        for phrase in self.phrases:
            n = len(phrase)
            for i in range(len(folded) - n + 1):
                if tuple(folded[i : i + n]) == phrase:
                    for j in range(i, i + n):
                        marked[j] = True
        first = next((i for i, m in enumerate(marked) if m), None)
        start = 0 if first is None else max(0, spans[first].start() - WINDOW // 3)
        end = min(len(text), start + WINDOW)
        if start > 0:  # do not cut a word in half
            start = next((s.start() for s in spans if s.start() >= start), start)
        fragments: list[Fragment] = [Fragment("…")] if start > 0 else []
        position = start
        for span, is_match in zip(spans, marked, strict=True):
            if span.start() < start or span.end() > end:
                continue
            if is_match:
                if span.start() > position:
                    fragments.append(Fragment(text[position : span.start()]))
                fragments.append(Fragment(span.group(), True))
                position = span.end()
        tail = text[position:end]
        if tail:
            fragments.append(Fragment(tail))
        if end < len(text):
            fragments.append(Fragment("…"))
        return Snippet(_merge(fragments), direction_of(text, language))

    def _word(self, raw: str, language: str | None) -> tuple[str, bool]:
        """A word of the text folded, and whether it matches (alone; phrases are found after)."""
        key = (raw, language)
        seen = self._seen.get(key)
        if seen is None:
            folded = fold(raw)
            seen = self._seen[key] = (folded, self._matches(raw, folded, language))
        return seen

    def _matches(self, raw: str, folded: str, language: str | None) -> bool:
        if folded in self.words or any(folded.startswith(p) for p in self.prefixes):
            return True
        if self.stems:
            lowered = raw.casefold()
            stem = (
                stem_arabic(lowered) if is_arabic(lowered) else stem_latin(lowered, language or "")
            )
            if stem in self.stems:
                return True
        return bool(self.keys) and any(k in self.keys for k in self._keys(raw))


def _merge(fragments: list[Fragment]) -> list[Fragment]:
    merged: list[Fragment] = []
    for f in fragments:
        if merged and not f.match and not merged[-1].match:
            merged[-1] = Fragment(merged[-1].text + f.text)
        else:
            merged.append(f)
    return [f for f in merged if f.text]


def direction_of(text: str, language: str | None) -> str:
    """``rtl`` for Arabic text (by language, or by most letters), else ``ltr``."""
    if language == "ar":
        return "rtl"
    letters = [ch for ch in text[:400] if ch.isalpha()]
    arabic = sum(1 for ch in letters if is_arabic(ch))
    return "rtl" if letters and arabic * 2 > len(letters) else "ltr"
