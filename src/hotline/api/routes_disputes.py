"""The disputes register."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import disputes
from hotline.service import disputes as use

from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["disputes"], route_class=InCursors)


class DisputeOpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    title: str = Field(max_length=300)
    summary: str = ""
    parties: list[str] = Field(default_factory=list, max_length=16,
                               description="The other parties to the dispute; the caller's party is implied.")
    incident_ids: list[str] = Field(default_factory=list, max_length=100)


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=8000)


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Literal["supervisor", "negotiators"] | None = Field(default=None, description="By default the next level.")
    text: str = Field(default="", max_length=4000)


class ReferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    round_id: str | None = Field(default=None, description="The round of talks that takes it up, if known.")
    text: str = Field(default="", max_length=4000)


def present(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "awaiting": disputes.awaiting(state)}


def _answer(result: tuple[dict[str, Any], bool]) -> JSON:
    return answer(result, present)


@router.post("/disputes", status_code=201, summary="Open a dispute, linking incidents")
async def open_dispute(body: DisputeOpenIn, who: Caller, hl: Service) -> JSON:
    cmd = disputes.OpenDispute(body.id or use.new_dispute_id(), body.title, tuple(body.parties),
                               tuple(body.incident_ids), body.summary)
    return _answer(await use.open_dispute(hl, who, cmd))


@router.get("/disputes", summary="The disputes register as the caller's party sees it")
async def list_disputes(who: Caller, hl: Service, status: str | None = Query(None)) -> dict[str, Any]:
    return {"disputes": [present(d) for d in await use.list_disputes(hl, who, status=status)]}


@router.get("/disputes/{dispute_id}", summary="One dispute: positions, proposals, levels reached")
async def get_dispute(dispute_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return present(await use.get_dispute(hl, who, dispute_id))


@router.post("/disputes/{dispute_id}/positions", status_code=201, summary="State the caller's party's position")
async def position(dispute_id: str, body: TextIn, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, disputes.StatePosition(dispute_id, body.text)))


@router.post("/disputes/{dispute_id}/proposals", status_code=201, summary="Propose terms to settle the dispute")
async def propose(dispute_id: str, body: TextIn, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, disputes.ProposeTerms(dispute_id, body.text)))


@router.post("/disputes/{dispute_id}/proposals/{proposal_id}/accept", status_code=201,
             summary="Accept a proposal; when every party accepted the same one, the dispute is settled")
async def accept(dispute_id: str, proposal_id: str, who: Caller, hl: Service) -> JSON:
    return _answer(await use.act(hl, who, disputes.AcceptProposal(dispute_id, proposal_id)))


@router.post("/disputes/{dispute_id}/escalate", status_code=201, summary="Escalate to supervisors or negotiators")
async def escalate(dispute_id: str, who: Caller, hl: Service,
                   body: EscalateIn | None = None) -> JSON:
    cmd = disputes.Escalate(dispute_id, body.to, body.text) if body else disputes.Escalate(dispute_id)
    return _answer(await use.act(hl, who, cmd))


@router.post("/disputes/{dispute_id}/refer", status_code=201, summary="Refer the dispute to the talks")
async def refer(dispute_id: str, who: Caller, hl: Service,
                body: ReferIn | None = None) -> JSON:
    cmd = disputes.Refer(dispute_id, body.round_id, body.text) if body else disputes.Refer(dispute_id)
    return _answer(await use.act(hl, who, cmd))
