"""The Merkle tree and consistency proofs against RFC 6962 and its reference test vectors."""

import hashlib

import pytest

from tabadul.audit.hashing import leaf_hash
from tabadul.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    node_hash,
    root,
    verify_consistency,
)

# The inputs and roots of the Certificate Transparency reference tests (RFC 6962 trees).
INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [leaf_hash(x) for x in INPUTS]


def test_empty_tree_hash_is_the_hash_of_nothing():
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference_vectors(size):
    assert root(LEAVES[:size]).hex() == ROOTS[size - 1]


def test_the_frontier_gives_the_same_roots_as_the_whole_tree():
    many = [hashlib.sha256(str(i).encode()).digest() for i in range(300)]
    frontier = Frontier()
    for i, leaf in enumerate(many, start=1):
        frontier.append(leaf)
        assert frontier.root() == root(many[:i])


def recursive_root(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(recursive_root(leaves[:k]), recursive_root(leaves[k:]))


def test_level_by_level_root_equals_rfc_6962_definition():
    many = [hashlib.sha256(bytes([i])).digest() for i in range(70)]
    for n in range(1, 70):
        assert root(many[:n]) == recursive_root(many[:n])


def test_consistency_proofs_verify_for_every_pair_of_sizes():
    many = [hashlib.sha256(bytes([i, 1])).digest() for i in range(40)]
    for n in range(1, 40):
        for m in range(1, n + 1):
            proof = consistency_proof(m, many[:n])
            assert verify_consistency(m, n, root(many[:m]), root(many[:n]), proof)


def test_consistency_proof_fails_when_an_old_leaf_changed():
    many = [hashlib.sha256(bytes([i, 2])).digest() for i in range(20)]
    old_root = root(many[:7])
    tampered = list(many)
    tampered[3] = hashlib.sha256(b"forged").digest()
    proof = consistency_proof(7, tampered)
    assert not verify_consistency(7, 20, old_root, root(tampered), proof)


def test_consistency_proof_fails_for_a_wrong_new_root_or_a_cut_proof():
    many = [hashlib.sha256(bytes([i, 3])).digest() for i in range(13)]
    proof = consistency_proof(5, many)
    assert not verify_consistency(5, 13, root(many[:5]), root(many[:12]), proof)
    assert not verify_consistency(5, 13, root(many[:5]), root(many), proof[:-1])
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(14, many)
