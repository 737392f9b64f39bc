import hashlib

import pytest

from hotline.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The certificate-transparency test vectors (RFC 6962 test data, merkle_test).
CT_LEAVES = [bytes.fromhex(x) for x in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def ct_tree() -> MerkleTree:
    return MerkleTree(leaf_hash(d) for d in CT_LEAVES)


def test_hashes_are_domain_separated():
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]


@pytest.mark.parametrize("n", range(9))
def test_roots_match_the_ct_vectors(n):
    assert ct_tree().root(n).hex() == CT_ROOTS[n]
    assert MerkleTree(leaf_hash(d) for d in CT_LEAVES[:n]).root().hex() == CT_ROOTS[n]


@pytest.mark.parametrize(("index", "size", "expected"), CT_INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index, size, expected):
    tree = ct_tree()
    proof = tree.inclusion_proof(index, size)
    assert [h.hex() for h in proof] == expected
    verify_inclusion(leaf_hash(CT_LEAVES[index]), index, size, proof, tree.root(size))


@pytest.mark.parametrize(("first", "second", "expected"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(first, second, expected):
    tree = ct_tree()
    proof = tree.consistency_proof(first, second)
    assert [h.hex() for h in proof] == expected
    verify_consistency(first, second, tree.root(first), tree.root(second), proof)


def test_every_proof_up_to_70_leaves_verifies_and_every_tampered_one_fails():
    tree = MerkleTree(leaf_hash(i.to_bytes(2, "big")) for i in range(70))
    for n in range(1, 71):
        root = tree.root(n)
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            verify_inclusion(tree.leaf(i), i, n, proof, root)
            with pytest.raises(ProofError):
                verify_inclusion(leaf_hash(b"forged"), i, n, proof, root)
            for k in range(len(proof)):
                bad = list(proof)
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                with pytest.raises(ProofError):
                    verify_inclusion(tree.leaf(i), i, n, bad, root)
            if proof:
                with pytest.raises(ProofError):
                    verify_inclusion(tree.leaf(i), i, n, proof[:-1], root)
            with pytest.raises(ProofError):
                verify_inclusion(tree.leaf(i), i, n, [*proof, root], root)
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m, n)
            verify_consistency(m, n, tree.root(m), root, proof)
            for k in range(len(proof)):
                bad = list(proof)
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                with pytest.raises(ProofError):
                    verify_consistency(m, n, tree.root(m), root, bad)
            if m < n:
                with pytest.raises(ProofError):
                    verify_consistency(m, n, leaf_hash(b"forged"), root, proof)
                with pytest.raises(ProofError):
                    verify_consistency(m, n, tree.root(m), leaf_hash(b"forged"), proof)


def test_a_log_that_shrinks_or_asks_outside_the_tree_is_refused():
    tree = ct_tree()
    with pytest.raises(ProofError, match="shrinks"):
        verify_consistency(8, 6, tree.root(8), tree.root(6), [])
    with pytest.raises(ProofError, match="expected a leaf index"):
        tree.inclusion_proof(8, 8)
    with pytest.raises(ProofError, match="expected a tree size"):
        tree.root(9)
    verify_consistency(0, 8, EMPTY_ROOT, tree.root(), [])
