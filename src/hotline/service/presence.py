"""Presence from the console's own stream: is a desk's signed-on officer connected?

A desk is *manned* while its officer's console stream has been connected within the last
``duty.presence_timeout_s`` seconds, *unattended* after that. Connections are counted here in memory
(heartbeats are not ledger material); only a change of state becomes an event, written through the
desk's ``decide`` like any command. At rest this costs nothing: no timer runs while streams stay open,
and a closed stream arms one ``call_later``.

After a restart nobody's stream is known yet: a desk recorded as manned gets the full timeout for its
officer's console to come back before it is marked unattended. With several server processes on one
PostgreSQL each process sees only its own streams (a known limit: a console connected to another
process counts as absent here).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from hotline.domain.timefmt import iso

if TYPE_CHECKING:
    from .hotline import Hotline

__all__ = ["Presence"]

log = logging.getLogger("hotline.presence")


class Presence:
    def __init__(self, hl: Hotline) -> None:
        self.hl = hl
        self.connected_count: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def timeout(self) -> float:
        return float(self.hl.world.duty.presence_timeout_s)

    def connected(self, username: str) -> None:
        """A console stream of ``username`` opened."""
        self.connected_count[username] = self.connected_count.get(username, 0) + 1
        timer = self._timers.pop(username, None)
        if timer is not None:
            timer.cancel()
        if self.connected_count[username] == 1:
            self._spawn(self._settle(username, present=True))

    def disconnected(self, username: str) -> None:
        """A console stream of ``username`` closed; with none left, the desk turns unattended after the timeout."""
        left = self.connected_count.get(username, 1) - 1
        if left > 0:
            self.connected_count[username] = left
            return
        self.connected_count.pop(username, None)
        self.watch(username)

    def watch(self, username: str) -> None:
        """Arm the timeout for ``username`` unless a stream of theirs is open (after sign-on, at start)."""
        if self.connected_count.get(username) or username in self._timers:
            return
        last_seen = iso(self.hl.clock())
        loop = asyncio.get_running_loop()
        self._timers[username] = loop.call_later(
            self.timeout, lambda: self._spawn(self._expire(username, last_seen)))

    async def start(self) -> None:
        from .desks import desk_states

        states, _ = await desk_states(self.hl)
        for state in states.values():
            if state and state["officer"] and state["status"] == "manned":
                self.watch(state["officer"]["username"])

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _expire(self, username: str, last_seen: str) -> None:
        self._timers.pop(username, None)
        if not self.connected_count.get(username):
            await self._settle(username, present=False, last_seen=last_seen)

    async def _settle(self, username: str, *, present: bool, last_seen: str = "") -> None:
        """Record the change on every desk ``username`` holds whose state says otherwise."""
        from .desks import desk_states, mark_presence

        try:
            states, _ = await desk_states(self.hl)
            for desk_id, state in states.items():
                if not state or not state["officer"] or state["officer"]["username"] != username:
                    continue
                want = "manned" if present else "unattended"
                if state["status"] != want:
                    await mark_presence(self.hl, desk_id, username, present, last_seen)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("presence change of %s not recorded", username)
