"""Deconfliction: zones (GeoJSON/KML, proposals), gazetteer, grid conversion, notices and findings.

Every notice answer carries ``statement``: a notice is information, not a permission.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import findings as fnd
from hotline.domain import notices as ntc
from hotline.domain import zones_agreed as zag
from hotline.domain.errors import Invalid
from hotline.geo.coords import format_all, parse_location
from hotline.geo.errors import GeoError
from hotline.geo.zones import zone_from_feature, zone_to_feature
from hotline.interop.geojson import zones_from_geojson
from hotline.interop.kml import zones_from_kml, zones_to_kml
from hotline.service import deconfliction as use

from . import params
from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer
from .security import tile_url

router = APIRouter(prefix="/api/v1", tags=["deconfliction"], route_class=InCursors)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticeIn(Strict):
    id: str | None = Field(default=None, description="Client-chosen id; a retried filing with the same content "
                           "is answered with the first one and writes nothing.")
    type: str
    geometry: params.JsonObject
    radius_m: float = 0
    width_m: float = 0
    altitude: params.JsonObject | None = None
    window: params.JsonObject
    forces: params.JsonObject | None = None
    text: str = Field(default="", max_length=ntc.MAX_TEXT)


class AckIn(Strict):
    note: str = Field(default="", max_length=2000)


class QueryIn(Strict):
    text: str = Field(max_length=ntc.MAX_TEXT)
    to: str | None = Field(default=None, description="The party asked; by default the notice's filer.")
    about_forces: bool = False


class AnswerIn(Strict):
    query_id: str
    text: str = Field(default="", max_length=ntc.MAX_TEXT)
    not_our_forces: bool = Field(default=False, description="The formal answer 'these are not our forces'.")


class TextIn(Strict):
    text: str = Field(default="", max_length=ntc.MAX_TEXT)


class ProposalIn(Strict):
    feature: params.JsonObject
    note: str = Field(default="", max_length=2000)


class ImportIn(Strict):
    format: Literal["geojson", "kml"]
    document: str | dict[str, Any]  # checked in the route: a union would name the field "document.str"
    note: str = Field(default="", max_length=2000)


class RejectIn(Strict):
    reason: str = Field(default="", max_length=2000)


# -- zones ----------------------------------------------------------------------------------------
@router.get("/zones", summary="Active zones and open proposals (status proposed) as GeoJSON, or KML",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}},
                                         "application/vnd.google-earth.kml+xml": {"schema": {"type": "string"}}}}})
async def zones(who: Caller, hl: Service, format: Literal["geojson", "kml"] = "geojson") -> Any:
    doc = await use.zones_collection(hl, who, proposals=format == "geojson")
    if format == "kml":
        body = zones_to_kml([zone_from_feature(f) for f in doc["features"]], name=hl.world.name)
        return Response(body, media_type="application/vnd.google-earth.kml+xml",
                        headers={"content-disposition": 'attachment; filename="zones.kml"'})
    return doc


@router.get("/zones/{zone_id}", summary="One zone: the version in force, the open proposal, the history")
async def zone(zone_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.get_one(hl, who, "zone", f"zone:{zone_id}", "zone")


@router.post("/zones/proposals", status_code=201, summary="Propose a new or changed zone (active once all bound "
             "parties accept)")
async def propose(body: ProposalIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.propose_zone(hl, who, [body.feature], body.note), lambda states: states[0])


@router.post("/zones/import", status_code=201, summary="Import zones from GeoJSON or KML as proposals, all or none")
async def import_zones(body: ImportIn, who: Caller, hl: Service) -> JSON:
    try:
        if body.format == "kml":
            if not isinstance(body.document, str):
                raise Invalid("A KML document is text.", field="document")
            parsed = zones_from_kml(body.document)
        else:
            doc = params.load_json(body.document, "document") if isinstance(body.document, str) else body.document
            params.check_depth(doc, "document")
            parsed = zones_from_geojson(doc)
    except GeoError as e:
        raise Invalid(e.detail, field=f"document.{e.field}") from e
    except json.JSONDecodeError as e:
        raise Invalid(f"The document is not valid JSON ({e.msg}).", field="document") from e
    result = await use.propose_zone(hl, who, [zone_to_feature(z) for z in parsed], body.note)
    return answer(result, lambda states: {"zones": states})


@router.post("/zones/{zone_id}/proposals/{proposal_id}/accept", status_code=201,
             summary="Accept a proposal for the caller's party; the last acceptance makes it active")
async def accept(zone_id: str, proposal_id: str, who: Caller, hl: Service) -> JSON:
    return answer(await use.zone_action(hl, who, zag.AcceptZone(zone_id, proposal_id)))


@router.post("/zones/{zone_id}/proposals/{proposal_id}/reject", status_code=201,
             summary="Reject a proposal; the version in force stays")
async def reject(zone_id: str, proposal_id: str, who: Caller, hl: Service, body: RejectIn | None = None) -> JSON:
    return answer(await use.zone_action(hl, who, zag.RejectZone(zone_id, proposal_id, body.reason if body else "")))


# -- places and grids -----------------------------------------------------------------------------
@router.get("/gazetteer", summary="Agreed place names in every language, with every grid")
async def gazetteer(who: Caller, hl: Service) -> dict[str, Any]:
    return {"places": [{"id": p.id, "kind": p.kind, "names": p.names, "lat": p.lat, "lon": p.lon,
                        "grids": format_all(p.lat, p.lon)} for p in hl.world.geography.places]}


@router.get("/geo/convert", summary="Read a location in any grid (DD, DMS, MGRS, UTM, ITM); answer in all of them")
async def convert(who: Caller, q: str = Query(max_length=200, description="e.g. '36SYB 63484 68761'")
                  ) -> dict[str, Any]:
    try:
        loc = parse_location(q)
        grids = format_all(loc.lat, loc.lon)
    except GeoError as e:
        raise Invalid(e.detail, field="q") from e
    out: dict[str, Any] = {"query": q, "grid": loc.grid, "lat": loc.lat, "lon": loc.lon,
                           "precision_m": loc.precision_m, "grids": grids}
    if loc.square_sw is not None:
        out["square"] = {"sw": {"lat": loc.square_sw[0], "lon": loc.square_sw[1]}, "size_m": loc.square_size_m}
    return out


# -- notices --------------------------------------------------------------------------------------
@router.post("/notices", status_code=201,
             summary="File an activity notice (information, not a permission); the notice and its findings commit "
             "together")
async def file_notice(body: NoticeIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.file_notice(hl, who, body.model_dump(exclude_none=True)))


@router.post("/notices/check", summary="Dry run: what filing this notice now would find; writes nothing")
async def check_notice(body: NoticeIn, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.check_notice(hl, who, body.model_dump(exclude_none=True))


@router.get("/notices", summary="Notices, newest first")
async def list_notices(who: Caller, hl: Service, status: Literal["active", "all"] = "active",
                       limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    items = await use.list_of(hl, who, ntc.KIND, limit)
    if status == "active":
        items = [s for s in items if s["status"] == "active"]
    return {"notices": items, "statement": ntc.STATEMENT}


@router.get("/notices/{notice_id}", summary="One notice with its acknowledgements, queries and objections")
async def get_notice(notice_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.get_one(hl, who, ntc.KIND, ntc.agg_id(notice_id), "notice")


@router.post("/notices/{notice_id}/ack", status_code=201, summary="Acknowledge receipt (not approval)")
async def ack_notice(notice_id: str, who: Caller, hl: Service) -> JSON:
    return answer(await use.notice_action(hl, who, ntc.AcknowledgeNotice(notice_id)))


@router.post("/notices/{notice_id}/query", status_code=201, summary="Ask a party about a notice")
async def query_notice(notice_id: str, body: QueryIn, who: Caller, hl: Service) -> JSON:
    cmd = ntc.QueryNotice(notice_id, use.new_id("q"), body.text, body.to, body.about_forces)
    return answer(await use.notice_action(hl, who, cmd))


@router.post("/notices/{notice_id}/answer", status_code=201,
             summary="Answer a query; not_our_forces records the formal 'not our forces'")
async def answer_notice(notice_id: str, body: AnswerIn, who: Caller, hl: Service) -> JSON:
    cmd = ntc.AnswerQuery(notice_id, body.query_id, body.text, body.not_our_forces)
    return answer(await use.notice_action(hl, who, cmd))


@router.post("/notices/{notice_id}/object", status_code=201, summary="Object to a notice")
async def object_notice(notice_id: str, body: TextIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.notice_action(hl, who, ntc.ObjectToNotice(notice_id, body.text)))


@router.post("/notices/{notice_id}/withdraw", status_code=201, summary="Withdraw the caller's party's notice")
async def withdraw_notice(notice_id: str, who: Caller, hl: Service, body: TextIn | None = None) -> JSON:
    return answer(await use.withdraw_notice(hl, who, ntc.WithdrawNotice(notice_id, body.text if body else "")))


# -- findings -------------------------------------------------------------------------------------
@router.get("/findings", summary="Findings visible to the caller's party, newest first")
async def list_findings(who: Caller, hl: Service, status: Literal["open", "all"] = "open",
                        limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    items = await use.list_of(hl, who, fnd.KIND, limit)
    if status == "open":
        items = [s for s in items if s["status"] == "open"]
    return {"findings": items}


@router.get("/findings/{finding_id}", summary="One finding with every concerned party's acknowledgement")
async def get_finding(finding_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.get_one(hl, who, fnd.KIND, fnd.agg_id(finding_id), "finding")


@router.post("/findings/{finding_id}/ack", status_code=201, summary="Acknowledge a finding for the caller's party")
async def ack_finding(finding_id: str, who: Caller, hl: Service, body: AckIn | None = None) -> JSON:
    return answer(await use.ack_finding(hl, who, fnd.AcknowledgeFinding(finding_id, body.note if body else "")))


@router.get("/map/config", summary="How the console draws the map: the optional tile server (HOTLINE_TILE_URL)")
async def map_config(who: Caller) -> dict[str, Any]:
    return {"tile_url": tile_url() or None, "basemap": "tiles" if tile_url() else "outline"}
