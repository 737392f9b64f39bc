"""Use cases of the disputes register: open, state positions, propose and accept, escalate, refer."""

from __future__ import annotations

import uuid
from typing import Any

from hotline.domain import disputes, incidents
from hotline.domain.access import Principal
from hotline.domain.errors import NotFound
from hotline.store.ledger import list_aggregates, load_aggregate

from .commands import on_aggregate
from .hotline import Hotline

__all__ = ["new_dispute_id", "open_dispute", "act", "get_dispute", "list_disputes"]

KIND = disputes.KIND


def new_dispute_id() -> str:
    return "dsp-" + uuid.uuid4().hex[:20]


async def open_dispute(hl: Hotline, who: Principal, cmd: disputes.OpenDispute) -> tuple[dict[str, Any], bool]:
    return await on_aggregate(
        hl, KIND, cmd.dispute_id, new=True, also=[(incidents.KIND, iid) for iid in cmd.incident_ids],
        decide=lambda existing, linked, now: disputes.decide_open(hl.world, who, cmd, now, existing, linked))


async def act(hl: Hotline, who: Principal, cmd: disputes.Step) -> tuple[dict[str, Any], bool]:
    """One step on an open dispute; returns its state and whether anything was written."""
    return await on_aggregate(hl, KIND, cmd.dispute_id, lambda state, _others, now: disputes.decide(
        hl.world, who, state, cmd, now))


async def get_dispute(hl: Hotline, who: Principal, dispute_id: str) -> dict[str, Any]:
    async with hl.db.read() as conn:
        state = await load_aggregate(conn, KIND, dispute_id)
    if state is None or state["channel"] not in hl.world.channels_of(who.party):
        raise NotFound(f"No dispute {dispute_id!r} is visible to you.", field="dispute_id")
    return state


async def list_disputes(hl: Hotline, who: Principal, *, status: str | None = None,
                        limit: int = 500) -> list[dict[str, Any]]:
    async with hl.db.read() as conn:
        items = await list_aggregates(conn, KIND, hl.world.channels_of(who.party), limit=limit)
    return [d for d in items if status is None or d["status"] == status]
