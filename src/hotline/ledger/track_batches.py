"""Track batches: a Merkle root over a batch of track points, so a changed point is detected.

The ledger holds one ``track.batch_sealed`` event per batch (``batch_id``, ``count``, ``root``); the
points themselves stay in the track store. The export carries them as records after the checkpoints::

    {"batch":"tb-...","kind":"track_point","point":{...}}     in the batch's order

so the offline verifier can recompute each batch's root (RFC 9162 leaves over the canonical JSON of
each point, ``merkle.MerkleTree``) and compare it with the sealed event, without a database. We chose
to carry the points in the export rather than check them against a live database because the export
is what a party takes away: its verdict must not depend on the host still answering honestly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .envelope import canonical
from .merkle import MerkleTree, leaf_hash

__all__ = ["batch_root", "check_batches"]


def batch_root(points: Iterable[Mapping[str, Any]]) -> str:
    """Hex Merkle root over the canonical JSON of each point, in order."""
    tree = MerkleTree(leaf_hash(canonical(dict(p))) for p in points)
    return tree.root().hex()


def check_batches(sealed: Mapping[str, Mapping[str, Any]],
                  points: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """Problems found comparing sealed batches (``batch_id`` -> seal payload) with the exported points."""
    problems = []
    for batch_id, seal in sorted(sealed.items()):
        got = points.get(batch_id, [])
        if len(got) != seal["count"]:
            problems.append(f"track batch {batch_id}: expected {seal['count']} points, got {len(got)}")
            continue
        root = batch_root(got)
        if root != seal["root"]:
            problems.append(f"track batch {batch_id}: expected Merkle root {seal['root']}, got {root} "
                            "(a track point was changed)")
    for batch_id in sorted(set(points) - set(sealed)):
        problems.append(f"track batch {batch_id}: points in the export but no track.batch_sealed event")
    return problems
