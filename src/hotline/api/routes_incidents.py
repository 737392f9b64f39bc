"""Incidents: report, acknowledge, clarify, review, resolve or dispute; evidence in and out."""

from __future__ import annotations

import base64
from typing import Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import incidents
from hotline.domain.timefmt import dtg, parse_iso
from hotline.service import incidents as use

from . import params, responses
from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON

router = APIRouter(prefix="/api/v1", tags=["incidents"], route_class=InCursors)

Category = Literal["airspace_violation", "exchange_of_fire", "line_crossing", "uav_sighting", "civilian_detention",
                   "property_damage", "mine_uxo", "other"]


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=200,
                             description="Any grid the project reads: DD, DMS, MGRS, UTM, ITM.")
    lat: float | None = None
    lon: float | None = None
    uncertainty_m: float = Field(default=0.0, description="Radius in metres within which the place lies.")


class CasualtiesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    killed: params.JsonInt = 0
    injured: params.JsonInt = 0
    detained: params.JsonInt = 0
    missing: params.JsonInt = 0


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="Client-chosen id; a retry with the same content writes nothing.")
    category: Category
    occurred_from: str = Field(description="When it happened (or began), ISO 8601 with a zone.")
    occurred_to: str | None = Field(default=None, description="The end of the time window, if it was one.")
    location: LocationIn
    involved: list[str] = Field(default_factory=list, max_length=16,
                                description="The other parties concerned; the reporting party is implied.")
    description: str
    language: str = Field(default="en", max_length=35)
    casualties: CasualtiesIn = Field(default_factory=CasualtiesIn)
    damage: str = ""
    sector: str | None = None
    officer: str = Field(default="", max_length=120, description="The reporting officer's name as they sign.")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000)
    to: str | None = Field(default=None, description="The party asked; by default the reporting party.")
    reply_to: str | None = None


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=8000)


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000, description="Why the party cannot agree a finding.")
    dispute_id: str | None = None


def present(state: dict[str, Any]) -> dict[str, Any]:
    """An incident as the API shows it: its state, who must act next, and the date-time group."""
    return {**state, "awaiting": incidents.awaiting(state), "reported_dtg": dtg(parse_iso(state["reported_at"]))}


def _answer(result: tuple[dict[str, Any], bool]) -> JSON:
    return responses.answer(result, present)


@router.get("/incidents/rules", summary="The workflow table: which roles of which parties may cause each event")
async def rules() -> dict[str, Any]:
    return {"categories": list(incidents.CATEGORIES), "states": list(incidents.STATES),
            "transitions": {k: {"from": list(r.states), "roles": list(r.roles), "parties": r.who}
                            for k, r in incidents.TRANSITIONS.items()},
            "evidence": {"max_bytes": use.MAX_EVIDENCE_BYTES, "types": list(use.ALLOWED_TYPES)}}


@router.post("/incidents", status_code=201, summary="Report an incident for the caller's party")
async def report(body: IncidentIn, who: Caller, hl: Service) -> JSON:
    cmd = incidents.ReportIncident(
        incident_id=body.id or use.new_incident_id(), category=body.category, occurred_from=body.occurred_from,
        occurred_to=body.occurred_to, location=use.read_location(body.location.model_dump()),
        involved=tuple(body.involved), description=body.description, language=body.language,
        casualties=body.casualties.model_dump(), damage=body.damage, sector=body.sector, officer=body.officer)
    return _answer(await use.report(hl, who, cmd))


@router.get("/incidents", summary="Incidents the caller's party may see, newest first")
async def list_incidents(who: Caller, hl: Service, status: str | None = Query(None),
                         limit: int = Query(200, ge=1, le=1000), before: params.Before = None
                         ) -> dict[str, Any]:
    items = await use.list_incidents(hl, who, status=status, limit=limit, before=before)
    return {"incidents": [present(i) for i in items]}


@router.get("/incidents/awaiting", summary="Incidents waiting for an action of the caller's party, oldest first")
async def awaiting(who: Caller, hl: Service) -> dict[str, Any]:
    return {"incidents": [present(i) for i in await use.awaiting_me(hl, who)]}


@router.get("/incidents/{incident_id}", summary="One incident with its acknowledgements, questions, finding, history")
async def get_incident(incident_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return present(await use.get_incident(hl, who, incident_id))


@router.post("/incidents/{incident_id}/ack", status_code=201, summary="Acknowledge for the caller's party")
async def ack(incident_id: str, who: Caller, hl: Service, body: NoteIn | None = None) -> JSON:
    cmd = incidents.AcknowledgeIncident(incident_id, body.note if body else "")
    return _answer(await use.act(hl, who, cmd))


@router.post("/incidents/{incident_id}/questions", status_code=201, summary="Ask a clarification question")
async def ask(incident_id: str, body: QuestionIn, who: Caller, hl: Service) -> JSON:
    cmd = incidents.AskQuestion(incident_id, body.text, body.to, body.reply_to)
    return _answer(await use.act(hl, who, cmd))


@router.post("/incidents/{incident_id}/questions/{question_id}/answer", status_code=201,
             summary="Answer a question put to the caller's party")
async def answer(incident_id: str, question_id: str, body: TextIn, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, incidents.AnswerQuestion(incident_id, question_id, body.text)))


@router.post("/incidents/{incident_id}/review", status_code=201, summary="Start the joint review")
async def review(incident_id: str, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, incidents.StartReview(incident_id)))


@router.post("/incidents/{incident_id}/findings", status_code=201, summary="Propose the text of a finding")
async def propose(incident_id: str, body: TextIn, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, incidents.ProposeFinding(incident_id, body.text)))


@router.post("/incidents/{incident_id}/findings/{finding_id}/agree", status_code=201,
             summary="Agree the proposed finding for the caller's party; the last agreement resolves the incident")
async def agree(incident_id: str, finding_id: params.IndexPath, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, incidents.AgreeFinding(incident_id, finding_id)))


@router.post("/incidents/{incident_id}/dispute", status_code=201, summary="Record that no finding can be agreed")
async def dispute(incident_id: str, body: DisputeIn, who: Caller, hl: Service) -> JSON:
    cmd = incidents.DisputeIncident(incident_id, body.text, body.dispute_id)
    return _answer(await use.act(hl, who, cmd))


@router.post("/incidents/{incident_id}/evidence", status_code=201,
             summary="Attach a file (JPEG, PNG, PDF or plain text, at most 10 MiB); stored by its SHA-256")
async def attach(incident_id: str, who: Caller, hl: Service,
                 file: UploadFile = File(...),  # noqa: B008 (FastAPI's way to declare a form file)
                 description: str = Form("", max_length=2000)) -> JSON:
    data = await file.read(use.MAX_EVIDENCE_BYTES + 1)  # one byte more tells "too large" from "at the limit"
    result = await use.attach_evidence(hl, who, incident_id, data, file.content_type, file.filename or "",
                                       description)
    return _answer(result)


@router.get("/incidents/{incident_id}/evidence/{sha256}", response_class=Response,
            summary="The evidence file, with its SHA-256 in Repr-Digest and X-Content-SHA256",
            responses={200: {"content": {"application/octet-stream": {}}}})
async def evidence(incident_id: str, sha256: str, who: Caller, hl: Service) -> Response:
    blob, entry = await use.get_evidence(hl, who, incident_id, sha256)
    b64 = base64.b64encode(bytes.fromhex(blob.sha256)).decode()
    headers = {
        "Repr-Digest": f"sha-256=:{b64}:",  # RFC 9530
        "Digest": f"SHA-256={b64}",  # RFC 3230, for older clients
        "X-Content-SHA256": blob.sha256,
        "Content-Disposition": f'attachment; filename="{entry["filename"]}"',
    }
    return Response(blob.data, media_type=blob.media_type, headers=headers)
