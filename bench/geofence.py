"""Geofence benchmark: positions/s on 2,000 zones, and alert latency over CoT with 1,000 tracks.

Run: .venv/bin/python bench/geofence.py [--part 1|2] [--pg] [--zones 2000] [--points 100000] [--repeat 3]
     [--tracks 1000] [--clients 30] [--seconds 20]

Part 1, throughput (target: the full pipeline >= 0.5x raw shapely). The same random points in the demo
area are checked against 2,000 synthetic active fence zones (areas of separation, airspace with bands,
protected sites with buffers, corridors); a point is in some zone four times out of five, so most
points reach the per-track state (a worst case: real tracks are mostly in no zone):
  - raw: one ``shapely.STRtree.query(points, predicate="intersects")`` over the zones' metric
    geometries, projection included;
  - fence check: ``Tracker.observe_batch`` (inside, altitude bands, hysteresis, dwell) in batches of 1,000;
  - validation + fence check: ``domain.tracks.positions_from_dicts`` then the fence check;
  - full: ``service.tracks.ingest`` in batches of 1,000 on a SQLite file (and, with ``--pg``, a fresh
    PostgreSQL database): validation, the fence check and any finding/transition events through the
    ledger writer, the track store insert (durable), with one caller and with two callers in flight.

Each figure of part 1 is the median of ``--repeat`` runs (the full pipeline on a fresh database each
run, its slowest and fastest run printed beside it): one run of 20,000 positions lasts a fraction of
a second, and on a shared machine its commit waits and the collector's passes make single runs vary
by a factor of two.

Part 2, latency (target: alert p99 < 200 ms). A ``Hotline`` on a SQLite file with the demo zones and
its CoT gateway (plain TCP) in this process; ``--clients`` pytak clients of isr in processes of ten,
reading everything sent to them (every syr track, 1,000 a second each); ``--tracks`` syr tracks at
1 Hz sent by pytak over 10 connections from another process, three of which fly into the Area of
Separation each second (dwell 0 here, so the latency measured is the server's, not the dwell's).
Latency = from writing the first position inside the zone to the finding marker read by each client.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from hotline.demo.setup import prepare_demo
from hotline.domain import tracks as trk
from hotline.geo.geofence import Fences, Tracker
from hotline.geo.projection import lonlat_to_xy
from hotline.geo.zones import Zone
from hotline.interop.cot.gateway import Gateway
from hotline.service import tracks
from hotline.service.config import Settings, load_world
from hotline.service.hotline import Hotline

NAMES = {"en": "z", "he": "z", "ar": "z"}


def synthetic_zones(n: int, rng: random.Random) -> list[Zone]:
    out = []
    for i in range(n):
        lon, lat = rng.uniform(35.6, 36.9), rng.uniform(32.65, 33.45)
        kind = ("separation", "airspace", "protected_site", "corridor")[i % 4]
        if kind == "protected_site":
            geom = shapely.Point(lon, lat)
            rules: dict[str, Any] = {"buffer_m": rng.uniform(200, 1500)}
        else:
            r = rng.uniform(0.003, 0.02)
            geom = shapely.Point(lon, lat).buffer(r, quad_segs=4)
            rules = {"min_m": 0, "max_m": rng.uniform(1000, 8000)} if kind == "airspace" else {}
        out.append(Zone(f"z{i}", kind, NAMES, geom, ("isr", "syr"), rules=rules))  # type: ignore[arg-type]
    return out


def part1(n_zones: int, n_points: int, pg: bool = False, repeat: int = 3) -> None:
    rng = random.Random(13)
    zones = synthetic_zones(n_zones, rng)
    world = load_world(Settings().world)
    now = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    bodies = [{"uid": f"t{i % 1000}", "type": "a-f-A-M-F-Q" if i % 2 else "a-f-G-U-C",
               "lat": rng.uniform(32.65, 33.45), "lon": rng.uniform(35.6, 36.9), "hae": rng.uniform(0, 6000),
               "time": now.isoformat()} for i in range(n_points)]
    lon = np.array([b["lon"] for b in bodies])
    lat = np.array([b["lat"] for b in bodies])

    fences = Fences(zones)

    def raw_run() -> tuple[float, Any]:
        t0 = time.perf_counter()
        x, y = lonlat_to_xy(lon, lat)
        pairs = shapely.STRtree(fences.geoms).query(shapely.points(np.column_stack([x, y])), predicate="intersects")
        return time.perf_counter() - t0, pairs

    times = [now] * n_points
    uids = [b["uid"] for b in bodies]
    hae = np.array([b["hae"] for b in bodies])
    air = np.array([b["type"].startswith("a-f-A") for b in bodies])

    def fence_run() -> float:
        t0 = time.perf_counter()
        tracker = Tracker(dwell=timedelta(seconds=5))
        for start in range(0, n_points, 1000):
            sl = slice(start, start + 1000)
            tracker.observe_batch(fences, uids[sl], times[sl], lon[sl], lat[sl], hae[sl], air[sl])
        return time.perf_counter() - t0

    def engine_run() -> float:
        t0 = time.perf_counter()
        tracker = Tracker(dwell=timedelta(seconds=5))
        for start in range(0, n_points, 1000):
            chunk = trk.positions_from_dicts(world, "syr", bodies[start:start + 1000], now)
            tracker.observe_batch(fences, [p.uid for p in chunk], [p.time for p in chunk], [p.lon for p in chunk],
                                  [p.lat for p in chunk], [p.hae for p in chunk], [p.air for p in chunk])
        return time.perf_counter() - t0

    # Medians of ``repeat`` runs each: on a shared machine one run of a fraction of a second is noise.
    raws = [raw_run() for _ in range(repeat)]
    raw = raws[0][1]
    t_raw = statistics.median(t for t, _ in raws)
    t_fence = statistics.median(fence_run() for _ in range(repeat))
    t_engine = statistics.median(engine_run() for _ in range(repeat))
    raw_rate, fence_rate, engine_rate = n_points / t_raw, n_points / t_fence, n_points / t_engine
    print(f"zones {n_zones}, points {n_points}; raw STRtree pairs {raw.shape[1]}")
    print(f"raw shapely STRtree (intersects)     {raw_rate:>10,.0f} positions/s")
    print(f"fence check (inside+hysteresis+dwell) {fence_rate:>9,.0f} positions/s   {fence_rate / raw_rate:.2f}x raw "
          "(target >= 0.5x)")
    print(f"validation + fence check              {engine_rate:>9,.0f} positions/s   {engine_rate / raw_rate:.2f}x raw")
    stores = ["SQLite"] + (["PostgreSQL"] if pg else [])
    for store_name in stores:
        for in_flight in (1, 2):
            rates = []
            for _ in range(repeat):  # a fresh database each run
                if store_name == "SQLite":
                    with tempfile.TemporaryDirectory() as tmp:
                        rates.append(asyncio.run(_full(zones, bodies[:20_000], in_flight,
                                                       f"sqlite:///{Path(tmp) / 'h.db'}")))
                else:
                    from hotline.testing import fresh_postgres

                    with fresh_postgres() as url:
                        rates.append(asyncio.run(_full(zones, bodies[:20_000], in_flight, url)))
            full_rate = statistics.median(rates)
            print(f"full pipeline on {store_name}, {in_flight} batch{'es' if in_flight > 1 else ''} of 1,000 in flight "
                  f"{full_rate:>9,.0f} positions/s   {full_rate / raw_rate:.2f}x raw (target >= 0.5x)   "
                  f"runs {min(rates):,.0f}..{max(rates):,.0f}")


async def _full(zones: list[Zone], bodies: list[dict[str, Any]], in_flight: int, url: str) -> float:
    from hotline.geo.zones import zone_to_feature
    from hotline.service.deconfliction import seed_zones

    settings = Settings(database_url=url)
    await prepare_demo(settings, "bench-password-1234")
    hl = Hotline(settings)
    await hl.start(timers=False)
    try:
        await seed_zones(hl, [zone_to_feature(z) for z in zones])
        now = hl.clock()
        bodies = [{**b, "time": now.isoformat()} for b in bodies]
        await tracks.ingest(hl, "syr", [{**b, "uid": "warm"} for b in bodies[:10]])  # build the fence index
        batches = [bodies[start:start + 1000] for start in range(0, len(bodies), 1000)]

        async def feed(mine: list[list[dict[str, Any]]]) -> None:
            for batch in mine:
                await tracks.ingest(hl, "syr", batch)

        # One caller awaits each batch; with two (two API clients, or the gateway's flusher and an
        # API client), one batch's track store insert runs in the driver's thread while the next is
        # validated and checked.
        t0 = time.perf_counter()
        await asyncio.gather(*(feed(batches[k::in_flight]) for k in range(in_flight)))
        dt = time.perf_counter() - t0
    finally:
        await hl.stop()
    return len(bodies) / dt


# -- part 2: TAK clients in processes of their own ---------------------------------------------------
# The clients are pytak's (``protocol_factory``, ``TXWorker.send_data``, ``RXWorker.readcot``, ``gen_cot``),
# as in tests/interop. Thirty of them fit in one process (each is a reader coroutine over pytak's
# RXWorker; pytak's queues are only needed for its own CLI loop), but 30 clients reading 1,000 tracks a
# second each is 30,000 events/s of client work that would otherwise share the server's event loop and
# inflate the very latency measured; so they run ten to a process, the senders in another, and the
# server alone in this one. Times are time.monotonic(), one clock for every process of this machine.
RECEIVERS_PER_PROCESS = 10


def _tak_config(port: int) -> Any:
    from configparser import ConfigParser

    cfg = ConfigParser()
    cfg["t"] = {"COT_URL": f"tcp://127.0.0.1:{port}"}
    return cfg["t"]


def _pytak() -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pytak warns at import that its optional enrolment extra is absent
        import pytak
    return pytak


async def _receivers(port: int, n: int, seconds: float) -> None:
    """``n`` pytak clients of isr; prints one JSON line: every (client, track uid, receipt time) of a finding."""
    import json

    pytak = _pytak()
    got: list[tuple[int, str, float]] = []

    async def one(k: int, rx: Any) -> None:
        seen: set[str] = set()
        while True:
            data = await rx.readcot()
            if data is None:
                return
            if b'rule="geofence.entered"' in data:
                at = time.monotonic()
                i = data.find(b'track="') + 7
                uid = data[i:data.find(b'"', i)].decode()
                if uid not in seen:  # one finding per zone entered; the first to arrive counts
                    seen.add(uid)
                    got.append((k, uid, at))

    rxs, writers = [], []  # a StreamWriter closes its connection when collected: keep them
    for _ in range(n):
        config = _tak_config(port)
        reader, writer = await pytak.protocol_factory(config)
        writers.append(writer)
        rxs.append(pytak.RXWorker(asyncio.Queue(), config, reader))
    tasks = [asyncio.create_task(one(k, rx)) for k, rx in enumerate(rxs)]
    print("ready", flush=True)
    await asyncio.sleep(seconds)
    for t in tasks:
        t.cancel()
    print(json.dumps({"got": got, "cpu_s": time.process_time()}), flush=True)


async def _senders(port: int, n_tracks: int, seconds: int) -> None:
    """``n_tracks`` syr tracks at 1 Hz over 10 pytak connections; three new ones fly into the Area of
    Separation each second. Prints one JSON line: uid -> time its first in-zone position was written."""
    import json

    pytak = _pytak()
    txs = []
    for _ in range(10):
        config = _tak_config(port)
        _reader, writer = await pytak.protocol_factory(config)
        txs.append(pytak.TXWorker(asyncio.Queue(), config, writer))
    rng = random.Random(7)
    home = {f"syr-t{i:04d}": (rng.uniform(32.8, 33.3), rng.uniform(36.0, 36.6)) for i in range(n_tracks)}
    uids = list(home)
    sent_at: dict[str, float] = {}
    for second in range(seconds):
        tick = time.monotonic()
        intruders = set(uids[second * 3:second * 3 + 3])
        for k, uid in enumerate(uids):
            lat, lon = home[uid]
            if uid in intruders:
                lat, lon = 33.005 + rng.uniform(-0.01, 0.01), 35.8675
            data = pytak.gen_cot(lat=lat + rng.uniform(-1e-4, 1e-4), lon=lon, hae=2000, ce=10, le=10, uid=uid,
                                 stale=30, cot_type="a-f-A-M-F-Q", callsign=uid)
            if uid in intruders:
                sent_at[uid] = time.monotonic()
            await txs[k % 10].send_data(data)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    print(json.dumps(sent_at), flush=True)


def _run_queue_wait_s() -> float | None:
    """Seconds this process's threads have been ready to run but waiting for a CPU (Linux schedstat):
    on a shared machine, the part of the latency that is the machine's, not the server's."""
    total = 0.0
    try:
        for task in Path("/proc/self/task").iterdir():
            total += int((task / "schedstat").read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None
    return total


async def part2(n_tracks: int, n_clients: int, seconds: int) -> None:
    import json
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'h.db'}")
        await prepare_demo(settings, "bench-password-1234", zones=True)
        world = load_world(settings.world)
        world.settings["tracks"] = {"dwell_s": 0}  # the latency measured is the server's, not the dwell's
        hl = Hotline(settings, world=world)
        await hl.start(timers=False)
        gw = Gateway(hl, rate=1000, burst=2000)
        syr_port = await gw.start_tcp("127.0.0.1", 0, "syr")
        isr_port = await gw.start_tcp("127.0.0.1", 0, "isr")
        me = [sys.executable, __file__]
        receivers = []
        for start in range(0, n_clients, RECEIVERS_PER_PROCESS):
            n = min(RECEIVERS_PER_PROCESS, n_clients - start)
            receivers.append(await asyncio.create_subprocess_exec(
                *me, "--role", "receivers", "--port", str(isr_port), "--clients", str(n),
                "--seconds", str(seconds + 6), stdout=subprocess.PIPE))
        for r in receivers:
            assert r.stdout is not None
            assert (await r.stdout.readline()).strip() == b"ready"
        await asyncio.sleep(1.0)  # every connection accepted and the zones sent on connect read
        senders = await asyncio.create_subprocess_exec(
            *me, "--role", "senders", "--port", str(syr_port), "--tracks", str(n_tracks), "--seconds", str(seconds),
            stdout=subprocess.PIPE)
        cpu0, wall0, wait0 = time.process_time(), time.monotonic(), _run_queue_wait_s()
        try:
            out, _ = await senders.communicate()
            wall = time.monotonic() - wall0
            cpu = (time.process_time() - cpu0) / wall
            wait1 = _run_queue_wait_s()
            waited = ("" if wait0 is None or wait1 is None
                      else f", waited for a CPU {(wait1 - wait0) / wall:.0%} of the time")
            sent_at: dict[str, float] = json.loads(out)
            got: list[tuple[int, str, float]] = []
            clients_cpu = 0.0
            for r in receivers:
                out, _ = await r.communicate()
                answer = json.loads(out)
                got += [tuple(x) for x in answer["got"]]
                clients_cpu += answer["cpu_s"]
        finally:
            await gw.stop()
            await hl.stop()
    lat_ms = sorted((at - sent_at[uid]) * 1000 for _, uid, at in got if uid in sent_at)
    expected = len(sent_at) * n_clients
    if not lat_ms:
        print("no alert received")
        return
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))]
    print(f"{n_tracks} tracks at 1 Hz over CoT, {n_clients} pytak clients, {seconds} s: {len(lat_ms)} of {expected} "
          f"alert receipts; latency median {statistics.median(lat_ms):.1f} ms, p99 {p99:.1f} ms (target < 200 ms); "
          f"server process CPU {cpu:.0%} of a core meanwhile{waited}; the {n_clients} clients' processes "
          f"{clients_cpu / (seconds + 6):.0%} of a core; gateway counters {dict(gw.counters)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zones", type=int, default=2000)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--role", choices=("receivers", "senders"), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--part", type=int, choices=(1, 2), help="run only part 1 or part 2")
    ap.add_argument("--repeat", type=int, default=3, help="part 1: runs of each measurement (their median is printed)")
    ap.add_argument("--pg", action="store_true", help="part 1's full pipeline on PostgreSQL too (HOTLINE_TEST_PG)")
    args = ap.parse_args()
    if args.role == "receivers":
        asyncio.run(_receivers(args.port, args.clients, args.seconds))
        return
    if args.role == "senders":
        asyncio.run(_senders(args.port, args.tracks, args.seconds))
        return
    if args.part != 2:
        part1(args.zones, args.points, args.pg, args.repeat)
    if args.part == 2 or args.part is None:
        asyncio.run(part2(args.tracks, args.clients, args.seconds))


if __name__ == "__main__":
    main()
