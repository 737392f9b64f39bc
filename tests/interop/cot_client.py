"""pytak clients for the gateway tests: connect over TCP or TLS, send CoT, read what comes back."""

from __future__ import annotations

import asyncio
import warnings
from configparser import ConfigParser
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytak warns at import that its optional enrolment extra is absent
    import pytak

__all__ = ["Tak", "connect", "uav"]


class _Rx(pytak.RXWorker):  # type: ignore[misc]
    async def handle_data(self, data: bytes) -> None:
        await self.queue.put(data)


class Tak:
    """One pytak connection: ``send`` through its TXWorker, ``until`` reads with its RXWorker."""

    def __init__(self, config: Any, reader: Any, writer: Any) -> None:
        self.tx = pytak.TXWorker(asyncio.Queue(), config, writer)
        self.rx = _Rx(asyncio.Queue(), config, reader)
        self.writer = writer
        self.seen: list[bytes] = []

    async def send(self, data: bytes) -> None:
        await self.tx.send_data(data)

    async def until(self, needle: bytes, timeout: float = 5.0) -> bytes:  # noqa: ASYNC109
        async def read() -> bytes:
            while True:
                data = await self.rx.readcot()
                if data is None:
                    raise ConnectionError("the gateway closed the connection")
                self.seen.append(data)
                if needle in data:
                    return bytes(data)

        return await asyncio.wait_for(read(), timeout)

    def close(self) -> None:
        self.writer.close()


async def connect(url: str, **tls: str) -> Tak:
    cfg = ConfigParser()
    cfg["t"] = {"COT_URL": url, **tls}
    config = cfg["t"]
    with warnings.catch_warnings():
        # pytak sets ssl.OP_NO_TLSv1 (deprecated in Python 3.10+) on its client context: its quirk, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        reader, writer = await pytak.protocol_factory(config)
    return Tak(config, reader, writer)


def uav(uid: str, lat: float, lon: float, *, hae: float = 2500.0, cot_type: str = "a-f-A-M-F-Q",
        callsign: str | None = None) -> bytes:
    data: bytes = pytak.gen_cot(lat=lat, lon=lon, hae=hae, ce=10, le=10, uid=uid, stale=120, cot_type=cot_type,
                                callsign=callsign or uid.upper())
    return data
