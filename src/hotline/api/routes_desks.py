"""Staffed desks: status, shifts and roster, sign-on/off, handover, link tests, alert level, suspension."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hotline.domain import desks, line
from hotline.service import desks as use

from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["desks"], route_class=InCursors)

REASON = Field(default="", max_length=2000, description="Free text every party reads; at most 2,000 characters.")


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officer: str = Field(min_length=1, max_length=64, description="Username of one of the party's officers.")
    start: AwareDatetime
    end: AwareDatetime


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = REASON


# The domain refuses a reason of only spaces; the schema says so (a non-space character somewhere).
REQUIRED_REASON = Field(min_length=1, max_length=2000, pattern=r"\S", description="Free text every party reads.")


class RequiredReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = REQUIRED_REASON


class LevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: Literal["normal", "heightened", "crisis"]  # domain.world.ALERT_LEVELS
    reason: str = REQUIRED_REASON


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class HandoverAckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[str] | None = Field(default=None, max_length=1000,
                                    description="Item ids acknowledged; leave out for the whole handover.")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@router.get("/desks", summary="Every desk's state, officer and link tests; the alert level and suspensions")
async def overview(who: Caller, hl: Service) -> dict[str, Any]:
    return await use.overview(hl, who)


@router.get("/desks/roster", summary="Each desk's shifts for the next days, with the gaps no shift covers")
async def roster(who: Caller, hl: Service, days: int = Query(7, ge=1, le=31)) -> dict[str, Any]:
    return await use.roster(hl, who, days)


@router.post("/desks/{desk}/shifts", status_code=201, response_class=JSON, summary="Plan a shift (supervisors)")
async def plan_shift(desk: str, body: ShiftIn, who: Caller, hl: Service) -> JSON:
    cmd = desks.PlanShift(desk, use.new_shift_id(), body.officer, _utc(body.start), _utc(body.end))
    return answer(await use.act(hl, who, cmd), lambda state: {"desk": desk, "shifts": state["shifts"]})


@router.delete("/desks/{desk}/shifts/{shift_id}", response_class=JSON, summary="Cancel a planned shift (supervisors)")
async def cancel_shift(desk: str, shift_id: str, who: Caller, hl: Service) -> JSON:
    return answer(await use.act(hl, who, desks.CancelShift(desk, shift_id)),
                  lambda state: {"desk": desk, "shifts": state["shifts"]}, creates=False)


@router.post("/desks/{desk}/sign-on", status_code=201, response_class=JSON,
             summary="Sign on to one's own party's desk; with another officer on duty this is a handover")
async def sign_on(desk: str, who: Caller, hl: Service) -> JSON:
    return answer(await use.act(hl, who, desks.SignOn(desk, name=who.username)), state_view)


@router.post("/desks/{desk}/sign-off", response_class=JSON,
             summary="Sign off (the officer on duty) or sign the officer off (a supervisor)")
async def sign_off(desk: str, who: Caller, hl: Service, body: ReasonIn | None = None) -> JSON:
    return answer(await use.act(hl, who, desks.SignOff(desk, body.reason if body else "")), state_view, creates=False)


@router.get("/desks/{desk}/handover/items", summary="What is open for the desk's party now (the handover list)")
async def handover_items(desk: str, who: Caller, hl: Service) -> dict[str, Any]:
    use.check_own_desk(hl, who, desk)
    return {"items": await use.open_items(hl, hl.world.desks[desk].party)}


@router.post("/desks/{desk}/handover", status_code=201, response_class=JSON,
             summary="The officer on duty writes the handover note; the open items are listed automatically")
async def prepare_handover(desk: str, body: NoteIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.act(hl, who, desks.PrepareHandover(desk, body.note)), state_view)


@router.post("/desks/{desk}/handover/{handover_id}/ack", response_class=JSON,
             summary="The incoming officer acknowledges handover items, or the whole handover")
async def ack_handover(desk: str, handover_id: str, who: Caller, hl: Service,
                       body: HandoverAckIn | None = None) -> JSON:
    items = tuple(body.items) if body and body.items is not None else None
    return answer(await use.act(hl, who, desks.AckHandover(desk, handover_id, items)), state_view, creates=False)


@router.post("/desks/{desk}/linktests/{test_id}/answer", status_code=201, response_class=JSON,
             summary="Answer the open link test of one's own desk")
async def answer_linktest(desk: str, test_id: str, who: Caller, hl: Service) -> JSON:
    return answer(await use.act(hl, who, desks.AnswerLinkTest(desk, test_id)), state_view)


@router.post("/line/level", response_class=JSON,
             summary="Raise or lower the line's alert level (a party's supervisor or the mediator)")
async def set_level(body: LevelIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.line_action(hl, who, line.SetAlertLevel(body.level, body.reason)), creates=False)


@router.post("/line/suspend", response_class=JSON, summary="Suspend the caller's party's participation (supervisor)")
async def suspend(body: RequiredReasonIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.line_action(hl, who, line.Suspend(body.reason)), creates=False)


@router.post("/line/resume", response_class=JSON, summary="Resume the caller's party's participation (supervisor)")
async def resume(body: RequiredReasonIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.line_action(hl, who, line.Resume(body.reason)), creates=False)


def state_view(state: dict[str, Any]) -> dict[str, Any]:
    """A desk's record as the API shows it: without its history and its next link test's time."""
    lt = state.get("linktest", {})
    return {**{k: v for k, v in state.items() if k not in ("history", "seed", "linktest")},
            "linktest": {"open": lt.get("open"), "last": lt.get("last"), "level": lt.get("level")}}
