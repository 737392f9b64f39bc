"""Benchmark: offline verification of a million-event export, `hotline export` of a million-event database,
and Merkle proofs on a million-leaf tree.

    .venv/bin/python bench/verify.py [--events N]

Targets: verify_export of 1,000,000 events (3 channels, a checkpoint of every channel every 1,000 events,
cosigned by every member) in <= 10 s on one core; the export of a SQLite ledger of N events (one in ten a
system event without a party) linear in N: its time per event at N within 1.5x of that at N/4 (a quadratic
export would be 4x); inclusion and consistency proofs (generation and verification) < 1 ms each at
1,000,000 leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ledger"))

from export_builder import demo_builder, stream_events  # noqa: E402

from hotline.ledger.envelope import GENESIS, canonical, event_hash  # noqa: E402
from hotline.ledger.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion  # noqa: E402
from hotline.ledger.offline import verify_export  # noqa: E402
from hotline.service.checkpoints import load_server_key  # noqa: E402
from hotline.service.config import Settings  # noqa: E402
from hotline.service.export import export_ledger  # noqa: E402
from hotline.service.hotline import Hotline  # noqa: E402
from hotline.store.database import Database  # noqa: E402

CHANNELS = {"joint": ["isr", "syr", "usa"], "isr-usa": ["isr", "usa"], "syr-usa": ["syr", "usa"]}


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


def seed_ledger(path: Path, n: int) -> None:
    """A migrated SQLite database holding ``n`` hash-chained events, written straight into the table (the
    writer's pace is not what this measures). One in ten is a system event without a party."""
    url = f"sqlite:///{path}"

    async def migrate() -> None:
        db = Database(url)
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    heads = dict.fromkeys(CHANNELS, GENESIS)
    lengths = dict.fromkeys(CHANNELS, 0)
    names = list(CHANNELS)

    def rows() -> Iterator[tuple[object, ...]]:
        for seq in range(1, n + 1):
            channel = names[seq % 3]
            members = CHANNELS[channel]
            if seq % 10 == 0:
                kind, party, actor, payload = "message.ack_overdue", None, None, {"message_id": f"m{seq - 1}",
                                                                                  "party": members[0]}
            else:
                party = members[seq % len(members)]
                kind, actor = "message.posted", f"{party}-duty"
                payload = {"precedence": "ROUTINE", "text": f"Movement near grid 36S YB {seq % 1000:03d}",
                           "to": [p for p in members if p != party]}
            ev = {"seq": seq, "channel": channel, "chain_index": lengths[channel],
                  "ts": f"2026-11-25T19:{seq // 60 % 60:02d}:{seq % 60:02d}Z", "type": kind, "party": party,
                  "actor": actor, "payload": payload, "prev_hash": heads[channel]}
            ev["hash"] = event_hash(ev)
            heads[channel], lengths[channel] = ev["hash"], lengths[channel] + 1
            yield (seq, channel, ev["chain_index"], ev["ts"], kind, party, actor, canonical(payload).decode(),
                   ev["prev_hash"], ev["hash"])

    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO events (seq, channel, chain_index, ts, type, party, actor, payload, "
                         "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
        conn.executemany("INSERT INTO chains (channel, length, head_hash) VALUES (?, ?, ?)",
                         [(c, lengths[c], heads[c]) for c in CHANNELS])
    conn.close()


def timed_export(path: Path, out: Path) -> tuple[int, float]:
    async def go(fp: IO[bytes]) -> tuple[int, float]:
        hl = Hotline(Settings(database_url=f"sqlite:///{path}"))
        try:
            await load_server_key(hl)  # as after the server's first start
            t0 = time.perf_counter()
            count = await export_ledger(hl, fp)
            return count, time.perf_counter() - t0
        finally:
            await hl.db.dispose()

    with open(out, "wb") as fp:  # as `hotline export -o FILE` writes it
        return asyncio.run(go(fp))


def bench_service_export(n: int) -> None:
    per_event = {}
    for size in (n // 4, n):
        with tempfile.TemporaryDirectory() as tmp:
            db, out = Path(tmp) / "ledger.db", Path(tmp) / "export.jsonl"
            t0 = time.perf_counter()
            seed_ledger(db, size)
            seeded = time.perf_counter() - t0
            count, took = timed_export(db, out)
            assert count == size, (count, size)
            report = verify_export(out)
            assert report.ok, str(report)
            per_event[size] = took / size
            print(f"hotline export (SQLite ledger, 1 in 10 events without a party): {took:.2f} s for {size:,} "
                  f"events ({took / size * 1e6:.2f} µs per event; database seeded in {seeded:.1f} s); "
                  "the export verifies")
    ratio = per_event[n] / per_event[n // 4]
    print(f"  linear: time per event at {n:,} / at {n // 4:,} = {ratio:.2f} (target <= 1.5; quadratic would be "
          f"4) -> {'OK' if ratio <= 1.5 else 'MISSED'}")


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
    bench_service_export(args.events)
    bench_proofs(args.events)


if __name__ == "__main__":
    main()
