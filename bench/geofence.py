"""Geofence benchmark: positions/s on 2,000 zones, and alert latency over CoT with 1,000 tracks.

Run: .venv/bin/python bench/geofence.py [--zones 2000] [--points 100000] [--tracks 1000] [--clients 30]
     [--seconds 20]

Part 1, throughput (target: the pipeline >= 0.5x raw shapely). The same random points in the demo area
are checked against 2,000 synthetic active fence zones (areas of separation, airspace with bands,
protected sites with buffers, corridors):
  - raw: one ``shapely.STRtree.query(points, predicate="intersects")`` over the zones' metric geometries;
  - engine: ``domain.tracks.position_from_dict`` validation + ``Fences.hits`` (inside and hysteresis) +
    ``Tracker.observe`` for every point: what the service does in memory;
  - full: ``service.tracks.ingest`` in batches of 1,000 on a SQLite file: validation, the track store
    insert, the fence check and the finding/transition events through the ledger writer.

Part 2, latency (target: alert p99 < 200 ms). A ``Hotline`` on a SQLite file with the demo zones and
its CoT gateway (plain TCP); ``--clients`` TAK clients of isr connected (reading everything sent to
them); ``--tracks`` syr tracks at 1 Hz over 10 connections, a few of which fly into the Area of
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
from hotline.interop.cot.xml import cot_time
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


def part1(n_zones: int, n_points: int) -> None:
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
    t0 = time.perf_counter()
    x, y = lonlat_to_xy(lon, lat)
    raw = shapely.STRtree(fences.geoms).query(shapely.points(np.column_stack([x, y])), predicate="intersects")
    t_raw = time.perf_counter() - t0

    times = [now] * n_points
    uids = [b["uid"] for b in bodies]
    hae = np.array([b["hae"] for b in bodies])
    air = np.array([b["type"].startswith("a-f-A") for b in bodies])
    t0 = time.perf_counter()
    tracker = Tracker(dwell=timedelta(seconds=5))
    hits = 0
    for start in range(0, n_points, 1000):
        sl = slice(start, start + 1000)
        hits += len(tracker.observe_batch(fences, uids[sl], times[sl], lon[sl], lat[sl], hae[sl], air[sl]))
    t_fence = time.perf_counter() - t0

    t0 = time.perf_counter()
    tracker = Tracker(dwell=timedelta(seconds=5))
    for start in range(0, n_points, 1000):
        chunk = [trk.position_from_dict(world, "syr", b, now) for b in bodies[start:start + 1000]]
        tracker.observe_batch(fences, [p.uid for p in chunk], [p.time for p in chunk], [p.lon for p in chunk],
                              [p.lat for p in chunk], [p.hae for p in chunk], [p.air for p in chunk])
    t_engine = time.perf_counter() - t0
    raw_rate, fence_rate, engine_rate = n_points / t_raw, n_points / t_fence, n_points / t_engine
    print(f"zones {n_zones}, points {n_points}; raw STRtree pairs {raw.shape[1]}")
    print(f"raw shapely STRtree (intersects)     {raw_rate:>10,.0f} positions/s")
    print(f"fence check (inside+hysteresis+dwell) {fence_rate:>9,.0f} positions/s   {fence_rate / raw_rate:.2f}x raw "
          "(target >= 0.5x)")
    print(f"validation + fence check              {engine_rate:>9,.0f} positions/s   {engine_rate / raw_rate:.2f}x raw")
    asyncio.run(_full(zones, bodies[:20_000]))


async def _full(zones: list[Zone], bodies: list[dict[str, Any]]) -> None:
    from hotline.geo.zones import zone_to_feature
    from hotline.service.deconfliction import seed_zones

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'h.db'}")
        await prepare_demo(settings, "bench-password-1234")
        hl = Hotline(settings)
        await hl.start(timers=False)
        try:
            await seed_zones(hl, [zone_to_feature(z) for z in zones])
            now = hl.clock()
            bodies = [{**b, "time": now.isoformat()} for b in bodies]
            await tracks.ingest(hl, "syr", [{**b, "uid": "warm"} for b in bodies[:10]])  # build the fence index
            t0 = time.perf_counter()
            for start in range(0, len(bodies), 1000):
                await tracks.ingest(hl, "syr", bodies[start:start + 1000])
            dt = time.perf_counter() - t0
        finally:
            await hl.stop()
    print(f"full pipeline (store+fence+ledger) {len(bodies) / dt:>8,.0f} positions/s on SQLite, batches of 1,000")


def _event(uid: str, lat: float, lon: float, now: datetime) -> bytes:
    return (f'<event version="2.0" uid="{uid}" type="a-f-A-M-F-Q" time="{cot_time(now)}" start="{cot_time(now)}" '
            f'stale="{cot_time(now + timedelta(seconds=30))}" how="m-g"><point lat="{lat:.6f}" lon="{lon:.6f}" '
            f'hae="2000" ce="10" le="10"/><detail><contact callsign="{uid}"/></detail></event>').encode()


async def part2(n_tracks: int, n_clients: int, seconds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'h.db'}")
        await prepare_demo(settings, "bench-password-1234", zones=True)
        world = load_world(settings.world)
        world.settings["tracks"] = {"dwell_s": 0}
        hl = Hotline(settings, world=world)
        await hl.start(timers=False)
        gw = Gateway(hl, rate=1000, burst=2000)
        syr_port = await gw.start_tcp("127.0.0.1", 0, "syr")
        isr_port = await gw.start_tcp("127.0.0.1", 0, "isr")
        sent_at: dict[str, float] = {}
        latencies: list[float] = []

        async def listen() -> None:
            reader, _ = await asyncio.open_connection("127.0.0.1", isr_port, limit=1 << 20)
            while True:
                data = await reader.readuntil(b"</event>")
                if b"geofence.entered" in data:
                    at = time.perf_counter()
                    i = data.find(b'track="') + 7
                    uid = data[i:data.find(b'"', i)].decode()
                    if uid in sent_at:
                        latencies.append(at - sent_at[uid])

        listeners = [asyncio.create_task(listen()) for _ in range(n_clients)]
        senders = [(await asyncio.open_connection("127.0.0.1", syr_port))[1] for _ in range(10)]
        rng = random.Random(7)
        home = {f"syr-t{i:04d}": (rng.uniform(32.8, 33.3), rng.uniform(36.0, 36.6)) for i in range(n_tracks)}
        uids = list(home)
        await asyncio.sleep(0.5)
        try:
            for second in range(seconds):
                tick = time.perf_counter()
                now = datetime.now(UTC)
                intruders = set(uids[second * 3:second * 3 + 3])  # three new tracks enter the zone each second
                for k, uid in enumerate(uids):
                    lat, lon = home[uid]
                    if uid in intruders:
                        lat, lon = 33.005 + rng.uniform(-0.01, 0.01), 35.8675
                        sent_at[uid] = time.perf_counter()
                    senders[k % 10].write(_event(uid, lat + rng.uniform(-1e-4, 1e-4), lon, now))
                for w in senders:
                    await w.drain()
                await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
            await asyncio.sleep(1.0)
        finally:
            for t in listeners:
                t.cancel()
            await gw.stop()
            await hl.stop()
    if not latencies:
        print("no alert received")
        return
    lat_ms = sorted(x * 1000 for x in latencies)
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))]
    print(f"{n_tracks} tracks at 1 Hz, {n_clients} TAK clients, {seconds} s: {len(lat_ms)} alert receipts; "
          f"latency median {statistics.median(lat_ms):.1f} ms, p99 {p99:.1f} ms (target < 200 ms); "
          f"gateway counters {dict(gw.counters)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zones", type=int, default=2000)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    part1(args.zones, args.points)
    asyncio.run(part2(args.tracks, args.clients, args.seconds))


if __name__ == "__main__":
    main()
