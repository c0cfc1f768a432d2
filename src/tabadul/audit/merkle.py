"""Merkle tree hashes and consistency proofs, as in RFC 6962 §2.1 (and RFC 9162 §2.1).

The tree over leaf hashes ``d[0:n]``: MTH of one leaf is the leaf hash; for
n > 1, with k the largest power of two smaller than n,
``MTH(d[0:n]) = SHA-256(0x01 || MTH(d[0:k]) || MTH(d[k:n]))``. A consistency
proof shows that the tree of size m is a prefix of the tree of size n, so a
checkpoint kept elsewhere proves that nothing it covered has changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256 of 0x01, the left and the right child."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of the leaf hashes, computed level by level (O(n), no recursion).

    Pairing left to right and carrying an odd last node up unchanged gives
    exactly RFC 6962's split at the largest power of two.
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def consistency_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2: that the first m leaves' tree is a prefix of all n."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root(leaves)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root(leaves[:k])]


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof (RFC 9162 §2.1.4.2)."""
    if m == n:
        return not proof and old_root == new_root
    if not 0 < m < n or not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:  # m is a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The Merkle root of a growing list of leaves, kept in O(log n) space.

    It holds the roots of the perfect subtrees that make up the prefix seen
    so far (largest first); the RFC 6962 root of that prefix folds them from
    the right. Used to check every checkpoint in one pass over the log.
    """

    def __init__(self) -> None:
        self._subtrees: list[tuple[int, bytes]] = []  # (size, hash), sizes strictly decreasing
        self.size = 0

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        size, value = 1, leaf
        while self._subtrees and self._subtrees[-1][0] == size:
            left_size, left = self._subtrees.pop()
            value = node_hash(left, value)
            size += left_size
        self._subtrees.append((size, value))
        self.size += 1

    def root(self) -> bytes:
        """The Merkle tree hash of every leaf appended so far."""
        if not self._subtrees:
            return EMPTY_ROOT
        value = self._subtrees[-1][1]
        for _size, left in reversed(self._subtrees[:-1]):
            value = node_hash(left, value)
        return value
