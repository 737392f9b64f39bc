"""Sightings: intelligence reports graded on the NATO Admiralty scale, shared by channel."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from hotline.service import sightings as use

from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["sightings"], route_class=InCursors)


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=200, description="Any grid: DD, DMS, MGRS, UTM, ITM.")
    lat: float | None = None
    lon: float | None = None
    uncertainty_m: float = 0.0


class SightingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="Client-chosen id; a retry with the same content writes nothing.")
    what: str = Field(max_length=2000, description="What was seen, as written (never rendered as HTML).")
    location: LocationIn
    seen_at: str = Field(description="When it was seen, ISO 8601 with a zone.")
    count: int = Field(default=1, ge=1, le=100_000)
    heading: float | None = Field(default=None, ge=0, lt=360)
    reliability: Literal["A", "B", "C", "D", "E", "F"] = Field(description="Source reliability (Admiralty A-F).")
    credibility: int = Field(ge=1, le=6, description="Information credibility (Admiralty 1-6).")
    channel: str | None = Field(default=None, description="With whom it is shared; default the joint channel.")
    language: str = Field(default="en", max_length=35)
    evidence: str | None = Field(default=None, description="SHA-256 of an uploaded evidence file.")
    incident: str | None = Field(default=None, description="An incident this sighting belongs to.")


@router.post("/sightings", status_code=201, summary="Report a sighting")
async def post_sighting(body: SightingIn, who: Caller, hl: Service) -> JSON:
    # The service maps the body to the command (reading the location in any grid), for every caller alike.
    return answer(await use.report(hl, who, body.model_dump(exclude_none=True)))


@router.get("/sightings", summary="Sightings visible to the caller")
async def get_sightings(who: Caller, hl: Service) -> dict[str, Any]:
    return {"sightings": await use.list_visible(hl, who)}


@router.get("/sightings/{sighting_id}", summary="One sighting")
async def get_sighting(sighting_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.get_visible(hl, who, sighting_id)
