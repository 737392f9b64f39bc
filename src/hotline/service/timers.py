"""Deadlines that survive a restart: the next one is always read from the projections.

The loop asks the store which aggregates are due, lets each one's ``tick`` decide (so a deadline
already recorded, by this process or another, is never recorded twice), sleeps until the next due
time, and is woken early whenever a commit may have brought a nearer one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from hotline.domain.aggregates import KINDS
from hotline.domain.events import Pending
from hotline.domain.timefmt import iso, parse_iso
from hotline.domain.world import World
from hotline.service.unit_of_work import UnitOfWork
from hotline.store.database import Database
from hotline.store.ledger import due_aggregates, next_due_at

from .writer import Writer

__all__ = ["Timers"]

log = logging.getLogger("hotline.timers")


class Timers:
    def __init__(self, db: Database, world: World, writer: Writer, clock: Callable[[], datetime], *,
                 max_sleep: float = 30.0) -> None:
        self.db, self.world, self.writer, self.clock = db, world, writer, clock
        self.max_sleep = max_sleep
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sleeping_until: str | None = None  # ISO time the loop sleeps towards

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hotline-timers")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def wake(self, due: str | None = None) -> None:
        """A commit brought a timer due at ``due``: wake the loop if that is sooner than its plan."""
        if due is None or self._sleeping_until is None or due < self._sleeping_until:
            self._wake.set()

    async def run_due(self) -> int:
        """Tick every aggregate that is due now; returns the number of events written."""
        async with self.db.read() as conn:
            due = await due_aggregates(conn, iso(self.clock()))
        written = 0
        for kind, agg_id in due:
            events, _ = await self.writer.submit(self._ticker(kind, agg_id), keys=(agg_id,))
            written += len(events)
        return written

    def _ticker(self, kind: str, agg_id: str) -> Callable[[UnitOfWork], Awaitable[list[Pending]]]:
        async def handle(uow: UnitOfWork) -> list[Pending]:
            state = await uow.load(kind, agg_id)
            tick = KINDS[kind].tick
            if state is None or tick is None:
                return []
            return tick(self.world, state, uow.now)
        return handle

    async def _run(self) -> None:
        while True:
            # Clear first and plan nothing while reading the store: a wake that comes meanwhile
            # stays set, so a timer committed during this pass is never missed.
            self._wake.clear()
            self._sleeping_until = None
            try:
                await self.run_due()
                async with self.db.read() as conn:
                    nxt = await next_due_at(conn)
                delay = self.max_sleep
                if nxt is not None:
                    delay = min(delay, max(0.0, (parse_iso(nxt) - self.clock()).total_seconds()))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timer pass failed; retrying shortly")
                delay = 1.0
            self._sleeping_until = iso(self.clock() + timedelta(seconds=delay))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay + 0.01)
            except TimeoutError:
                pass
