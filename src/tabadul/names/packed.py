"""Short ASCII strings packed in one byte buffer, for gathering thousands at a time.

The index's re-ranking reads the skeletons of a few thousand scattered
elements per search. Held as Python strings, each read is two cache misses
(the list's slot, then the string object), and at a million names those
misses were most of a search's re-ranking (docs/benchmarks.md, Names, Speed,
session 11). Packed one after another in a ``bytearray``, the same reads are
one NumPy gather of a few kilobytes, and one ``split`` makes the strings.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["PackedForms"]


def _ranges(
    buffer: bytearray, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> str:
    """``buffer[start : start + length]`` for each start and length, one after another."""
    ends = np.cumsum(lengths)
    offsets = np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1])
    text: str = np.frombuffer(buffer, dtype=np.uint8)[offsets].tobytes().decode("ascii")
    return text


class PackedForms:
    """Each item's forms (ASCII, no spaces), item ``i`` the ``i``-th appended.

    Stored as ``"FORM FORM "`` per item in one buffer, with where each item
    starts, how long it is, how many forms it has and how long its first is.
    """

    def __init__(self) -> None:
        self._bytes = bytearray()
        self._starts = array("q")
        self._lengths = array("q")
        self._counts = array("q")
        self._first = array("q")

    def __len__(self) -> int:
        return len(self._starts)

    def append(self, forms: Sequence[str]) -> None:
        """Add an item with ``forms`` (at least one; each ASCII, with no space)."""
        if not forms or any(" " in form or not form.isascii() for form in forms):
            raise ValueError(f"forms must be one or more, ASCII, without spaces: {forms!r}")
        text = (" ".join(forms) + " ").encode("ascii")
        self._starts.append(len(self._bytes))
        self._lengths.append(len(text))
        self._counts.append(len(forms))
        self._first.append(len(forms[0]))
        self._bytes += text

    def forms(self, items: npt.NDArray[np.integer]) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Every form of ``items`` in one list, and how many forms each item has."""
        counts = np.frombuffer(self._counts, dtype=np.int64)[items]
        if len(items) == 0:
            return [], counts
        starts = np.frombuffer(self._starts, dtype=np.int64)[items]
        lengths = np.frombuffer(self._lengths, dtype=np.int64)[items]
        return _ranges(self._bytes, starts, lengths)[:-1].split(" "), counts

    def joined(self, left: npt.NDArray[np.integer], right: npt.NDArray[np.integer]) -> list[str]:
        """For each ``left[k]``, ``right[k]``: the first form of one and of the other, joined."""
        if len(left) == 0:
            return []
        starts = np.frombuffer(self._starts, dtype=np.int64)
        first = np.frombuffer(self._first, dtype=np.int64)
        # Left's first form, then right's with the space after it: "AB AB ... ".
        segments = np.empty(2 * len(left), dtype=np.int64)
        lengths = np.empty(2 * len(left), dtype=np.int64)
        segments[0::2], segments[1::2] = starts[left], starts[right]
        lengths[0::2], lengths[1::2] = first[left], first[right] + 1
        return _ranges(self._bytes, segments, lengths)[:-1].split(" ")
