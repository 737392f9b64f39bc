"""The hotline's hot path measured against the floor, in one run, under one load generator.

    python bench/delivery.py [--quick] [--only cpu,p99,flat,pg,idle,catchup,service]

The floor is ``bench/floor.py``: the same contract in memory, no durability, no hashing. Every figure is
printed beside its target, the floor's figure from the same run and the ratio, with the load generator's
own CPU (a figure is INVALID when one generator process used more than 70% of a core: then the client,
not the server, was measured) and the machine's load average when the run began.

- cpu:     server CPU per message at 50 msg/s with 3 listeners (one per party)    target <= 1.5x floor
- p99:     delivery p99 at 50 msg/s to 30 listeners                             target <= 1.3x floor
- flat:    durable msgs/s over HTTP (wrk, 64 in flight), 30 listeners, one process, SQLite;
           delivery p99 of 20 timed msgs/s sent meanwhile             target >= 2,000 msg/s, p99 <= 50 ms
- pg:      the same on PostgreSQL through HAProxy, one process then two; every listener (attached to
           either process) counts what it received                          target 2 processes >= 1.6x 1
- idle:    300 idle streams: RSS and CPU at rest; then a restart, all 300 reconnecting at once with
           full-jitter back-off: 5xx answers counted (target 0)
- catchup: a console reconnecting after missing 10,000 events: time until its ``ready``  target <= 1 s
- service: the writer without HTTP (group commit, and one commit per message)

Posts at a fixed rate come from a process of their own over raw keep-alive HTTP/1.1; flat-out posts
from Debian's ``wrk``; listeners run ten to a process. Latency is from the poster's send to the
listener's receipt, on the same clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _load import (  # noqa: E402 (the helper next to this script)
    IdleStreams,
    Listeners,
    cpu_seconds,
    finish_paced,
    pct,
    post_count,
    rss_mb,
    run_paced,
    wrk,
)

from hotline.testing import DEMO_PASSWORD, ServerProcess, free_port, fresh_postgres

PARTIES = ("isr-duty", "syr-duty", "usa-duty")
GEN_LIMIT = 0.70  # of one core, per generator process
PHASES = ("cpu", "p99", "flat", "pg", "idle", "catchup", "service")


@dataclass
class Server:
    name: str
    base_url: str
    pid: int
    handle: Any

    def cpu(self) -> float:
        return cpu_seconds(self.pid)


def wait_up(base_url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{base_url} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base_url + "/healthz", timeout=0.5).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not come up")


@contextlib.contextmanager
def floor_server(folder: Path) -> Iterator[Server]:
    port = free_port()
    with open(folder / "floor.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "floor.py"), "--port", str(port)],  # noqa: S603
                                stdout=log, stderr=log)
    try:
        wait_up(f"http://127.0.0.1:{port}", proc)
        yield Server("floor", f"http://127.0.0.1:{port}", proc.pid, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def hotline_env(streams_per_user: int = 40) -> dict[str, str]:
    return {"HOTLINE_STREAMS_PER_USER": str(streams_per_user), "HOTLINE_STREAM_QUEUE": "100000"}


@contextlib.contextmanager
def hotline_server(folder: Path, name: str = "bench", *, env: dict[str, str] | None = None,
                   database_url: str | None = None, prepare: bool = True) -> Iterator[Server]:
    srv = ServerProcess(database_url or f"sqlite:///{folder / f'{name}.db'}", log=folder / f"{name}.log",
                        env=env or hotline_env())
    if prepare:
        srv.prepare()
    srv.start(timeout=60)
    assert srv.proc is not None
    try:
        yield Server("hotline", srv.base_url, srv.proc.pid, srv)
    finally:
        srv.stop()


def tokens_of(base_url: str) -> dict[str, str]:
    out = {}
    for user in PARTIES:
        r = httpx.post(base_url + "/api/v1/auth/login", json={"username": user, "password": DEMO_PASSWORD}, timeout=30)
        r.raise_for_status()
        out[user] = r.json()["token"]
    return out


def listener_tokens(tokens: dict[str, str], per_party: int) -> list[str]:
    return [tokens[u] for _ in range(per_party) for u in PARTIES]


def gen_note(shares: dict[str, float]) -> str:
    worst = max(shares.values())
    parts = "  ".join(f"{k} {v * 100:.0f}%" for k, v in shares.items())
    return f"generator CPU (of one core): {parts}  -> {'valid' if worst <= GEN_LIMIT else 'INVALID (> 70%)'}"


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def line(label: str, hot: float, floor: float | None, unit: str, target: str, ok: bool | None) -> None:
    ratio = f"ratio {hot / floor:5.2f}x" if floor else "           "
    fl = f"floor {floor:8.2f} {unit}" if floor is not None else " " * (15 + len(unit))
    tail = f"  {verdict(ok)}" if ok is not None else ""
    print(f"  {label:<28} hotline {hot:8.2f} {unit}   {fl}   {ratio}   target {target}{tail}", flush=True)


# --- phases ------------------------------------------------------------------------------------------

def paced_phase(server: Server, per_party: int, rate: float, seconds: float,
                profile: Path | None = None) -> dict[str, Any]:
    """Posts at ``rate`` to ``3 * per_party`` listeners; server CPU per message and delivery latency.
    With ``profile``, py-spy samples the server meanwhile (without pausing it) into that file."""
    tokens = tokens_of(server.base_url)
    listeners = Listeners(server.base_url, listener_tokens(tokens, per_party)).start()
    time.sleep(1)
    listeners.mark()
    spy = None
    if profile is not None:
        # --gil: only samples where the server holds the GIL, i.e. its CPU, not its waits.
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking", "--gil", "-r", "200",
                   "-f", "raw", "-o", str(profile), "-p", str(server.pid), "-d", str(int(seconds))]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    cpu0, started = server.cpu(), time.monotonic()
    proc, out = run_paced(server.base_url, tokens["isr-duty"], rate, seconds, "paced")
    posted = finish_paced(proc, out, started)
    if spy is not None:
        spy.wait(30)
    time.sleep(1)  # the last deliveries
    server_cpu, elapsed = server.cpu() - cpu0, time.monotonic() - started
    lcpu = listeners.cpu()
    counts, lat = listeners.finish()
    shares = {"poster": posted.cpu_s / elapsed, **{f"listeners#{i + 1}": c / elapsed for i, c in enumerate(lcpu)}}
    return {"ok": posted.ok, "statuses": posted.statuses, "cpu_ms": server_cpu / max(1, posted.ok) * 1000,
            "server_share": server_cpu / elapsed, "p50": pct(lat, 50), "p99": pct(lat, 99),
            "received": sum(counts), "expected": posted.ok * len(counts), "shares": shares}


def flat_phase(server: Server, folder: Path, per_party: int, concurrency: int, seconds: float,
               probe_rate: float = 20) -> dict[str, Any]:
    """wrk flat out with listeners attached, and timed probe posts meanwhile for the delivery p99."""
    tokens = tokens_of(server.base_url)
    listeners = Listeners(server.base_url, listener_tokens(tokens, per_party)).start()
    time.sleep(1)
    listeners.mark()
    cpu0, started = server.cpu(), time.monotonic()
    proc, out = run_paced(server.base_url, tokens["syr-duty"], probe_rate, seconds, "probe")
    committed, bad, elapsed, wrk_cpu = wrk(server.base_url, tokens["isr-duty"], concurrency, seconds, folder)
    probes = finish_paced(proc, out, started)
    server_cpu = server.cpu() - cpu0
    time.sleep(3)  # the last deliveries
    window = time.monotonic() - started
    lcpu = listeners.cpu()
    counts, lat = listeners.finish()
    shares = {"wrk": wrk_cpu / elapsed, "probe poster": probes.cpu_s / window,
              **{f"listeners#{i + 1}": c / window for i, c in enumerate(lcpu)}}
    return {"rate": committed / elapsed, "committed": committed, "bad": bad, "probes": probes.ok,
            "p50": pct(lat, 50), "p99": pct(lat, 99), "min_received": min(counts), "max_received": max(counts),
            "server_share": server_cpu / elapsed, "shares": shares}


@contextlib.contextmanager
def haproxy(folder: Path, backends: list[str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    servers = "\n".join(f"  server s{i} {b.split('://')[1]}" for i, b in enumerate(backends))
    cfg = folder / f"haproxy-{len(backends)}.cfg"
    cfg.write_text(f"""global
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
frontend fe
  bind 127.0.0.1:{port}
  default_backend be
backend be
  balance roundrobin
{servers}
""")
    proc = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL,  # noqa: S607
                            stderr=open(folder / "haproxy.log", "ab"))  # noqa: SIM115 (the child keeps it)
    try:
        wait_up(f"http://127.0.0.1:{port}", proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(10)


def pg_phase(folder: Path, args: argparse.Namespace) -> None:
    if not shutil.which("haproxy"):
        print("[pg] skipped: haproxy is not installed (apt-get install -y haproxy)")
        return
    results = {}
    with fresh_postgres() as url:
        with hotline_server(folder, "pg1", database_url=url) as one:
            with haproxy(folder, [one.base_url]) as (front, hap):
                r = flat_phase(Server("hotline", front, one.pid, None), folder, args.per_party, args.concurrency,
                               args.burst)
                results[1] = r
            with hotline_server(folder, "pg2", database_url=url, prepare=False) as two:
                with haproxy(folder, [one.base_url, two.base_url]) as (front, hap):
                    hcpu0 = cpu_seconds(hap.pid)
                    c0 = two.cpu()
                    r = flat_phase(Server("hotline", front, one.pid, None), folder, args.per_party,
                                   args.concurrency, args.burst)
                    r["second_share"] = (two.cpu() - c0) / args.burst
                    r["haproxy_share"] = (cpu_seconds(hap.pid) - hcpu0) / args.burst
                    results[2] = r
    print(f"[pg] PostgreSQL behind HAProxy (http mode, round robin), wrk {args.concurrency} in flight "
          f"for {args.burst:.0f} s, {3 * args.per_party} listeners spread over the processes")
    for n, r in results.items():
        print(f"  {n} process(es): {r['rate']:7.0f} msg/s committed ({r['bad']} other answers); delivery "
              f"p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms; each listener received {r['min_received']}.."
              f"{r['max_received']} of at least {r['committed'] + r['probes']}; server#1 CPU "
              f"{r['server_share'] * 100:.0f}%" + (f", server#2 {r['second_share'] * 100:.0f}%, haproxy "
                                                   f"{r['haproxy_share'] * 100:.0f}%" if n == 2 else ""))
        print(f"    {gen_note(r['shares'])}")
    ratio = results[2]["rate"] / results[1]["rate"]
    print(f"  2 processes / 1 process: {ratio:.2f}x   target >= 1.6x  {verdict(ratio >= 1.6)}   "
          f"(2 cores carry both servers, PostgreSQL, HAProxy, wrk and the listeners: a second process "
          f"can only use what the first left idle)", flush=True)


def idle_phase(folder: Path, args: argparse.Namespace) -> None:
    n = 300
    with hotline_server(folder, "idle", env=hotline_env(n // 3 + 10)) as hot:
        tokens = tokens_of(hot.base_url)
        time.sleep(1)
        rss0 = rss_mb(hot.pid)
        streams = IdleStreams(hot.base_url, listener_tokens(tokens, n // 3)).start()
        took = streams.wait_readies(n, 180)
        if took is None:
            print(f"[idle] only {streams.readies.value} of {n} streams connected")
            streams.finish()
            return
        time.sleep(2)
        cpu0, rest = hot.cpu(), args.rest
        gen0 = cpu_seconds(streams.proc.pid)
        time.sleep(rest)
        cpu_rest = (hot.cpu() - cpu0) / rest
        gen_rest = (cpu_seconds(streams.proc.pid) - gen0) / rest
        rss1 = rss_mb(hot.pid)
        print(f"[idle] {n} idle streams connected in {took:.1f} s")
        print(f"  RSS {rss0:.0f} MB before, {rss1:.0f} MB with {n} streams ({(rss1 - rss0) * 1024 / n:.0f} KB a "
              f"stream); server CPU at rest {cpu_rest * 100:.1f}% of a core (streams' process {gen_rest * 100:.1f}%)")
        before = list(streams.stats)
        srv = hot.handle
        srv.stop()
        restarted = time.monotonic()
        srv.start(timeout=60)
        back = streams.wait_readies(2 * n, 120)
        stats = [a - b for a, b in zip(streams.stats, before, strict=True)]
        streams.finish()
        total = time.monotonic() - restarted
        when = f"{total:.1f} s after the stop" if back is not None else "NOT all within 120 s"
        print(f"  restart: {streams.readies.value - n} of {n} reconnected, {when}; 5xx answers {stats[0]} (target 0) "
              f"{verdict(stats[0] == 0 and back is not None)}; 4xx {stats[1]}; refused or dropped attempts "
              f"{stats[2]}; jittered back-off waits {stats[3]}", flush=True)


def catchup_phase(server: Server, missed: int) -> float:
    """Posts ``missed`` messages while a console is away; returns seconds from its reconnect to ``ready``."""
    import websockets

    tokens = tokens_of(server.base_url)

    async def go() -> tuple[float, int]:
        url = server.base_url.replace("http", "ws", 1) + "/api/v1/stream?after="
        headers = {"authorization": f"Bearer {tokens['usa-duty']}"}
        async with websockets.connect(url + "0", additional_headers=headers, max_size=2**24) as ws:
            while (frame := orjson.loads(await ws.recv()))["type"] != "ready":
                pass
            last = frame["seq"]
        await post_count(server.base_url, tokens["isr-duty"], missed, 32)
        start = time.monotonic()
        got = 0
        async with websockets.connect(url + str(last), additional_headers=headers, max_size=2**24) as ws:
            while (frame := orjson.loads(await ws.recv()))["type"] != "ready":
                got += len(frame.get("events", [])) + (frame["type"] == "event")
            return time.monotonic() - start, got

    took, got = asyncio.run(go())
    if got < missed:
        raise RuntimeError(f"the console received {got} of {missed} missed events")
    return took


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


def rate_phases(folder: Path, args: argparse.Namespace, only: set[str]) -> None:
    res: dict[str, dict[str, dict[str, Any]]] = {"cpu": {}, "p99": {}}
    for name, ctx in (("floor", floor_server), ("hotline", hotline_server)):
        with ctx(folder) as server:
            if "cpu" in only:
                res["cpu"][name] = paced_phase(server, 1, args.rate, args.seconds,
                                               args.profile if name == "hotline" else None)
            if "p99" in only:
                res["p99"][name] = paced_phase(server, args.per_party, args.rate, args.seconds)
    if "cpu" in only:
        h, f = res["cpu"]["hotline"], res["cpu"]["floor"]
        print(f"[cpu] {args.rate:.0f} msg/s for {args.seconds:.0f} s to 3 listeners: hotline {h['ok']} posted "
              f"({h['received']}/{h['expected']} delivered), floor {f['ok']} ({f['received']}/{f['expected']})")
        line("server CPU per message", h["cpu_ms"], f["cpu_ms"], "ms", "<= 1.5x floor",
             h["cpu_ms"] <= 1.5 * f["cpu_ms"])
        print(f"    hotline {gen_note(h['shares'])}\n    floor   {gen_note(f['shares'])}")
    if "p99" in only:
        h, f = res["p99"]["hotline"], res["p99"]["floor"]
        print(f"[p99] {args.rate:.0f} msg/s for {args.seconds:.0f} s to {3 * args.per_party} listeners: hotline "
              f"{h['ok']} posted ({h['received']}/{h['expected']} delivered), floor {f['ok']} "
              f"({f['received']}/{f['expected']})")
        line("delivery p50", h["p50"], f["p50"], "ms", "(none)", None)
        line("delivery p99", h["p99"], f["p99"], "ms", "<= 1.3x floor", h["p99"] <= 1.3 * f["p99"])
        line("server CPU per message", h["cpu_ms"], f["cpu_ms"], "ms", "(none)", None)
        print(f"    hotline {gen_note(h['shares'])}\n    floor   {gen_note(f['shares'])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter phases (5 s): a smoke run, noisier figures")
    ap.add_argument("--only", default=",".join(PHASES), help=f"comma-separated phases: {', '.join(PHASES)}")
    ap.add_argument("--seconds", type=float, default=20, help="length of each fixed-rate phase")
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--burst", type=float, default=10, help="length of each flat-out phase")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--per-party", type=int, default=10, help="listeners per party in the 30-listener phases")
    ap.add_argument("--rest", type=float, default=10, help="seconds the 300 idle streams are watched at rest")
    ap.add_argument("--missed", type=int, default=10_000)
    ap.add_argument("--profile", type=Path, help="py-spy (in this venv) samples the hotline during the cpu "
                    "phase into this file (collapsed stacks); bench/_profile.py summarizes it")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if unknown := only - set(PHASES):
        ap.error(f"--only: unknown phase(s) {', '.join(sorted(unknown))}")
    if args.quick:
        args.seconds, args.burst, args.rest = 5, 5, 3
    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    load = os.getloadavg()
    print(f"hotline vs floor: {os.cpu_count()} cores, load average at start {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; SQLite WAL synchronous=FULL; logs in {folder}", flush=True)
    if only & {"cpu", "p99"}:
        rate_phases(folder, args, only)
    if "flat" in only:
        if not shutil.which("wrk"):
            print("[flat] skipped: wrk is not installed (apt-get install -y wrk)")
        else:
            res = {}
            for name, ctx in (("floor", floor_server), ("hotline", hotline_server)):
                with ctx(folder) as server:
                    res[name] = flat_phase(server, folder, args.per_party, args.concurrency, args.burst)
            h, f = res["hotline"], res["floor"]
            print(f"[flat] wrk, {args.concurrency} posts in flight for {args.burst:.0f} s, {3 * args.per_party} "
                  f"listeners, 20 timed msg/s besides; one process, SQLite (durable) vs floor (memory)")
            line("committed msg/s", h["rate"], f["rate"], "/s", ">= 2000 /s", h["rate"] >= 2000)
            line("delivery p99 meanwhile", h["p99"], f["p99"], "ms", "<= 50 ms", h["p99"] <= 50)
            print(f"    each listener received: hotline {h['min_received']}..{h['max_received']} of at least "
                  f"{h['committed'] + h['probes']}; floor {f['min_received']}..{f['max_received']} of at least "
                  f"{f['committed'] + f['probes']}; server CPU hotline {h['server_share'] * 100:.0f}% floor "
                  f"{f['server_share'] * 100:.0f}%")
            print(f"    hotline {gen_note(h['shares'])}\n    floor   {gen_note(f['shares'])}", flush=True)
    if "pg" in only:
        pg_phase(folder, args)
    if "idle" in only:
        idle_phase(folder, args)
    if args.profile is not None and "cpu" in only and args.profile.exists():
        from _profile import summarize

        print(f"[profile] the hotline during the cpu phase ({args.profile}):")
        print("\n".join("  " + x for x in summarize(args.profile.read_text(), 20).splitlines()), flush=True)
    if "catchup" in only:
        took = {}
        for name, ctx in (("floor", floor_server), ("hotline", hotline_server)):
            with ctx(folder, **({"name": "catchup"} if name == "hotline" else {})) as server:
                took[name] = catchup_phase(server, args.missed)
        print(f"[catchup] a console reconnecting after missing {args.missed} events, until its ready frame")
        line("time to current", took["hotline"] * 1000, took["floor"] * 1000, "ms", "<= 1000 ms",
             took["hotline"] <= 1)
    if "service" in only:
        n = 4000
        grouped = asyncio.run(service_throughput(folder, n, args.concurrency, batch=512))
        single = asyncio.run(service_throughput(folder, n // 4, args.concurrency, batch=1))
        print(f"[service] the writer without HTTP, {n} posts, {args.concurrency} in flight: group commit "
              f"{grouped:.0f} msg/s; one commit per message {single:.0f} msg/s", flush=True)


if __name__ == "__main__":
    main()
