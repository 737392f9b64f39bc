"""Tracks: report positions, read the live picture and a track's history by time window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain.access import require_speaker
from hotline.domain.errors import Invalid
from hotline.domain.timefmt import parse_iso
from hotline.service import tracks as use

from .cursor_route import InCursors
from .deps import Caller, Service

router = APIRouter(prefix="/api/v1", tags=["tracks"], route_class=InCursors)


class PositionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    positions: list[dict[str, Any]] = Field(
        description="Positions of the caller's party's tracks: uid, type (CoT a-f-...), callsign, lat, lon, hae, "
                    "ce, le, course, speed, time, stale, channel (with whom it is shared; default the joint "
                    "channel).", max_length=use.MAX_BATCH)


def _time(value: str | None, field: str) -> Any:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise Invalid(f"{field} must be an ISO 8601 time with a zone.", field=field) from None


@router.post("/tracks/positions", status_code=202, summary="Report positions of the caller's tracks")
async def post_positions(body: PositionsIn, who: Caller, hl: Service) -> dict[str, Any]:
    party = require_speaker(who, "report track positions")
    stored = await use.ingest(hl, party, body.positions)
    return {"accepted": len(stored)}


@router.get("/tracks", summary="The latest position of each track visible to the caller")
async def get_tracks(who: Caller, hl: Service) -> dict[str, Any]:
    return {"tracks": await use.current(hl, who.party)}


@router.get("/tracks/history", summary="Points of visible tracks observed in a time window")
async def get_history(who: Caller, hl: Service, start: str = Query(), end: str | None = None,
                      uid: str | None = Query(default=None, max_length=128),
                      limit: int = Query(default=10_000, ge=1, le=100_000)) -> dict[str, Any]:
    t0 = _time(start, "start")
    t1 = _time(end, "end") or hl.clock()
    if t1 - t0 > timedelta(days=7):
        raise Invalid("A window spans at most 7 days.", field="end")
    return {"points": await use.history(hl, who.party, uid=uid, start=t0, end=t1, limit=limit)}
