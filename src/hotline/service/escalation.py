"""Use cases of escalation: who was told, how, when, and whether it arrived (the delivery log).

A delivery row is keyed by the ledger seq of the event it tells of (its ``id`` starts with it, its
``event_seq`` is it, a console delivery's log says "ledger seq N"). The log is shown in the reader's
own cursors instead (see ``service/cursors.py``): the global seq would let a party count events of
channels it may not read.
"""

from __future__ import annotations

import re
from typing import Any

from hotline.domain.access import Principal
from hotline.store.cursors import seq_to_cursor
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
        mine = await seq_to_cursor(conn, who.party, {r["event_seq"] for r in rows})
    out = []
    for r in rows:
        own = r["target_party"] == who.party
        cursor = mine.get(r["event_seq"])
        out.append({k: r[k] for k in ("event_type", "step", "channel", "item_id", "party", "target",
                                      "target_party", "medium", "status", "attempts", "next_at",
                                      "created_at", "updated_at")}
                   | {"id": f"{cursor}:{r['id'].partition(':')[2]}", "event_seq": cursor,
                      "log": [_unnumbered(entry) for entry in r["log"]],
                      "address": r["address"] if own or r["medium"] == "console" else None})
    return out


_LEDGER_SEQ = re.compile(r" ?\(ledger seq \d+\)")


def _unnumbered(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry without the ledger seq that rows written before cursors named in their detail."""
    detail = entry.get("detail")
    return {**entry, "detail": _LEDGER_SEQ.sub("", detail)} if isinstance(detail, str) else entry
