"""Benchmark: offline verification of a million-event export, and Merkle proofs on a million-leaf tree.

    /work/venv/bin/python bench/verify.py [--events N]

Targets: verify_export of 1,000,000 events (3 channels, a checkpoint of every channel every 1,000 events,
cosigned by every member) in <= 10 s on one core; inclusion and consistency proofs (generation and
verification) < 1 ms each at 1,000,000 leaves.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ledger"))

from export_builder import demo_builder, stream_events  # noqa: E402

from hotline.ledger.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion  # noqa: E402
from hotline.ledger.offline import verify_export  # noqa: E402


def bench_export(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.jsonl"
        t0 = time.perf_counter()
        b = demo_builder(n=0)
        b.keep_events = False
        b.write(path, events=itertools.chain(list(b.events), stream_events(b, n, every=1000)))
        built = time.perf_counter() - t0
        size = path.stat().st_size
        print(f"fixture: {n:,} events, {len(b.checkpoints):,} checkpoints, {len(b.cosignatures):,} cosignatures, "
              f"{size / 1e6:.0f} MB, built in {built:.1f} s")
        t0 = time.perf_counter()
        report = verify_export(path, trusted_server_keys=[b.server.verifier.vkey])
        took = time.perf_counter() - t0
        assert report.ok, str(report)
        target = 10.0 * n / 1_000_000
        print(f"verify_export: {took:.2f} s for {report.events:,} events "
              f"(target <= {target:.2f} s, i.e. 10 s per million) -> {'OK' if took <= target else 'MISSED'}")
        print(f"  {took / report.events * 1e6:.2f} µs per event")


def bench_proofs(n: int, samples: int = 2000) -> None:
    t0 = time.perf_counter()
    tree = MerkleTree(leaf_hash(i.to_bytes(8, "big")) for i in range(n))
    print(f"tree: {n:,} leaves built in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(1)
    root = tree.root()
    inc, con = [], []
    for _ in range(samples):
        i = rng.randrange(n)
        t = time.perf_counter()
        verify_inclusion(tree.leaf(i), i, n, tree.inclusion_proof(i), root)
        inc.append(time.perf_counter() - t)
        m = rng.randrange(1, n)
        t = time.perf_counter()
        verify_consistency(m, n, tree.root(m), root, tree.consistency_proof(m))
        con.append(time.perf_counter() - t)
    for name, xs in (("inclusion", inc), ("consistency", con)):
        med = statistics.median(xs) * 1e6
        print(f"{name} proof (generate + verify) at {n:,} leaves: median {med:.0f} µs, "
              f"p99 {sorted(xs)[len(xs) * 99 // 100] * 1e6:.0f} µs (target < 1000 µs) "
              f"-> {'OK' if med < 1000 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_export(args.events)
    bench_proofs(args.events)


if __name__ == "__main__":
    main()
