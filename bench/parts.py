"""The parts of the hot paths, each beside the way it was done before, in one process.

    python bench/parts.py [--lines 20000] [--calls 20000] [--posts 3000] [--points 100000]

docs/performance.md and the notes quote these figures; each line prints the part's CPU (process time)
per call, the old way's beside it, and the ratio:

1. a request log line (console and JSON) written straight to the handler (``service.logs``) beside
   structlog's standard-library path, both to a file; a request id (``api/edge.py``) beside ``uuid4``;
2. a wait handed to a thread: the SQLite batch connection's own thread (``store.sqlite_writer``)
   beside ``loop.run_in_executor``, for a call that does nothing;
3. a message posted through the service (writer, ledger, SQLite file, one post at a time): CPU per post;
4. track positions: validation and point texts by columns (batches of 1,000) beside body by body
   (batches under the column threshold), on the same 100,000 positions.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from hotline.domain import tracks as trk
from hotline.service import logs
from hotline.service.config import Settings, load_world
from hotline.store.sqlite_writer import _WaitThread


def per_call(n: int, run: Callable[[], None]) -> float:
    """CPU microseconds per call of ``run`` (which makes ``n`` calls)."""
    t0 = time.process_time()
    run()
    return (time.process_time() - t0) / n * 1e6


def show(what: str, new: float, old: float, unit: str = "us") -> None:
    print(f"  {what:<44} {new:9.2f} {unit}   before {old:9.2f} {unit}   ratio {new / old:5.2f}x")


def _request_lines(log: Any, fields: dict[str, Any], n: int) -> None:
    for _ in range(n):
        log.info("request", **fields)


def log_lines(n: int, folder: Path) -> None:
    print(f"[1] request log line, {n:,} lines to a file")
    for fmt in ("console", "json"):
        with open(folder / f"{fmt}.log", "w", encoding="utf-8") as out:
            logs.configure_logging(fmt, stream=out)  # type: ignore[arg-type]
            direct = logs.logger("hotline.request")
            stdlib: Any = structlog.stdlib.get_logger("hotline.request")
            fields = {"method": "POST", "path": "/api/v1/channels/joint/messages", "status": 201, "ms": 3.2,
                      "user": "isr-duty", "party": "isr", "command": "post_message"}
            new = per_call(n, functools.partial(_request_lines, direct, fields, n))
            old = per_call(n, functools.partial(_request_lines, stdlib, fields, n))
            show(f"{fmt} line", new, old)
    logging.getLogger("hotline").handlers.clear()
    ids = per_call(n, lambda: [os.urandom(16).hex() for _ in range(n)])
    show("a request id (os.urandom(16).hex() vs uuid4().hex)", ids,
         per_call(n, lambda: [uuid.uuid4().hex for _ in range(n)]))


def handoffs(n: int) -> None:
    print(f"[2] a wait handed to a thread, {n:,} calls of a no-op")

    async def go() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        waits = _WaitThread(loop)

        async def own() -> None:
            for _ in range(n):
                await waits.run(lambda: None)

        async def executor() -> None:
            for _ in range(n):
                await loop.run_in_executor(None, lambda: None)

        t0 = time.process_time()
        await own()
        t1 = time.process_time()
        await executor()
        t2 = time.process_time()
        waits.stop()
        return (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6

    new, old = asyncio.run(go())
    show("the connection's own thread vs run_in_executor", new, old)


def posts(n: int, folder: Path) -> None:
    from hotline.domain.access import Principal
    from hotline.domain.messages import PostMessage
    from hotline.service.hotline import Hotline
    from hotline.service.messages import post_message

    async def go() -> float:
        hl = Hotline(Settings(database_url=f"sqlite:///{folder / 'posts.db'}"))
        await hl.start(timers=False)
        who = Principal("isr-duty", "isr", "operator")
        for i in range(50):  # warm up: first statements, caches
            await post_message(hl, who, PostMessage(f"warm-{i}", "joint", "ROUTINE", "s", "b", "en"))
        t0 = time.process_time()
        for i in range(n):
            await post_message(hl, who, PostMessage(f"post-{i}", "joint", "ROUTINE", "s", "b", "en"))
        took = time.process_time() - t0
        await hl.stop()
        return took / n * 1e3

    print(f"[3] posts through the service, one at a time, {n:,} on a SQLite file (synchronous=FULL)")
    print(f"  CPU per post                                 {asyncio.run(go()):9.3f} ms   (no 'before' here: "
          f"run this script on an older checkout)")


def positions(n: int) -> None:
    world = load_world(Settings().world)
    rng = random.Random(7)
    now = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    bodies = [{"uid": f"t{i % 1000}", "type": "a-f-A-M-F-Q" if i % 2 else "a-f-G-U-C",
               "lat": rng.uniform(32.65, 33.45), "lon": rng.uniform(35.6, 36.9), "hae": rng.uniform(0, 6000),
               "time": now.isoformat()} for i in range(n)]
    small = trk._COLUMNS_FROM - 1  # the body-by-body path (batches under the column threshold)
    print(f"[4] track positions, {n:,} (column paths in batches of 1,000; body by body in batches of {small})")

    def validate(size: int) -> Callable[[], None]:
        return lambda: [trk.positions_from_dicts(world, "syr", bodies[i:i + size], now) for i in range(0, n, size)]

    show("validation per position", per_call(n, validate(1000)), per_call(n, validate(small)))
    parsed = trk.positions_from_dicts(world, "syr", bodies[:1000], now)
    many = parsed * (n // 1000)
    small_texts = trk._TEXT_COLUMNS_FROM - 1

    def texts(size: int) -> Callable[[], None]:
        return lambda: [trk.point_texts(many[i:i + size], now) for i in range(0, len(many), size)]

    show("point texts per position", per_call(len(many), texts(1000)), per_call(len(many), texts(small_texts)))
    first = many[:1000]  # both paths write the same bytes
    assert trk.point_texts(first, now) == [t for i in range(0, len(first), small_texts)
                                           for t in trk.point_texts(first[i:i + small_texts], now)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--posts", type=int, default=3_000)
    ap.add_argument("--points", type=int, default=100_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hotline-parts-"))
    log_lines(args.lines, folder)
    handoffs(args.calls)
    posts(args.posts, folder)
    positions(args.points)


if __name__ == "__main__":
    main()
