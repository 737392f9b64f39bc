"""Use cases of escalation: who was told, how, when, and whether it arrived (the delivery log)."""

from __future__ import annotations

from typing import Any

from hotline.domain.access import Principal
from hotline.store.deliveries import list_deliveries

from .hotline import Hotline

__all__ = ["deliveries_for"]


async def deliveries_for(hl: Hotline, who: Principal, *, item_id: str | None = None,
                         limit: int = 200) -> list[dict[str, Any]]:
    """The delivery log rows that concern the caller's party (the party that had to act, or the one told),
    in channels it sees; addresses of other parties' contacts are not shown."""
    if who.party is None:
        return []
    async with hl.db.read() as conn:
        rows = await list_deliveries(conn, parties=[who.party], channels=hl.world.channels_of(who.party),
                                     item_id=item_id, limit=limit)
    out = []
    for r in rows:
        own = r["target_party"] == who.party
        out.append({k: r[k] for k in ("id", "event_seq", "event_type", "step", "channel", "item_id", "party",
                                      "target", "target_party", "medium", "status", "attempts", "log",
                                      "next_at", "created_at", "updated_at")}
                   | {"address": r["address"] if own or r["medium"] == "console" else None})
    return out
