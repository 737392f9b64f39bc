"""The load generator of ``bench/delivery.py``: posters and listeners in their own processes, and the
CPU and memory figures read from ``/proc`` so the generator's own cost is printed beside each result.

- ``paced_poster``: a process posting at a fixed rate over raw keep-alive HTTP/1.1 connections (a
  request is bytes prepared once with the send time in the subject; no HTTP library in the way);
- ``Listeners``: WebSocket stream listeners, ten to a process, counting the messages each receives and
  the delivery latency of the timed ones (send time in the subject, same machine, same clock);
- ``wrk``: Debian's ``wrk`` posting flat out, with its own CPU from ``wait4``;
- ``IdleStreams``: many idle streams in one process that reconnect with full-jitter back-off when the
  server goes away, counting 5xx answers and attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Listeners", "IdleStreams", "cpu_seconds", "rss_mb", "pct", "paced_poster", "run_paced", "wrk",
           "PostResult",
           "post_count", "finish_paced"]

TICK = os.sysconf("SC_CLK_TCK")
CTX = mp.get_context("spawn")
PER_PROCESS = 10  # listeners in one process: 50 msg/s to ten of them stays well under a core


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# --- the paced poster ------------------------------------------------------------------------------

async def _roundtrip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


def _post_request(host: str, path: str, token: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def _paced(base_url: str, token: str, rate: float, seconds: float, tag: str) -> dict[str, int]:
    host = base_url.split("://", 1)[1]
    address, port = host.rsplit(":", 1)
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    statuses: dict[str, int] = {}

    async def one(when: float) -> None:
        body = orjson.dumps({"precedence": "ROUTINE", "subject": f"t={when:.6f} {tag}", "body": "paced message"})
        conn = pool.get_nowait() if not pool.empty() else await asyncio.open_connection(address, int(port))
        try:
            status = await _roundtrip(*conn, _post_request(host, "/api/v1/channels/joint/messages", token, body))
        except (OSError, asyncio.IncompleteReadError):
            statuses["error"] = statuses.get("error", 0) + 1
            conn[1].close()
            return
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        pool.put_nowait(conn)

    interval, n, start, tasks = 1.0 / rate, int(rate * seconds), time.monotonic(), []
    for i in range(n):
        await asyncio.sleep(max(0.0, start + i * interval - time.monotonic()))
        tasks.append(asyncio.create_task(one(time.time())))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait()[1].close()
    return statuses


async def post_count(base_url: str, token: str, n: int, concurrency: int) -> dict[str, int]:
    """Posts exactly ``n`` messages over ``concurrency`` keep-alive connections, as fast as they go."""
    host = base_url.split("://", 1)[1]
    address, port = host.rsplit(":", 1)
    body = orjson.dumps({"precedence": "ROUTINE", "subject": "missed", "body": "while the console was away"})
    request = _post_request(host, "/api/v1/channels/joint/messages", token, body)
    counter = iter(range(n))
    statuses: dict[str, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(address, int(port))
        for _ in counter:
            status = await _roundtrip(reader, writer, request)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


def paced_poster(base_url: str, token: str, rate: float, seconds: float, tag: str, out: Any) -> None:
    out.put(asyncio.run(_paced(base_url, token, rate, seconds, tag)))


@dataclass
class PostResult:
    statuses: dict[str, int]
    cpu_s: float  # the poster process's own CPU
    elapsed: float

    @property
    def ok(self) -> int:
        return self.statuses.get("201", 0)


def run_paced(base_url: str, token: str, rate: float, seconds: float, tag: str = "probe") -> tuple[Any, Any]:
    """Starts a paced poster process; returns (process, queue). ``finish_paced`` collects it."""
    out = CTX.Queue()
    proc = CTX.Process(target=paced_poster, args=(base_url, token, rate, seconds, tag, out))
    proc.start()
    return proc, out


def finish_paced(proc: Any, out: Any, started: float) -> PostResult:
    statuses = out.get(timeout=600)
    cpu = cpu_seconds(proc.pid)  # the process has sent its result and is exiting: read before it goes
    proc.join(30)
    return PostResult(statuses, cpu, time.monotonic() - started)


# --- wrk ---------------------------------------------------------------------------------------------

def wrk(base_url: str, token: str, concurrency: int, seconds: float, folder: Path) -> tuple[int, int, float, float]:
    """Posts flat out with wrk (one thread); returns (committed, other answers, elapsed s, wrk's CPU s)."""
    script = folder / "post.lua"
    body = orjson.dumps({"precedence": "ROUTINE", "subject": "burst", "body": "as fast as possible"}).decode()
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("WRK %d %d %d %d\\n", summary.requests, summary.duration, '
        "summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + "
        "summary.errors.timeout))\n"
        "end\n")
    proc = subprocess.Popen(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "10s",  # noqa: S607
                             "-s", str(script), base_url + "/api/v1/channels/joint/messages"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read().decode()
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    line = next((x for x in output.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {output}")
    requests, micros, bad, errors = (int(v) for v in line.split()[1:])
    return requests - bad, bad + errors, micros / 1e6, usage.ru_utime + usage.ru_stime


# --- listeners ---------------------------------------------------------------------------------------

def _listen(base_url: str, tokens: list[str], ready: Any, stop: Any, out: Any) -> None:
    import websockets

    counts = [0] * len(tokens)
    lat: list[float] = []
    connected: list[int] = []

    async def one(i: int, token: str) -> None:
        url = base_url.replace("http", "ws", 1) + "/api/v1/stream?after=0"
        async with websockets.connect(url, additional_headers={"authorization": f"Bearer {token}"},
                                      max_size=2**24, ping_interval=None) as ws:
            while orjson.loads(await ws.recv())["type"] != "ready":
                pass
            connected.append(i)
            counts[i] = 0  # only what arrives live counts
            async for raw in ws:
                now = time.time()
                frame = orjson.loads(raw)
                batch = [frame["event"]] if frame["type"] == "event" else frame.get("events", [])
                for event in batch:
                    if event["type"] != "message.posted":
                        continue
                    counts[i] += 1
                    subject = event["payload"]["subject"]
                    if subject.startswith("t="):
                        lat.append((now - float(subject[2:].split()[0])) * 1000)

    async def main() -> None:
        tasks = [asyncio.create_task(one(i, t)) for i, t in enumerate(tokens)]
        while len(connected) < len(tokens):
            if any(t.done() for t in tasks):
                raise RuntimeError(f"a listener failed: {[t.exception() for t in tasks if t.done()]}")
            await asyncio.sleep(0.05)
        ready.set()
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event, set by the parent)
            await asyncio.sleep(0.05)
        for t in tasks:
            t.cancel()
        out.put((counts, lat))

    asyncio.run(main())


@dataclass
class Listeners:
    """Stream listeners in processes of their own; ``start`` returns once every one has its ``ready``."""

    base_url: str
    tokens: list[str]
    procs: list[Any] = field(default_factory=list)
    marks: dict[int, float] = field(default_factory=dict)

    def start(self) -> Listeners:
        self.stop_event, self.out = CTX.Event(), CTX.Queue()
        readies = []
        for start in range(0, len(self.tokens), PER_PROCESS):
            ready = CTX.Event()
            proc = CTX.Process(target=_listen, args=(self.base_url, self.tokens[start:start + PER_PROCESS], ready,
                                                     self.stop_event, self.out))
            proc.start()
            self.procs.append(proc)
            readies.append(ready)
        for ready in readies:
            if not ready.wait(120):
                raise RuntimeError("the listeners did not connect")
        self.mark()
        return self

    def mark(self) -> None:
        """Start of the measured window for the listeners' own CPU."""
        self.marks = {p.pid: cpu_seconds(p.pid) for p in self.procs}

    def cpu(self) -> list[float]:
        """CPU seconds of each listener process since ``mark``."""
        return [cpu_seconds(p.pid) - self.marks[p.pid] for p in self.procs]

    def finish(self) -> tuple[list[int], list[float]]:
        """Stops them; returns (messages received by each listener, delivery latencies in ms)."""
        self.stop_event.set()
        counts: list[int] = []
        lat: list[float] = []
        for _ in self.procs:
            c, latencies = self.out.get(timeout=60)
            counts.extend(c)
            lat.extend(latencies)
        for proc in self.procs:
            proc.join(30)
        return counts, lat


# --- idle streams that reconnect ---------------------------------------------------------------------

def _idle(base_url: str, tokens: list[str], readies: Any, stats: Any, stop: Any) -> None:
    import websockets

    async def one(token: str) -> None:
        url = base_url.replace("http", "ws", 1) + "/api/v1/stream?after=0"
        failures = 0
        while not stop.is_set():
            try:
                async with websockets.connect(url, additional_headers={"authorization": f"Bearer {token}"},
                                              max_size=2**24, open_timeout=20) as ws:
                    failures = 0
                    while orjson.loads(await ws.recv())["type"] != "ready":
                        pass
                    with readies.get_lock():
                        readies.value += 1
                    async for _raw in ws:
                        pass
            except websockets.InvalidStatus as e:
                code = e.response.status_code
                with stats.get_lock():
                    stats[0 if code >= 500 else 1] += 1
            except (OSError, websockets.WebSocketException, TimeoutError):
                with stats.get_lock():
                    stats[2] += 1
            # Full jitter: a uniform wait up to a doubling cap, so 300 clients do not return in step.
            failures += 1
            with stats.get_lock():
                stats[3] += 1
            await asyncio.sleep(random.uniform(0, min(5.0, 0.25 * 2 ** failures)))  # noqa: S311 (jitter)

    async def main() -> None:
        tasks = [asyncio.create_task(one(t)) for t in tokens]
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event, set by the parent)
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


class IdleStreams:
    """Idle streams in one process. ``readies`` counts every ``ready`` frame received (first connects and
    reconnects); ``stats`` holds [5xx answers, 4xx answers, refused or dropped attempts, back-off waits]."""

    def __init__(self, base_url: str, tokens: list[str]) -> None:
        self.readies = CTX.Value("i", 0)
        self.stats = CTX.Array("i", 4)
        self.stop = CTX.Event()
        self.proc = CTX.Process(target=_idle, args=(base_url, tokens, self.readies, self.stats, self.stop))

    def start(self) -> IdleStreams:
        self.proc.start()
        return self

    def wait_readies(self, n: int, timeout: float) -> float | None:
        """Seconds until ``readies`` reaches n, or None."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.readies.value >= n:
                return time.monotonic() - start
            time.sleep(0.05)
        return None

    def finish(self) -> None:
        self.stop.set()
        self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
