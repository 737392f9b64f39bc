"""Reading a hotline stream in the benchmarks: wait for ``ready``, then each frame with its arrival time.

Every benchmark that listens reads frames the same way; the time a frame arrived is taken before it is
decoded, so decoding does not count as delivery latency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson

__all__ = ["until_ready", "frames", "events"]


async def until_ready(ws: Any) -> None:
    """Read (and drop) the backlog up to the ``ready`` frame: what comes after it arrives live."""
    while orjson.loads(await ws.recv())["type"] != "ready":
        pass


async def frames(ws: Any, stop: Any = None) -> AsyncIterator[tuple[float, dict[str, Any]]]:
    """(arrival time, frame) until the stream closes or ``stop`` (a multiprocessing event, which cannot
    be awaited, so it is looked at every half second) is set."""
    if stop is None:
        async for raw in ws:
            yield time.time(), orjson.loads(raw)
        return
    while not stop.is_set():
        try:
            raw = await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        yield time.time(), orjson.loads(raw)


def events(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The events a frame carries: one (``event``) or a batch (``events``); none for other frames."""
    return [frame["event"]] if frame["type"] == "event" else frame.get("events", [])
