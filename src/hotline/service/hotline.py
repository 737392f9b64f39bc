"""The service: one object that owns the store, the writer, the hub and the timers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from hotline.domain.world import World
from hotline.ledger.envelope import Event
from hotline.realtime.hub import Hub
from hotline.realtime.tailer import Tailer
from hotline.store.database import Database
from hotline.store.ledger import last_seq

from .auth import Auth
from .checkpoints import Checkpoints
from .config import Settings, load_world
from .cursors import RecentCursors, assign_cursors
from .notify import Notifier
from .presence import Presence
from .timers import Timers
from .tracks import Sealer
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
        self.recent_cursors = RecentCursors()  # answers name the events they wrote in the reader's cursors
        self.writer = Writer(self.db, clock, self._committed, readers=self.readers)
        self.timers = Timers(self.db, self.world, self.writer, clock)
        self.auth = Auth(self.db, self.world, clock, ttl_s=settings.session_ttl_s)
        self.auth.on_revoke.append(self.hub.end_sessions)
        self.listeners: list[Callable[[list[Event]], None]] = []
        self.checkpoints = Checkpoints(self)
        self.presence = Presence(self)  # desks: whose console stream is connected
        self.notifier = Notifier(self)  # escalation steps to e-mail and webhooks
        self.track_sealer = Sealer(self)  # live track points into the ledger, a batch per interval
        # On PostgreSQL several processes may share the ledger: deliver what any of them commits, in
        # seq order, by reading it back. SQLite has one process: deliver straight from the commit.
        self.tailer = None if self.db.is_sqlite else Tailer(self.db, self._deliver)

    def readers(self, channel: str) -> tuple[str, ...]:
        """The parties that may read ``channel``'s events (each gets a cursor for every one)."""
        found = self.world.channels.get(channel)
        return () if found is None else found.members

    async def start(self, *, timers: bool = True) -> None:
        await self.db.migrate()
        await assign_cursors(self)  # events written before cursors existed (or by an older hotline)
        if self.tailer is not None:
            async with self.db.read() as conn:
                position = await last_seq(conn)
            self.hub.published_seq = position
        await self.checkpoints.start()  # before the writer: no commit is missed
        if self.tailer is not None:
            await self.tailer.start(position)
        self.writer.start()
        self.track_sealer.start()
        if timers:
            self.timers.start()
            await self.notifier.start()
        await self.presence.start()

    async def stop(self) -> None:
        await self.notifier.stop()
        self.presence.stop()
        await self.track_sealer.stop()
        await self.timers.stop()
        await self.writer.stop()
        if self.tailer is not None:
            await self.tailer.stop()
        await self.checkpoints.stop()
        await self.db.dispose()

    def _committed(self, events: list[Event], earliest_due: str | None = None,
                   cursors: dict[int, dict[str, int]] | None = None) -> None:
        if earliest_due is not None:
            self.timers.wake(earliest_due)
        if self.tailer is None:
            self._deliver(events, cursors or {})
        elif events[0].seq == self.tailer.position + 1:
            # Nothing from another process came in between: deliver at once, as a single process does.
            self.tailer.position = events[-1].seq
            self._deliver(events, cursors or {})
        else:
            self.tailer.request()  # read the gap (and these) back from the ledger, in order

    def _deliver(self, events: list[Event], cursors: dict[int, dict[str, int]]) -> None:
        """Hand committed events, in seq order and each once, to the hub (with each reader's cursor of
        each event) and every listener."""
        self.recent_cursors.add(cursors)
        self.hub.publish(events, cursors)
        for listener in self.listeners:
            try:
                listener(events)
            except Exception:
                log.exception("commit listener failed")
