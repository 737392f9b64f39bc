"""Use cases of rounds of talks, understandings and commitments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.domain import commitments as c
from hotline.domain.access import Principal
from hotline.domain.errors import Conflict, NotFound
from hotline.domain.events import Pending
from hotline.store.ledger import UnitOfWork, list_aggregates, load_aggregate

from .hotline import Hotline

__all__ = ["record_round", "record_understanding", "record_commitment", "change_status", "get_record",
           "list_records", "workstreams"]


async def _record(hl: Hotline, kind: str, agg_id: str, parent: tuple[str, str] | None,
                  decide: Callable[[dict[str, Any] | None, dict[str, Any] | None], list[Pending]]
                  ) -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        existing = await uow.load(kind, agg_id)
        if existing is None and uow.peek(agg_id) is not None:
            raise Conflict(f"The id {agg_id!r} is taken by another record; use a new id.", field="id")
        parent_state = await uow.load(*parent) if parent else None
        return decide(existing, parent_state)

    events, state = await hl.writer.submit(handle, lambda uow: uow.peek(agg_id))
    return state, bool(events)


async def record_round(hl: Hotline, who: Principal, cmd: c.RecordRound) -> tuple[dict[str, Any], bool]:
    return await _record(hl, c.ROUND, cmd.round_id, None,
                         lambda existing, _p: c.decide_round(hl.world, who, cmd, existing))


async def record_understanding(hl: Hotline, who: Principal, cmd: c.RecordUnderstanding
                               ) -> tuple[dict[str, Any], bool]:
    return await _record(hl, c.UNDERSTANDING, cmd.understanding_id, (c.ROUND, cmd.round_id),
                         lambda existing, parent: c.decide_understanding(hl.world, who, cmd, existing, parent))


async def record_commitment(hl: Hotline, who: Principal, cmd: c.RecordCommitment) -> tuple[dict[str, Any], bool]:
    return await _record(hl, c.COMMITMENT, cmd.commitment_id, (c.UNDERSTANDING, cmd.understanding_id),
                         lambda existing, parent: c.decide_commitment(hl.world, who, cmd, existing, parent))


async def change_status(hl: Hotline, who: Principal, commitment_id: str, status: str, note: str,
                        evidence: list[str]) -> dict[str, Any]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        state = await uow.load(c.COMMITMENT, commitment_id)
        return c.decide_status(hl.world, who, state, commitment_id, status, note, evidence, uow.now)

    _, state = await hl.writer.submit(handle, lambda uow: uow.peek(commitment_id))
    result: dict[str, Any] = state
    return result


async def get_record(hl: Hotline, who: Principal, kind: str, agg_id: str) -> dict[str, Any]:
    async with hl.db.read() as conn:
        state = await load_aggregate(conn, kind, agg_id)
    if state is None or state["channel"] not in hl.world.channels_of(who.party):
        raise NotFound(f"No {kind.replace('_', ' ')} {agg_id!r} is visible to you.", field="id")
    return state


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
