"""Channels, messages and acknowledgements."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from starlette.requests import Request

from hotline.domain import messages
from hotline.domain.access import Principal
from hotline.domain.timefmt import dtg, parse_iso
from hotline.service import messages as use
from hotline.service.cursors import ledger_before, localize
from hotline.service.hotline import Hotline

from . import params
from .deps import Caller, Service, hotline, principal
from .plain import MISSING, json_body, validate_body
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1", tags=["messages"])


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    fields: dict[str, str | params.JsonInt | float] = Field(default_factory=dict)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="Client-chosen id: a retried post with the same id and "
                           "content is answered with the first one and writes nothing.")
    precedence: Literal["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"]
    subject: str = Field(max_length=200)
    body: str = ""
    language: str = Field(default="en", max_length=35)
    reply_to: str | None = None
    template: TemplateIn | None = None


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)
    translation_pending: bool = Field(default=False, description="Received, translation pending: the sender "
                                      "sees that the message arrived but is not yet understood.")


class RecallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=messages.MAX_REASON,
                        description="Why the message is taken back; every party of the channel reads it.")


def present(state: dict[str, Any]) -> dict[str, Any]:
    """A message as the API shows it: its state plus the date-time group of its posting."""
    return {**state, "posted_dtg": dtg(parse_iso(state["posted_at"]))}


async def shown(hl: Service, who: Caller, states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as ``who`` reads them: every ``seq`` (the message's, each acknowledgement's) is the
    reader's own cursor, the one the stream and ``/api/v1/events`` give the same event."""
    return [present(m) for m in await localize(hl, who, states)]


@router.get("/channels", summary="The channels the caller's party belongs to, with what awaits its acknowledgement")
async def channels(who: Caller, hl: Service) -> dict[str, Any]:
    return {"channels": await use.list_channels(hl, who)}


@router.get("/channels/{channel_id}/messages", summary="Messages of a channel, newest first", response_class=JSON)
async def list_messages(channel_id: str, who: Caller, hl: Service, limit: int = Query(100, ge=1, le=500),
                        before: params.Before = None) -> JSON:
    items = await use.list_messages(hl, who, channel_id, limit=limit, before=await ledger_before(hl, who, before))
    return JSON({"messages": await shown(hl, who, items)})


@router.post("/channels/{channel_id}/messages", status_code=201, response_class=JSON,
             summary="Post a message to every party of the channel")
async def post_message(channel_id: str, body: MessageIn, who: Caller, hl: Service) -> JSON:
    """The operation as the OpenAPI document states it; requests are served by ``post_message_plain``."""
    return await _post(channel_id, body, who, hl)


async def _post(channel_id: str, body: MessageIn, who: Principal, hl: Hotline) -> JSON:
    cmd = messages.PostMessage(
        message_id=body.id or use.new_message_id(), channel=channel_id, precedence=body.precedence,
        subject=body.subject, body=body.body, language=body.language, reply_to=body.reply_to,
        template=body.template.model_dump() if body.template else None)
    state, created = await use.post_message(hl, who, cmd)
    return answer(((await shown(hl, who, [state]))[0], created))


@router.get("/messages/awaiting", summary="Messages waiting for the caller's party to acknowledge, oldest first")
async def awaiting(who: Caller, hl: Service) -> dict[str, Any]:
    return {"messages": await shown(hl, who, await use.awaiting_me(hl, who))}


@router.get("/messages/{message_id}", summary="One message with every party's acknowledgement state")
async def get_message(message_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return (await shown(hl, who, [await use.get_message(hl, who, message_id)]))[0]


@router.post("/messages/{message_id}/ack", status_code=201, response_class=JSON,
             summary="Acknowledge for the caller's party (a repeat answers 200 with the first acknowledgement)")
async def ack(message_id: str, who: Caller, hl: Service, body: AckIn | None = None) -> JSON:
    """The operation as the OpenAPI document states it; requests are served by ``ack_plain``."""
    return await _ack(message_id, who, hl, body)


async def _ack(message_id: str, who: Principal, hl: Hotline, body: AckIn | None) -> JSON:
    state, created = await use.acknowledge(hl, who, message_id, body.note if body else "",
                                           translation_pending=body.translation_pending if body else False)
    return answer(((await shown(hl, who, [state]))[0], created))


@router.post("/messages/{message_id}/recall", status_code=201, response_class=JSON,
             summary="Recall a message the caller's party sent in error (a repeat answers 200 with the first "
                     "recall)",
             description="The message stays in the record, marked recalled with the reason, who and when; from "
                         "then on no party is awaited to acknowledge it and no deadline or escalation fires. "
                         "Only the sending party's operators and supervisors may recall; an acknowledgement "
                         "after the recall is refused (409).")
async def recall(message_id: str, body: RecallIn, who: Caller, hl: Service) -> JSON:
    state, created = await use.recall(hl, who, message_id, body.reason)
    return answer(((await shown(hl, who, [state]))[0], created))


# The two hot paths (posting, acknowledging) served as plain Starlette endpoints: the same steps in the
# same order as FastAPI takes them for the operations above (the JSON body read, the caller and the
# policy row, then the body validated), without its per-request dependency solving. ``plain.install``
# puts them in front of the operations, which stay what the OpenAPI document describes.
_MESSAGE_IN = TypeAdapter(MessageIn)
_ACK_IN: TypeAdapter[AckIn | None] = TypeAdapter(AckIn | None)


async def post_message_plain(request: Request) -> JSON:
    raw = await json_body(request)
    who = await principal(request)
    body = validate_body(_MESSAGE_IN, raw)
    return await _post(request.path_params["channel_id"], body, who, hotline(request))


async def ack_plain(request: Request) -> JSON:
    raw = await json_body(request)
    who = await principal(request)
    body = None if raw is MISSING else validate_body(_ACK_IN, raw)
    return await _ack(request.path_params["message_id"], who, hotline(request), body)


PLAIN = {("POST", "/api/v1/channels/{channel_id}/messages"): post_message_plain,
         ("POST", "/api/v1/messages/{message_id}/ack"): ack_plain}
