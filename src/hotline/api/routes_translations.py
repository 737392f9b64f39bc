"""Translations: the translator's queue, a message's translations, and draft -> checked -> certified."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import translations
from hotline.service import translations as use

from .cursor_route import InCursors
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["translations"], route_class=InCursors)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=translations.MAX_TEXT_BYTES)
    language: str | None = Field(default=None, max_length=35, description="Default: your party's working language.")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revision: int | None = Field(default=None, ge=1, description="The revision you read; a newer draft refuses.")


@router.get("/translations/queue", summary="Your party's translation tasks: FLASH first, then oldest first")
async def queue(who: Caller, hl: Service, limit: int = Query(200, ge=1, le=1000)) -> dict[str, Any]:
    return {"tasks": await use.queue(hl, who, limit=limit)}


@router.get("/messages/{message_id}/translations", summary="Every party's translation of a message")
async def of_message(message_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return {"translations": await use.of_message(hl, who, message_id)}


@router.post("/messages/{message_id}/translations", status_code=201, response_class=JSON,
             summary="Draft (or redraft) your party's translation of a message")
async def draft(message_id: str, body: DraftIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.act(hl, who, translations.Draft(message_id, body.text, body.language)))


@router.post("/translations/{translation_id}/check", response_class=JSON,
             summary="Check a draft against the original (a second person)")
async def check(translation_id: str, who: Caller, hl: Service, body: StepIn | None = None) -> JSON:
    cmd = translations.Check(translation_id, body.revision if body else None)
    return answer(await use.act(hl, who, cmd), creates=False)


@router.post("/translations/{translation_id}/certify", response_class=JSON,
             summary="Certify a checked translation (a supervisor who neither drafted nor checked it)")
async def certify(translation_id: str, who: Caller, hl: Service, body: StepIn | None = None) -> JSON:
    cmd = translations.Certify(translation_id, body.revision if body else None)
    return answer(await use.act(hl, who, cmd), creates=False)
