"""Use cases of sightings: report one (any grid), list and read those visible to the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.domain import incidents as inc
from hotline.domain import sightings as sgt
from hotline.domain.access import Principal, require_speaker
from hotline.domain.errors import Invalid, NotFound
from hotline.store.ledger import list_aggregates, load_aggregate

from .commands import on_aggregate
from .deconfliction import new_id
from .hotline import Hotline
from .incidents import read_location

__all__ = ["report", "list_visible", "get_visible"]


def _command(hl: Hotline, party: str, body: Mapping[str, Any]) -> sgt.ReportSighting:
    loc_spec = body.get("location")
    if not isinstance(loc_spec, Mapping):
        raise Invalid("location is required: {\"text\": any grid} or {\"lat\", \"lon\"}.", field="location")
    loc = read_location(dict(loc_spec))
    try:
        count = int(body.get("count", 1))
        heading = None if body.get("heading") is None else float(body["heading"])
        credibility = int(body.get("credibility", 0))
    except (TypeError, ValueError) as e:
        raise Invalid(f"count, heading and credibility are numbers ({e}).", field="count") from None
    return sgt.ReportSighting(
        sighting_id=str(body.get("id") or new_id("sgt")), channel=str(body.get("channel") or hl.world.common_channel),
        what=str(body.get("what", "")), lat=loc.lat, lon=loc.lon, uncertainty_m=loc.uncertainty_m, grid=loc.grid,
        seen_at=str(body.get("seen_at", "")), count=count, heading=heading,
        reliability=str(body.get("reliability", "")), credibility=credibility,
        language=str(body.get("language", "en"))[:35], evidence=body.get("evidence"), incident=body.get("incident"))


async def report(hl: Hotline, who: Principal, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    party = require_speaker(who, "report sightings")
    cmd = _command(hl, party, body)
    sgt.validate(hl.world, party, cmd, hl.clock())  # refuse bad input before the writer is asked
    also = [(inc.KIND, cmd.incident)] if cmd.incident else []

    def decide(state: dict[str, Any] | None, others: dict[str, Any], now: Any) -> list[Any]:
        return sgt.decide(hl.world, who, state, others.get(cmd.incident) if cmd.incident else None, cmd, now)

    return await on_aggregate(hl, sgt.KIND, sgt.agg_id(cmd.sighting_id), decide, new=True, also=also)


async def list_visible(hl: Hotline, who: Principal, limit: int = 1000) -> list[dict[str, Any]]:
    async with hl.db.read() as conn:
        return await list_aggregates(conn, sgt.KIND, hl.world.channels_of(who.party), limit=limit)


async def get_visible(hl: Hotline, who: Principal, sighting_id: str) -> dict[str, Any]:
    async with hl.db.read() as conn:
        state = await load_aggregate(conn, sgt.KIND, sgt.agg_id(sighting_id))
    if state is None or state["channel"] not in hl.world.channels_of(who.party):
        raise NotFound(f"No sighting {sighting_id!r} is visible to you.", field="sighting_id")
    return state
