"""Soak: many stream clients, a steady message rate, and a forced restart half-way through.

    python bench/soak.py [--minutes 10] [--rate 20] [--clients-per-party 100] [--db URL]

A real server (``hotline serve`` on a SQLite file, or ``--db postgresql://…``), 300 stream clients
(100 per party, one process per party), and a poster in this one sending a steady 20 messages/s spread
over the three channels (joint, isr-usa, syr-usa). At half time the server is killed (SIGKILL, as in
a power cut) and started again; every client reconnects with ``after`` = the last seq it holds.

It prints, beside each target:
- the server's memory (RSS) and CPU over time, a line per sampling period;
- reconnections, and each client's reconnect time after the restart (disconnect seen -> ``ready``);
- delivery latency p50/p99 (poster's send -> client's receive, same clock), in steady state and overall;
- the check that matters most: every client received exactly its party's events, in order, with no
  gap and no duplicate, compared with the ledger read back through ``GET /api/v1/events``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from _stream import events, frames

from hotline.testing import ServerProcess, login

PARTIES = {"isr": "isr-duty", "syr": "syr-duty", "usa": "usa-duty"}
# Who posts where: each channel gets a third of the rate; syr never sees isr-usa and isr never syr-usa.
POSTS = (("isr", "joint"), ("isr", "isr-usa"), ("syr", "joint"), ("syr", "syr-usa"), ("usa", "joint"),
         ("usa", "isr-usa"))
TARGET_P99_MS = 250.0
TARGET_RECONNECT_S = 10.0
TARGET_MEMORY_GROWTH = 1.5  # RSS at the end over RSS at minute 1 (after the restart: over its own minute 1)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# -- the stream clients (a separate process, so they do not share the poster's event loop) ----------
def clients_process(base_url: str, tokens: dict[str, str], per_party: int, ready: Any, stop: Any, out: Any) -> None:
    ws_url = base_url.replace("http", "ws", 1) + "/api/v1/stream?after="

    class Client:
        def __init__(self, party: str) -> None:
            self.party = party
            self.seqs: list[int] = []
            self.last = 0
            self.latencies: list[tuple[float, float]] = []  # (sent at, ms)
            self.reconnects: list[tuple[float, float]] = []  # (seconds from losing the stream to ready, wall time)
            self.closes: list[int] = []
            self.ready_once = False

        async def run(self) -> None:
            lost_at: float | None = None
            while not stop.is_set():
                try:
                    async with websockets.connect(ws_url + str(self.last), max_size=2**24, open_timeout=10,
                                                  additional_headers={"authorization": f"Bearer {tokens[self.party]}"}
                                                  ) as ws:
                        async for now, frame in frames(ws, stop):
                            if frame["type"] == "ready":
                                if lost_at is not None:
                                    self.reconnects.append((time.monotonic() - lost_at, time.time()))
                                    lost_at = None
                                self.ready_once = True
                                continue
                            for event in events(frame):
                                self.seqs.append(event["seq"])
                                self.last = max(self.last, event["seq"])
                                subject = event["payload"].get("subject", "") if event["type"] == "message.posted" \
                                    else ""
                                if subject.startswith("t="):
                                    sent = float(subject[2:].split()[0])
                                    self.latencies.append((sent, (now - sent) * 1000))
                except websockets.ConnectionClosed as e:
                    if e.rcvd is not None:
                        self.closes.append(e.rcvd.code)
                except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidStatus):
                    pass
                if stop.is_set():
                    break
                if lost_at is None:
                    lost_at = time.monotonic()
                await asyncio.sleep(random.uniform(0.05, 0.5))  # back off with jitter, as the console does

    async def main() -> None:
        clients = [Client(p) for p in tokens for _ in range(per_party)]
        tasks = []
        for c in clients:
            tasks.append(asyncio.create_task(c.run()))
            await asyncio.sleep(0.005)  # do not open 300 handshakes in the same instant
        while not all(c.ready_once for c in clients):  # noqa: ASYNC110 (flags set by the client tasks)
            await asyncio.sleep(0.1)
        ready.set()
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event, set by the parent)
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put([(c.party, c.seqs, c.latencies, c.reconnects, c.closes) for c in clients])

    asyncio.run(main())


# -- the server's memory and CPU --------------------------------------------------------------------
def sample(pid: int) -> tuple[int, float]:
    """(RSS bytes, CPU seconds used so far) of a process."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


async def post_steadily(srv: ServerProcess, tokens: dict[str, str], rate: float, seconds: float,
                        restart_at: float, log: list[str]) -> dict[str, Any]:
    """Posts at ``rate`` for ``seconds``; kills and restarts the server at ``restart_at``; samples the server."""
    interval, sent, start = 1.0 / rate, 0, time.monotonic()
    stats: dict[str, Any] = {"ok": 0, "refused": 0, "samples": [], "restart": None}
    pending: set[asyncio.Task[None]] = set()
    restarted = False
    last_sample = (start, *sample(srv.proc.pid))  # type: ignore[union-attr]
    clients = {p: httpx.AsyncClient(base_url=srv.base_url, timeout=10, headers={"authorization": f"Bearer {t}"})
               for p, t in tokens.items()}

    async def one(party: str, channel: str, n: int) -> None:
        body = {"precedence": "ROUTINE", "subject": f"t={time.time():.6f} soak {n}", "body": "steady rate"}
        try:
            r = await clients[party].post(f"/api/v1/channels/{channel}/messages", json=body)
            stats["ok" if r.status_code == 201 else "refused"] += 1
        except httpx.HTTPError:
            stats["refused"] += 1  # the server is down (the restart): not committed, so not in the ledger

    try:
        while (elapsed := time.monotonic() - start) < seconds:
            if not restarted and elapsed >= restart_at:
                restarted = True
                killed = time.monotonic()
                srv.kill()
                await asyncio.to_thread(srv.start, 60)
                stats["restart"] = {"at": killed - start, "down_s": time.monotonic() - killed,
                                    "wall": time.time() - (time.monotonic() - killed), "up_wall": time.time()}
                log.append(f"  restart at {killed - start:6.1f} s: SIGKILL, back up after "
                           f"{stats['restart']['down_s']:.2f} s")
                last_sample = (time.monotonic(), *sample(srv.proc.pid))  # type: ignore[union-attr]
            now = time.monotonic()
            if now - last_sample[0] >= 10:
                rss, cpu = sample(srv.proc.pid)  # type: ignore[union-attr]
                share = (cpu - last_sample[2]) / (now - last_sample[0]) * 100
                stats["samples"].append((now - start, rss, share))
                log.append(f"  t={now - start:6.1f} s  server RSS {rss / 2**20:7.1f} MiB  CPU {share:5.1f} %  "
                           f"posted {stats['ok']} (refused {stats['refused']})")
                print(log[-1], flush=True)
                last_sample = (now, rss, cpu)
            party, channel = POSTS[sent % len(POSTS)]
            task = asyncio.create_task(one(party, channel, sent))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
            await asyncio.sleep(max(0.0, start + sent * interval - time.monotonic()))
        await asyncio.gather(*pending, return_exceptions=True)
    finally:
        for c in clients.values():
            await c.aclose()
    return stats


def ledger_of(base_url: str, token: str) -> list[int]:
    """The seqs a party may see, read back through the API."""
    seqs: list[int] = []
    after = 0
    with httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {token}"}, timeout=30) as c:
        while True:
            page = c.get("/api/v1/events", params={"after": after, "limit": 1000}).json()
            seqs += [e["seq"] for e in page["events"]]
            if len(page["events"]) < 1000:
                return seqs
            after = page["last_seq"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=float, default=20, help="messages per second")
    ap.add_argument("--clients-per-party", type=int, default=100)
    ap.add_argument("--db", default=None, help="a database URL (default: a new SQLite file)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hotline-soak-"))
    url = args.db or f"sqlite:///{folder / 'soak.db'}"
    srv = ServerProcess(url, log=folder / "server.log",
                        env={"HOTLINE_STREAMS_PER_USER": str(args.clients_per_party + 10),
                             "HOTLINE_STREAM_QUEUE": "20000"})
    srv.prepare()
    began = time.monotonic()
    srv.start(60)
    print(f"server started in {time.monotonic() - began:.2f} s", flush=True)
    seconds = args.minutes * 60
    log: list[str] = []
    try:
        tokens = {p: login(srv.base_url, u).headers["authorization"].split()[1] for p, u in PARTIES.items()}
        ctx = mp.get_context("spawn")
        # One process per party: a single Python process parsing every client's frames would measure its own
        # backlog, not the server's delivery.
        stop, out = ctx.Event(), ctx.Queue()
        procs = []
        for party, token in tokens.items():
            ready = ctx.Event()
            proc = ctx.Process(target=clients_process, args=(srv.base_url, {party: token}, args.clients_per_party,
                                                             ready, stop, out))
            proc.start()
            procs.append((proc, ready))
        for _proc, ready in procs:
            if not ready.wait(120):
                raise SystemExit("the stream clients did not all connect in 2 minutes")
        n_clients = args.clients_per_party * len(PARTIES)
        print(f"hotline soak: {n_clients} stream clients ({args.clients_per_party} per party), {args.rate:.0f} msg/s "
              f"for {args.minutes:g} min, SIGKILL + restart at half time; {mp.cpu_count()} cores; {url.split(':')[0]}",
              flush=True)
        stats = asyncio.run(post_steadily(srv, tokens, args.rate, seconds, seconds / 2, log))
        truth = {p: ledger_of(srv.base_url, t) for p, t in tokens.items()}
        deadline = time.monotonic() + 60
        time.sleep(3)  # let the last events reach every client
        stop.set()
        results = []
        for _ in procs:
            results += out.get(timeout=max(10, deadline - time.monotonic()))
        for proc, _ready in procs:
            proc.join(30)
        final = sample(srv.proc.pid)  # type: ignore[union-attr]
    finally:
        srv.stop()

    restart = stats["restart"]
    bad: list[str] = []
    all_lat: list[float] = []
    steady: list[float] = []
    reconnects: list[float] = []
    after_up: list[float] = []
    reconnections = 0
    for i, (party, seqs, lat, recon, _closes) in enumerate(results):
        if seqs != truth[party]:
            dup = len(seqs) - len(set(seqs))
            missing = len(set(truth[party]) - set(seqs))
            extra = len(set(seqs) - set(truth[party]))
            order = seqs != sorted(seqs)
            bad.append(f"client {i} ({party}): {dup} duplicates, {missing} missing, {extra} not its party's, "
                       f"{'out of order' if order else 'in order'}")
        for sent, ms in lat:
            all_lat.append(ms)
            if restart is None or not (restart["wall"] - 1 <= sent <= restart["wall"] + restart["down_s"] + 10):
                steady.append(ms)
        reconnects += [r[0] for r in recon]
        after_up += [r[1] - restart["up_wall"] for r in recon if restart is not None]
        reconnections += len(recon)

    samples = stats["samples"]
    print("\nserver memory and CPU over time (one line per 10 s sample):")
    for line in log:
        print(line)
    print(f"  end: server RSS {final[0] / 2**20:.1f} MiB")
    print(f"\nposted {stats['ok']} messages (refused {stats['refused']} while the server was down)")
    before = [s for s in samples if restart is None or s[0] < restart["at"]]
    after = [s for s in samples if restart is not None and s[0] >= restart["at"]]
    if before:
        first = next((s for s in before if s[0] >= 60), before[0])
        print(f"memory at {first[0] / 60:.1f} min: {first[1] / 2**20:.1f} MiB; before the restart "
              f"{before[-1][1] / 2**20:.1f} MiB")
    if after:
        growth = after[-1][1] / after[0][1]
        verdict = "MET" if growth <= TARGET_MEMORY_GROWTH else "MISSED"
        print(f"memory after the restart: {after[0][1] / 2**20:.1f} MiB -> {after[-1][1] / 2**20:.1f} MiB at the end "
              f"(x{growth:.2f}; target <= x{TARGET_MEMORY_GROWTH})  {verdict}")
    cpu = [s[2] for s in samples]
    if cpu:
        print(f"server CPU: mean {sum(cpu) / len(cpu):.1f} %, max {max(cpu):.1f} % of one core")
    print(f"\nreconnections: {reconnections} (clients: {len(results)}); reconnect time after the restart "
          f"p50 {pct(reconnects, 50):.2f} s  p99 {pct(reconnects, 99):.2f} s  max {max(reconnects, default=0):.2f} s  "
          f"(server down {restart['down_s'] if restart else 0:.2f} s of it; target p99 <= {TARGET_RECONNECT_S:.0f} s)  "
          f"{'MET' if pct(reconnects, 99) <= TARGET_RECONNECT_S else 'MISSED'}")
    print(f"  once the restarted server answered /healthz, clients were streaming again after p50 "
          f"{pct(after_up, 50):.2f} s  p99 {pct(after_up, 99):.2f} s")
    print(f"delivery latency (steady, outside the restart window): p50 {pct(steady, 50):.1f} ms  "
          f"p99 {pct(steady, 99):.1f} ms  target p99 <= {TARGET_P99_MS:.0f} ms  "
          f"{'MET' if pct(steady, 99) <= TARGET_P99_MS else 'MISSED'}  ({len(steady)} deliveries)")
    print(f"delivery latency (overall, restart included): p99 {pct(all_lat, 99):.1f} ms  max "
          f"{max(all_lat, default=0):.1f} ms")
    print(f"\nno gap, no duplicate, nothing of another party's: "
          f"{'MET' if not bad else 'MISSED'} for {len(results) - len(bad)} of {len(results)} clients "
          f"(each compared with its party's {', '.join(f'{p} {len(s)}' for p, s in truth.items())} events)")
    for line in bad[:10]:
        print("  " + line)


if __name__ == "__main__":
    main()
