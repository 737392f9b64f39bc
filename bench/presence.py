"""What presence costs, and how fast a desk's change of state reaches every console, on a real server.

    python bench/presence.py [--consoles-per-party 100] [--rest-seconds 30] [--changes 40]

A real uvicorn server on a SQLite file with the demo world and the default 15 s heartbeat; 300 console
streams (100 per party, a separate process) stay connected, each counted by the presence watch. It
prints:

1. the server's CPU at rest with every console connected: user + system time of the server process over
   --rest-seconds, as a share of one core (target: < 2 %);
2. how long a desk's change of state takes to reach every console: Israel's duty officer signs on and
   off --changes times, and each console notes when the desk.signed_on / desk.signed_off event arrives
   (same machine, same clock); p50 and p99 over every (change, console) pair, from the event's time in
   the ledger (the state change) and, for comparison, from the moment the sign-on request was sent
   (target: p99 < 1 s from the state change).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets
from _stream import events, frames, until_ready

from hotline.domain.timefmt import parse_iso
from hotline.testing import ServerProcess, login

PARTIES = ("isr-duty", "syr-duty", "usa-duty")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def consoles(base_url: str, tokens: list[str], ready: mp.Event, stop: mp.Event, out: mp.Queue) -> None:
    """Hold one stream per token; report (hash, arrival time) of every desk event each receives (by
    hash: each party numbers the event by its own cursor)."""
    async def one(token: str, seen: list[tuple[str, float, str]], connected: list[int]) -> None:
        url = base_url.replace("http", "ws", 1) + "/api/v1/stream?after=0"
        async with websockets.connect(url, additional_headers={"authorization": f"Bearer {token}"},
                                      max_size=2**24) as ws:
            await until_ready(ws)
            connected.append(1)
            async for now, frame in frames(ws, stop):
                # By hash: each party numbers the same desk event by its own cursor.
                seen.extend((e["hash"], now, e["ts"]) for e in events(frame) if e["type"].startswith("desk."))

    async def main() -> None:
        seen: list[tuple[str, float, str]] = []
        connected: list[int] = []
        tasks = [asyncio.create_task(one(t, seen, connected)) for t in tokens]
        while len(connected) < len(tokens):  # noqa: ASYNC110 (a count, not an event)
            await asyncio.sleep(0.1)
        ready.set()
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event cannot be awaited)
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put(seen)

    asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--consoles-per-party", type=int, default=100)
    ap.add_argument("--rest-seconds", type=float, default=30.0)
    ap.add_argument("--changes", type=int, default=40)
    args = ap.parse_args()
    n = args.consoles_per_party
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(f"sqlite:///{tmp}/bench.db", log=Path(tmp) / "server.log",
                               env={"HOTLINE_STREAMS_PER_USER": str(n + 10)})
        server.prepare()
        with server.start():
            assert server.proc is not None
            clients = {u: login(server.base_url, u) for u in PARTIES}
            tokens = [clients[u].headers["authorization"].split(" ", 1)[1] for u in PARTIES for _ in range(n)]
            ready, stop, out = mp.Event(), mp.Event(), mp.Queue()
            proc = mp.Process(target=consoles, args=(server.base_url, tokens, ready, stop, out))
            proc.start()
            if not ready.wait(120):
                sys.exit("the consoles did not connect in time")
            time.sleep(3)  # let connection set-up settle
            before, started = cpu_seconds(server.proc.pid), time.monotonic()
            time.sleep(args.rest_seconds)
            cpu = (cpu_seconds(server.proc.pid) - before) / (time.monotonic() - started)

            isr = clients["isr-duty"]
            sent: dict[str, float] = {}
            for i in range(args.changes):
                path = "/api/v1/desks/isr/sign-on" if i % 2 == 0 else "/api/v1/desks/isr/sign-off"
                at = time.time()
                r = isr.post(path, json={} if i % 2 else None)
                r.raise_for_status()
                events = isr.get("/api/v1/events?after=0&limit=1000").json()["events"]
                newest = max((e for e in events if e["type"] in ("desk.signed_on", "desk.signed_off")),
                             key=lambda e: e["seq"])
                sent[newest["hash"]] = at
                time.sleep(0.2)
            time.sleep(2)
            stop.set()
            seen = out.get(timeout=60)
            proc.join(30)
    reach = [arrived - parse_iso(ts).timestamp() for key, arrived, ts in seen if key in sent]
    from_request = [arrived - sent[key] for key, arrived, _ in seen if key in sent]
    expected = len(sent) * len(tokens)
    print(f"presence bench: {len(tokens)} consoles ({n} per party), SQLite, heartbeat 15 s, {mp.cpu_count()} cores")
    print(f"server CPU at rest over {args.rest_seconds:.0f} s: {cpu * 100:.2f} % of one core   (target < 2 %)")
    print(f"state changes: {len(sent)}, deliveries {len(reach)}/{expected}")
    for name, values in (("from the state change", reach), ("from the request", from_request)):
        if values:
            print(f"reach {name}: p50 {statistics.median(values) * 1000:.0f} ms, p99 {pct(values, 99) * 1000:.0f} ms, "
                  f"max {max(values) * 1000:.0f} ms   (target p99 < 1000 ms from the state change)")


if __name__ == "__main__":
    main()
