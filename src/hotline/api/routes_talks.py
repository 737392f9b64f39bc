"""Rounds of talks, understandings, commitments and the civilian workstreams."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import commitments as c
from hotline.service import commitments as use

from . import params
from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["talks"], route_class=InCursors)


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    number: params.JsonInt
    place: str = Field(max_length=200)
    start: str = Field(description="ISO date")
    end: str = Field(description="ISO date")
    participants: list[str]
    summary: str = ""


class UnderstandingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str = Field(max_length=300)
    text: str
    track: Literal["security", "civilian", "process"] = "security"
    workstream: Literal["energy", "health", "agriculture"] | None = None
    items: list[str] = Field(default_factory=list)


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    owner: str
    text: str
    due: str = Field(description="ISO date (due by the end of that day, UTC) or date-time")


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["pending", "in_progress", "delivered", "cancelled"]
    note: str = Field(default="", max_length=4000)
    evidence: list[str] = Field(default_factory=list, description="SHA-256 hashes of documents of delivery")


@router.get("/talks", summary="Rounds of talks with their understandings and commitments")
async def talks(who: Caller, hl: Service) -> dict[str, Any]:
    rounds = sorted(await use.list_records(hl, who, c.ROUND), key=lambda r: r["number"])
    unds = await use.list_records(hl, who, c.UNDERSTANDING)
    coms = await use.list_records(hl, who, c.COMMITMENT)
    for r in rounds:
        r["understandings"] = sorted((u for u in unds if u["round_id"] == r["id"]), key=lambda u: u["seq"])
        for u in r["understandings"]:
            u["commitments"] = sorted((m for m in coms if m["understanding_id"] == u["id"]), key=lambda m: m["due_at"])
    return {"rounds": rounds}


@router.post("/talks/rounds", status_code=201, summary="Record a round of talks (supervisors)")
async def record_round(body: RoundIn, who: Caller, hl: Service) -> JSON:
    cmd = c.RecordRound(body.id, body.number, body.place, body.start, body.end, tuple(body.participants),
                        body.summary)
    return answer(await use.act(hl, who, cmd))


@router.post("/talks/rounds/{round_id}/understandings", status_code=201, summary="Record an understanding")
async def record_understanding(round_id: str, body: UnderstandingIn, who: Caller, hl: Service) -> JSON:
    cmd = c.RecordUnderstanding(body.id, round_id, body.title, body.text, body.track, body.workstream,
                                tuple(body.items))
    return answer(await use.act(hl, who, cmd))


@router.post("/talks/understandings/{understanding_id}/commitments", status_code=201,
             summary="Record a commitment under an understanding")
async def record_commitment(understanding_id: str, body: CommitmentIn, who: Caller, hl: Service) -> JSON:
    cmd = c.RecordCommitment(body.id, understanding_id, body.owner, body.text, body.due)
    return answer(await use.act(hl, who, cmd))


@router.get("/commitments/{commitment_id}", summary="One commitment with its updates and evidence")
async def get_commitment(commitment_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.get_record(hl, who, c.COMMITMENT, commitment_id)


@router.post("/commitments/{commitment_id}/status", status_code=201,
             summary="Report progress or delivery (the owner party); delivery needs evidence")
async def change_status(commitment_id: str, body: StatusIn, who: Caller, hl: Service) -> JSON:
    cmd = c.ChangeStatus(commitment_id, body.status, body.note, tuple(body.evidence))
    return answer(await use.act(hl, who, cmd))


@router.get("/workstreams", summary="Civilian cooperation by workstream (energy, health, agriculture)")
async def workstreams(who: Caller, hl: Service) -> dict[str, Any]:
    return {"workstreams": await use.workstreams(hl, who)}
