"""Reading the ledger as a party may: the events of the channels it belongs to, in seq order.

The events page and the stream's backlog read through here, so visibility (per channel, from the
world) is decided in the service and the API never opens the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.domain.access import Principal
from hotline.ledger.envelope import Event
from hotline.store.ledger import read_events

from .hotline import Hotline

__all__ = ["visible_events", "events_of_channels"]


async def events_of_channels(hl: Hotline, channels: Iterable[str], *, after: int, limit: int) -> list[Event]:
    """Up to ``limit`` events of ``channels`` after seq ``after``, oldest first."""
    async with hl.db.read() as conn:
        return await read_events(conn, after=after, channels=channels, limit=limit)


async def visible_events(hl: Hotline, who: Principal, *, after: int, limit: int) -> list[Event]:
    """Up to ``limit`` events after seq ``after`` that ``who``'s party may see."""
    return await events_of_channels(hl, hl.world.channels_of(who.party), after=after, limit=limit)
