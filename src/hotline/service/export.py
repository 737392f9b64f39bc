"""The full offline export: events, signed checkpoints, cosignatures and the server key, in the format
``hotline.ledger.offline`` verifies without a server or database."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import IO, Any

import orjson

from hotline.ledger.offline import write_export
from hotline.store import checkpoints as store
from hotline.store import tracks as track_store

from .checkpoints import load_server_key
from .hotline import Hotline
from .records import all_events

__all__ = ["export_ledger", "unlisted_channel_members"]


async def export_ledger(hl: Hotline, fp: IO[bytes]) -> int:
    """Write the export of ``hl``'s database to ``fp``; returns the number of events written."""
    key = await load_server_key(hl, create=False)
    events = [ev.to_dict() async for ev in all_events(hl.db)]
    async with hl.db.read() as conn:
        cps = await store.all_checkpoints(conn)
        cosigs = await store.all_cosignatures(conn)
        points = [(batch, orjson.loads(text)) for batch, text in await track_store.all_sealed(conn)]
    channels = {c.id: list(c.members) for c in hl.world.channels.values()}
    channels |= unlisted_channel_members(events, known=channels.keys())
    header = {"channels": channels, "origins": {c: hl.checkpoints.origin(c) for c in channels}}
    write_export(fp, header, events, [(r.channel, r.note) for r in cps],
                 [(c.channel, c.party, c.note) for c in cosigs], [key.verifier.vkey], header_signers=[key],
                 track_points=points)
    return len(events)


def unlisted_channel_members(events: Iterable[dict[str, Any]], known: Collection[str]) -> dict[str, list[str]]:
    """The parties that wrote to each channel the world no longer lists (its record is still exported).

    One pass over the events. System events (a zone activated, a commitment overdue) have no party and
    make no one a member."""
    seen: dict[str, set[str]] = {}
    for ev in events:
        if ev["channel"] in known:
            continue
        parties = seen.setdefault(ev["channel"], set())
        if ev["party"] is not None:
            parties.add(ev["party"])
    return {channel: sorted(parties) for channel, parties in seen.items()}
