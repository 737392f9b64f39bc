"""RFC 9162 (RFC 6962) Merkle tree over the events of one channel.

A leaf is ``canonical(event)`` (the whole envelope, ``hash`` included). Hashes are domain-separated:
leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``; the root of the empty
tree is ``SHA-256()``.

``MerkleTree`` keeps every complete node: ``levels[k][i]`` is the hash of leaves ``[i * 2**k, (i+1) * 2**k)``.
Appending a leaf adds it to level 0 and completes at most log2(n) parents, so the tree is built in one
pass. Any earlier root, inclusion proof or consistency proof is then read from at most 2 * log2(n) stored
nodes. A million leaves take about 2 million hashes in memory.

The verifiers follow RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) literally and raise
``ProofError`` with what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import sha256

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "ProofError",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"


class ProofError(ValueError):
    """A Merkle proof does not lead to the expected root, or a request is outside the tree."""


def leaf_hash(data: bytes) -> bytes:
    return sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(_NODE + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only Merkle tree that can answer for any size it has had."""

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash (32 bytes); completes the parents it closes."""
        if len(leaf) != 32:
            raise ProofError(f"expected a 32-byte leaf hash, got {len(leaf)} bytes")
        levels = self._levels
        level = levels[0]
        level.append(leaf)
        k = 0
        while not len(level) & 1:
            parent = sha256(_NODE + level[-2] + level[-1]).digest()
            k += 1
            if k == len(levels):
                levels.append([])
            level = levels[k]
            level.append(parent)

    def append_data(self, data: bytes) -> bytes:
        """Append the leaf for ``data``; returns its leaf hash."""
        h = sha256(_LEAF + data).digest()
        self.append(h)
        return h

    def leaf(self, index: int) -> bytes:
        self._check_size(index + 1, "leaf index + 1")
        return self._levels[0][index]

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the first ``size`` leaves (default: all)."""
        size = len(self) if size is None else size
        self._check_size(size, "tree size")
        return self._range(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, ordered from the leaf upwards."""
        size = len(self) if size is None else size
        self._check_size(size, "tree size")
        if not 0 <= index < size:
            raise ProofError(f"expected a leaf index in [0, {size}), got {index}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _largest_power_of_two_below(end - start)
            if index < start + k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1, ordered from the leaves upwards."""
        second = len(self) if second is None else second
        self._check_size(second, "second tree size")
        if not 0 < first <= second:
            raise ProofError(f"expected 0 < first <= {second}, got first = {first}")
        path: list[bytes] = []
        start, end, complete = 0, second, True
        while first != end:
            k = _largest_power_of_two_below(end - start)
            if first - start <= k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
                complete = False
        if not complete:
            path.append(self._range(start, end))
        path.reverse()
        return path

    def _check_size(self, size: int, what: str) -> None:
        if not 0 <= size <= len(self):
            raise ProofError(f"expected a {what} between 0 and {len(self)}, got {size}")

    def _range(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a non-empty range, from the complete nodes that tile it left to right."""
        levels = self._levels
        parts: list[bytes] = []
        while start < end:
            width = (end - start).bit_length() - 1  # the largest 2**width <= end - start ...
            if start:
                width = min(width, (start & -start).bit_length() - 1)  # ... to which start is aligned
            parts.append(levels[width][start >> width])
            start += 1 << width
        root = parts.pop()
        while parts:
            root = sha256(_NODE + parts.pop() + root).digest()
        return root


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: check that ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"expected a leaf index in [0, {size}), got {index}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"expected a proof of {_path_length(index, size)} hashes, got {len(proof)}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"expected a proof of {_path_length(index, size)} hashes, got {len(proof)}")
    if r != root:
        raise ProofError(f"expected root {root.hex()}, the inclusion proof of leaf {index} in a tree of "
                         f"{size} leads to {r.hex()}")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: check that the tree of ``first`` leaves is a prefix of the one of ``second``."""
    if not 0 <= first <= second:
        raise ProofError(f"expected first <= second, got first = {first} and second = {second}: "
                         "a log that shrinks is not consistent")
    if first == second or first == 0:
        if proof:
            raise ProofError(f"expected an empty proof from {first} to {second}, got {len(proof)} hashes")
        if first == 0 and first_root != EMPTY_ROOT:
            raise ProofError(f"expected the empty root for size 0, got {first_root.hex()}")
        if first == second and first_root != second_root:
            raise ProofError(f"expected equal roots for equal sizes {first}, got {first_root.hex()} "
                             f"and {second_root.hex()}")
        return
    if not proof:
        raise ProofError(f"expected a non-empty consistency proof from {first} to {second}, got none")
    path = list(proof)
    if first & (first - 1) == 0:  # first is an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"expected a shorter consistency proof from {first} to {second}, "
                             f"got {len(proof)} hashes")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"expected a longer consistency proof from {first} to {second}, "
                         f"got {len(proof)} hashes")
    if fr != first_root:
        raise ProofError(f"expected first root {first_root.hex()} for size {first}, "
                         f"the consistency proof leads to {fr.hex()}")
    if sr != second_root:
        raise ProofError(f"expected second root {second_root.hex()} for size {second}, "
                         f"the consistency proof leads to {sr.hex()}")


def _path_length(index: int, size: int) -> int:
    """Number of hashes in PATH(index, D[0:size])."""
    length, start, end = 0, 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        start, end = (start, start + k) if index < start + k else (start + k, end)
        length += 1
    return length
