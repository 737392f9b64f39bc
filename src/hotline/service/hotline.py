"""The service: one object that owns the store, the writer, the hub and the timers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from hotline.domain.world import World
from hotline.ledger.envelope import Event
from hotline.realtime.hub import Hub
from hotline.store.database import Database

from .auth import Auth
from .checkpoints import Checkpoints
from .config import Settings, load_world
from .timers import Timers
from .writer import Writer

__all__ = ["Hotline", "utcnow"]

log = logging.getLogger("hotline")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Hotline:
    def __init__(self, settings: Settings, *, world: World | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.world = world or load_world(settings.world)
        self.clock = clock
        self.db = Database(settings.database_url)
        self.hub = Hub(queue_size=settings.stream_queue, per_identity=settings.streams_per_user)
        self.writer = Writer(self.db, clock, self._committed)
        self.timers = Timers(self.db, self.world, self.writer, clock)
        self.auth = Auth(self.db, self.world, clock, ttl_s=settings.session_ttl_s)
        self.auth.on_revoke.append(self.hub.end_sessions)
        self.listeners: list[Callable[[list[Event]], None]] = []
        self.checkpoints = Checkpoints(self)

    async def start(self, *, timers: bool = True) -> None:
        await self.db.migrate()
        await self.checkpoints.start()  # before the writer: no commit is missed
        self.writer.start()
        if timers:
            self.timers.start()

    async def stop(self) -> None:
        await self.timers.stop()
        await self.writer.stop()
        await self.checkpoints.stop()
        await self.db.dispose()

    def _committed(self, events: list[Event], earliest_due: str | None = None) -> None:
        self.hub.publish(events)
        if earliest_due is not None:
            self.timers.wake(earliest_due)
        for listener in self.listeners:
            try:
                listener(events)
            except Exception:
                log.exception("commit listener failed")
