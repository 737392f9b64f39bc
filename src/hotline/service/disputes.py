"""Use cases of the disputes register: open, state positions, propose and accept, escalate, refer."""

from __future__ import annotations

import uuid
from typing import Any

from hotline.domain import disputes, incidents
from hotline.domain.access import Principal
from hotline.domain.errors import Conflict, NotFound
from hotline.domain.events import Pending
from hotline.store.ledger import UnitOfWork, list_aggregates, load_aggregate

from .hotline import Hotline

__all__ = ["new_dispute_id", "open_dispute", "act", "get_dispute", "list_disputes"]

KIND = disputes.KIND


def new_dispute_id() -> str:
    return "dsp-" + uuid.uuid4().hex[:20]


async def open_dispute(hl: Hotline, who: Principal, cmd: disputes.OpenDispute) -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        existing = await uow.load(KIND, cmd.dispute_id)
        if existing is None and uow.peek(cmd.dispute_id) is not None:
            raise Conflict(f"The id {cmd.dispute_id!r} is taken by another record; use a new id.", field="id")
        linked = {iid: await uow.load(incidents.KIND, iid) for iid in cmd.incident_ids}
        return disputes.decide_open(hl.world, who, cmd, uow.now, existing, linked)

    events, state = await hl.writer.submit(handle, lambda uow: uow.peek(cmd.dispute_id))
    return state, bool(events)


async def act(hl: Hotline, who: Principal, dispute_id: str, action: str,
              args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        state = await uow.load(KIND, dispute_id)
        return disputes.decide(hl.world, who, state, dispute_id, action, args, uow.now)

    events, state = await hl.writer.submit(handle, lambda uow: uow.peek(dispute_id))
    return state, bool(events)


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
