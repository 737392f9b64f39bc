"""Use cases of rounds of talks, understandings and commitments."""

from __future__ import annotations

from typing import Any

from hotline.domain import commitments as c
from hotline.domain.access import Principal
from hotline.store.ledger import list_aggregates

from .commands import get_visible, on_aggregate
from .hotline import Hotline

__all__ = ["act", "get_record", "list_records", "workstreams"]


async def act(hl: Hotline, who: Principal, cmd: c.Command) -> tuple[dict[str, Any], bool]:
    """Record a round, an understanding or a commitment, or change a commitment's status; the record's
    state and whether anything was written (recording the same thing again writes nothing)."""
    kind, agg_id = c.kind_of(cmd)
    parent = c.parent_of(cmd)
    return await on_aggregate(
        hl, kind, agg_id, new=not isinstance(cmd, c.ChangeStatus), also=[parent] if parent else (),
        decide=lambda state, others, now: c.decide(hl.world, who, state, cmd, now,
                                                    parent=others.get(parent[1]) if parent else None))


async def get_record(hl: Hotline, who: Principal, kind: str, agg_id: str) -> dict[str, Any]:
    return await get_visible(hl, who, kind, agg_id, kind.replace("_", " "), field="id")


async def list_records(hl: Hotline, who: Principal, kind: str) -> list[dict[str, Any]]:
    async with hl.db.read() as conn:
        return await list_aggregates(conn, kind, hl.world.channels_of(who.party), limit=10_000)


async def workstreams(hl: Hotline, who: Principal) -> dict[str, Any]:
    """Civilian cooperation by workstream: its understandings (with their items) and commitments."""
    unds = await list_records(hl, who, c.UNDERSTANDING)
    coms = await list_records(hl, who, c.COMMITMENT)
    out: dict[str, Any] = {}
    for ws in c.WORKSTREAMS:
        out[ws] = {"understandings": sorted((u for u in unds if u.get("workstream") == ws), key=lambda u: u["seq"]),
                   "commitments": sorted((m for m in coms if m.get("workstream") == ws), key=lambda m: m["due_at"])}
    return out
