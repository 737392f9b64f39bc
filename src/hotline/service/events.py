"""Reading the ledger as a party may: the events of the channels it belongs to, numbered by its own
cursors (``hotline.service.cursors``), in order.

The events page and the stream's backlog read through here, so visibility (per channel, from the
world) is decided in the service and the API never opens the store.
"""

from __future__ import annotations

from hotline.domain.access import Principal
from hotline.ledger.envelope import Event
from hotline.store.cursors import read_party_events

from .hotline import Hotline

__all__ = ["visible_events", "events_of_party"]


async def events_of_party(hl: Hotline, party: str | None, *, after: int, limit: int) -> list[tuple[int, Event]]:
    """Up to ``limit`` (cursor, event) pairs of ``party`` after its cursor ``after``, oldest first."""
    if party is None:
        return []
    async with hl.db.read() as conn:
        return await read_party_events(conn, party, hl.world.channels_of(party), after=after, limit=limit)


async def visible_events(hl: Hotline, who: Principal, *, after: int, limit: int) -> list[tuple[int, Event]]:
    """Up to ``limit`` (cursor, event) pairs after cursor ``after`` that ``who``'s party may see."""
    return await events_of_party(hl, who.party, after=after, limit=limit)
