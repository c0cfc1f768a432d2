"""Checking the audit log: recompute every hash, follow the chain, check every checkpoint.

What each kind of tampering looks like:

- an event **changed** in place: its content no longer hashes to its leaf hash;
- an event **removed**: a sequence number is missing, and the next event's
  chain link does not follow from the one before;
- an event **inserted** or events **reordered**: the entry's sequence number
  is part of what is hashed, so the entry at the wrong place no longer hashes
  to its leaf, or its chain link breaks;
- the whole log **rewritten** with fresh hashes: no longer matches the
  Merkle root of a checkpoint the node signed (whose signature the forger
  cannot make), nor a checkpoint kept outside the node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tabadul.audit.checkpoints import Checkpoint
from tabadul.audit.hashing import GENESIS, Entry, chain_hash, leaf_hash
from tabadul.audit.merkle import Frontier

MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One thing found wrong: the event number it concerns (if one), and what."""

    seq: int | None
    kind: str  # changed, removed, chain, checkpoint, signature
    message: str


@dataclass
class Result:
    """What a verification found."""

    tree_size: int = 0
    root_hash: bytes = b""
    checkpoints_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The earliest problem in the log (checkpoint problems after event problems)."""
        with_seq = [p for p in self.problems if p.seq is not None]
        if with_seq:
            return min(with_seq, key=lambda p: p.seq or 0)
        return self.problems[0] if self.problems else None

    def note(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def verify(
    entries: Iterable[tuple[Entry, str, str]],
    checkpoints: Sequence[Checkpoint],
    public_key: Ed25519PublicKey,
) -> Result:
    """Check a log given as (entry, stored leaf hash, stored chain hash) in sequence order."""
    result = Result()
    by_size: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        if not cp.verify(public_key):
            result.note(
                Problem(
                    None,
                    "signature",
                    f"checkpoint of size {cp.tree_size} is not signed by this node",
                )
            )
            continue
        by_size.setdefault(cp.tree_size, []).append(cp)

    frontier = Frontier()
    expected, previous = 1, GENESIS
    for entry, stored_leaf, stored_chain in entries:
        if entry.seq != expected:
            missing = f"{expected}" if entry.seq == expected + 1 else f"{expected}–{entry.seq - 1}"
            result.note(
                Problem(expected, "removed", f"event {missing} missing: removed from the log")
            )
            expected = entry.seq
        leaf = leaf_hash(entry.canonical())
        if leaf.hex() != stored_leaf:
            result.note(
                Problem(
                    entry.seq,
                    "changed",
                    f"event {entry.seq} changed, inserted or moved: "
                    "its content does not match its hash",
                )
            )
        if chain_hash(previous, bytes.fromhex(stored_leaf)).hex() != stored_chain:
            result.note(
                Problem(
                    entry.seq,
                    "chain",
                    f"event {entry.seq}: the hash chain breaks "
                    "(an event before it was removed, inserted or reordered)",
                )
            )
        previous = bytes.fromhex(stored_chain)
        frontier.append(leaf)
        for cp in by_size.get(frontier.size, []):
            _check_root(result, cp, frontier.root())
        expected += 1

    result.tree_size = frontier.size
    result.root_hash = frontier.root()
    for size, cps in by_size.items():
        if size > frontier.size:
            result.checkpoints_checked += len(cps)
            result.note(
                Problem(
                    frontier.size + 1,
                    "removed",
                    f"the log has {frontier.size} events but a signed checkpoint covered "
                    f"{size}: events removed from its end",
                )
            )
    return result


def _check_root(result: Result, cp: Checkpoint, recomputed: bytes) -> None:
    result.checkpoints_checked += 1
    if recomputed.hex() != cp.root_hash:
        result.note(
            Problem(
                None,
                "checkpoint",
                f"events 1–{cp.tree_size} no longer match the checkpoint signed at "
                f"{cp.signed_at:%Y-%m-%d %H:%M:%S} UTC: the log was rewritten",
            )
        )
