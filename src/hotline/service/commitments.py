"""Use cases of rounds of talks, understandings and commitments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.domain import commitments as c
from hotline.domain.access import Principal
from hotline.domain.errors import NotFound
from hotline.domain.events import Pending
from hotline.store.ledger import list_aggregates, load_aggregate

from .commands import on_aggregate
from .hotline import Hotline

__all__ = ["record_round", "record_understanding", "record_commitment", "change_status", "get_record",
           "list_records", "workstreams"]


async def _record(hl: Hotline, kind: str, agg_id: str, parent: tuple[str, str] | None,
                  decide: Callable[[dict[str, Any] | None, dict[str, Any] | None], list[Pending]]
                  ) -> tuple[dict[str, Any], bool]:
    return await on_aggregate(
        hl, kind, agg_id, new=True, also=[parent] if parent else (),
        decide=lambda existing, others, _now: decide(existing, others.get(parent[1]) if parent else None))


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
    state, _ = await on_aggregate(hl, c.COMMITMENT, commitment_id, lambda st, _others, now: c.decide_status(
        hl.world, who, st, commitment_id, status, note, evidence, now))
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
