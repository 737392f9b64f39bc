"""Delivery latency and durable throughput of the hotline, measured on a real server.

    python bench/delivery.py [--seconds 20] [--rate 50] [--burst-seconds 10] [--concurrency 64]

A real uvicorn server on a SQLite file (WAL, synchronous=FULL), 30 stream listeners (10 per party)
in a separate process, and posters in this one. It prints:

1. delivery latency p50/p99 at a fixed rate (target: p99 <= 25 ms at 50 messages/s), measured from the
   moment the poster sends to the moment each listener receives (same machine, same clock);
2. committed messages per second over HTTP with as many posts in flight as --concurrency (target:
   >= 2,000 durable messages/s on SQLite on a 2-core machine), with the listeners still attached. The
   load comes from ``wrk`` (Debian's package) when it is installed: a Python client cannot post fast
   enough to load the server (httpx managed about 150 posts/s here); without wrk, httpx is used and
   the figure says so;
3. the same through the service layer in-process (no HTTP), with group commit and, as the
   straightforward baseline, one transaction per message.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import websockets

from hotline.testing import ServerProcess, login

PARTIES = ("isr-duty", "syr-duty", "usa-duty")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def listener_process(base_url: str, tokens: list[str], ready: mp.Event, stop: mp.Event, out: mp.Queue) -> None:
    async def one(token: str, lat: list[float]) -> None:
        url = base_url.replace("http", "ws") + "/api/v1/stream?after=0"
        async with websockets.connect(url, additional_headers={"authorization": f"Bearer {token}"},
                                      max_size=2**24) as ws:
            while True:
                frame = orjson.loads(await ws.recv())
                if frame["type"] == "ready":
                    break
            ready_count.append(1)
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.time()
                frame = orjson.loads(raw)
                batch = [frame["event"]] if frame["type"] == "event" else frame.get("events", [])
                for event in batch:
                    if event["type"] == "message.posted" and event["payload"]["subject"].startswith("t="):
                        lat.append((now - float(event["payload"]["subject"][2:].split()[0])) * 1000)

    ready_count: list[int] = []

    async def main() -> None:
        lat: list[float] = []
        tasks = [asyncio.create_task(one(t, lat)) for t in tokens]
        while len(ready_count) < len(tokens):  # noqa: ASYNC110 (counts filled by the listener tasks)
            await asyncio.sleep(0.05)
        ready.set()
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event, set by the parent)
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        out.put((len(lat), lat))

    asyncio.run(main())


async def post_at_rate(client: httpx.AsyncClient, rate: float, seconds: float) -> int:
    interval, sent, start = 1.0 / rate, 0, time.monotonic()
    pending = set()
    while time.monotonic() - start < seconds:
        target = start + sent * interval
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        body = {"precedence": "ROUTINE", "subject": f"t={time.time():.6f} rate", "body": "fixed-rate message"}
        pending.add(asyncio.create_task(client.post("/api/v1/channels/joint/messages", json=body)))
        sent += 1
    results = await asyncio.gather(*pending)
    return sum(r.status_code == 201 for r in results)


async def post_flat_out(client: httpx.AsyncClient, concurrency: int, seconds: float) -> tuple[int, float]:
    done, start = 0, time.monotonic()

    async def worker() -> None:
        nonlocal done
        while time.monotonic() - start < seconds:
            body = {"precedence": "ROUTINE", "subject": f"t={time.time():.6f} burst", "body": "as fast as possible"}
            r = await client.post("/api/v1/channels/joint/messages", json=body)
            if r.status_code == 201:
                done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.monotonic() - start


def wrk_flat_out(base_url: str, token: str, concurrency: int, seconds: float, folder: Path) -> tuple[int, float]:
    """Posts as fast as wrk can send them; returns (committed, elapsed)."""
    script = folder / "post.lua"
    body = orjson.dumps({"precedence": "ROUTINE", "subject": "t=0 burst", "body": "as fast as possible"}).decode()
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("WRK %d %d %d\\n", summary.requests, summary.duration, '
        "summary.errors.status))\n"
        "end\n")
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "-s", str(script),
                          base_url + "/api/v1/channels/joint/messages"], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    requests, micros, bad = (int(v) for v in line.split()[1:])
    return requests - bad, micros / 1e6


async def service_throughput(folder: Path, n: int, concurrency: int, batch: int) -> float:
    from hotline.domain.access import Principal
    from hotline.domain.messages import PostMessage
    from hotline.service.config import Settings
    from hotline.service.hotline import Hotline
    from hotline.service.messages import post_message

    hl = Hotline(Settings(database_url=f"sqlite:///{folder / f'service-{batch}.db'}"))
    hl.writer.max_batch = batch
    await hl.start(timers=False)
    who = Principal("isr-duty", "isr", "operator")
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await post_message(hl, who, PostMessage(f"m-{batch}-{i}", "joint", "ROUTINE", "s", "b", "en"))

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - start
    await hl.stop()
    return n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--burst-seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--listeners-per-party", type=int, default=10)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    srv = ServerProcess(f"sqlite:///{folder / 'bench.db'}", log=folder / "server.log",
                        env={"HOTLINE_STREAMS_PER_USER": str(args.listeners_per_party + 2),
                             "HOTLINE_STREAM_QUEUE": "100000"})
    srv.prepare()
    srv.start()
    try:
        tokens = [login(srv.base_url, u).headers["authorization"].split()[1] for u in PARTIES]
        listen_tokens = [t for t in tokens for _ in range(args.listeners_per_party)]
        ctx = mp.get_context("spawn")

        def run_phase(coro_factory):  # noqa: ANN001, ANN202
            ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
            proc = ctx.Process(target=listener_process, args=(srv.base_url, listen_tokens, ready, stop, out))
            proc.start()
            ready.wait(60)

            async def go():  # noqa: ANN202
                limits = httpx.Limits(max_connections=args.concurrency + 8)
                async with httpx.AsyncClient(base_url=srv.base_url, timeout=30, limits=limits,
                                             headers={"authorization": f"Bearer {tokens[0]}"}) as client:
                    return await coro_factory(client)

            result = asyncio.run(go())
            time.sleep(2)  # let the listeners drain
            stop.set()
            received, lat = out.get(timeout=60)
            proc.join(30)
            return result, received, lat

        print(f"hotline delivery benchmark: {len(listen_tokens)} stream listeners "
              f"({args.listeners_per_party} per party), SQLite WAL synchronous=FULL, {mp.cpu_count()} cores")
        ok, received, lat = run_phase(lambda c: post_at_rate(c, args.rate, args.seconds))
        print(f"[fixed rate] {args.rate:.0f} msg/s for {args.seconds:.0f} s: {ok} committed, {received} deliveries "
              f"(expected {ok * len(listen_tokens)})")
        print(f"  delivery latency p50 {pct(lat, 50):7.1f} ms    p99 {pct(lat, 99):7.1f} ms    target p99 <= 25 ms  "
              f"{'MET' if pct(lat, 99) <= 25 else 'MISSED'}")
        if shutil.which("wrk"):
            client = "wrk"
            (done, elapsed), received, lat = run_phase(lambda c: asyncio.to_thread(
                wrk_flat_out, srv.base_url, tokens[0], args.concurrency, args.burst_seconds, folder))
        else:
            client = "httpx (install wrk for a client that can keep up)"
            (done, elapsed), received, lat = run_phase(
                lambda c: post_flat_out(c, args.concurrency, args.burst_seconds))
        rate = done / elapsed
        print(f"[flat out, HTTP, {client}] {args.concurrency} posts in flight for {elapsed:.1f} s: {done} committed, "
              f"{received} deliveries (at least {done * len(listen_tokens)}: posts still in flight when wrk stops "
              "commit too)")
        print(f"  committed {rate:7.0f} msg/s    target >= 2000 msg/s  {'MET' if rate >= 2000 else 'MISSED'}")
    finally:
        srv.stop()
    n = 4000
    grouped = asyncio.run(service_throughput(folder, n, args.concurrency, batch=512))
    single = asyncio.run(service_throughput(folder, n // 4, args.concurrency, batch=1))
    print(f"[service layer, no HTTP] {n} posts, {args.concurrency} in flight:")
    verdict = "MET" if grouped >= 2000 else "MISSED"
    print(f"  group commit          {grouped:7.0f} msg/s    target >= 2000 msg/s  {verdict}")
    print(f"  baseline: one commit per message {single:7.0f} msg/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
