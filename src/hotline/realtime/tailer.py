"""Cross-process delivery: committed events read back from the ledger itself, in seq order.

With several server processes on one PostgreSQL, a process's hub must deliver what the others
commit too. Every write transaction sends a notification (delivered by PostgreSQL at commit); each
process listens, and on a notification, or after a commit of its own, reads the events after the last
seq it delivered and hands them on in order. Because the writer holds the ledger's table lock, seq
order is commit order: a read after a notification sees every event up to it, so nothing is skipped.
Each event's readers' cursors were written in its transaction; they are read back with it, so a party's
cursor of an event is the same on every process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from hotline.ledger.envelope import Event
from hotline.store.cursors import cursors_of
from hotline.store.database import Database
from hotline.store.ledger import NOTIFY_CHANNEL, read_events
from hotline.tasks import cancel_and_wait

__all__ = ["Tailer"]

log = logging.getLogger("hotline.tailer")
PAGE = 1000


class Tailer:
    def __init__(self, db: Database, deliver: Callable[[list[Event], dict[int, dict[str, int]]], None]) -> None:
        self.db = db
        self.deliver = deliver
        self.position = 0
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stop_listening: Callable[[], object] | None = None

    async def start(self, position: int) -> None:
        self.position = position
        self._stop_listening = await self.db.listen(NOTIFY_CHANNEL, self.request)
        self._task = asyncio.create_task(self._run(), name="hotline-tailer")
        self.request()  # whatever was committed between reading the position and listening

    async def stop(self) -> None:
        if self._stop_listening is not None:
            await self._stop_listening()  # type: ignore[misc]
        await cancel_and_wait(self._task)
        self._task = None

    def request(self) -> None:
        self._wanted.set()

    async def _run(self) -> None:
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading new events failed; retrying")
                await asyncio.sleep(0.5)
                self._wanted.set()

    async def catch_up(self) -> None:
        while True:
            async with self.db.read() as conn:
                page = await read_events(conn, after=self.position, channels=None, limit=PAGE)
                cursors = await cursors_of(conn, page[0].seq, page[-1].seq) if page else {}
            full = len(page) == PAGE
            # This process may have delivered its own commits while the read was under way.
            page = [ev for ev in page if ev.seq > self.position]
            if page:
                self.position = page[-1].seq
                self.deliver(page, cursors)
            if not full:
                return
