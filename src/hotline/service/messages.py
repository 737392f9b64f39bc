"""Use cases of messages: post, acknowledge, recall, read."""

from __future__ import annotations

import uuid
from typing import Any

from hotline.domain import line, messages
from hotline.domain.access import Principal, visible_channel
from hotline.domain.ids import check_id
from hotline.store.ledger import count_awaiting, list_aggregates, list_awaiting

from .commands import get_visible, on_aggregate
from .hotline import Hotline

__all__ = ["post_message", "acknowledge", "recall", "get_message", "list_messages", "list_channels", "new_message_id"]

KIND = messages.KIND


def new_message_id() -> str:
    return "msg-" + uuid.uuid4().hex[:20]


def _check_id(message_id: str) -> str:
    return check_id(message_id, "A message id", any_letters=True)


async def post_message(hl: Hotline, who: Principal, cmd: messages.PostMessage) -> tuple[dict[str, Any], bool]:
    """The message's state, and whether this call created it (False: a retry of the same post)."""
    visible_channel(hl.world, who, cmd.channel)
    _check_id(cmd.message_id)
    messages.validate_post(cmd)

    also = ((line.KIND, line.LINE_ID), *(((KIND, cmd.reply_to),) if cmd.reply_to else ()))
    return await on_aggregate(
        hl, KIND, cmd.message_id, new=True, also=also,
        decide=lambda existing, others, now: messages.decide(
            hl.world, who, existing, cmd, now, reply_to=others.get(cmd.reply_to) if cmd.reply_to else None,
            window_factor=line.deadline_factor(hl.world, others[line.LINE_ID]),
            suspended=tuple(line.suspended_parties(others[line.LINE_ID]))))


async def acknowledge(hl: Hotline, who: Principal, message_id: str, note: str = "", *,
                      translation_pending: bool = False) -> tuple[dict[str, Any], bool]:
    """The message's state after the acknowledgement, and whether this call wrote it."""
    cmd = messages.Acknowledge(message_id, note, translation_pending)
    return await on_aggregate(hl, KIND, message_id, lambda state, _others, now: messages.decide(
        hl.world, who, state, cmd, now))


async def recall(hl: Hotline, who: Principal, message_id: str, reason: str) -> tuple[dict[str, Any], bool]:
    """The message's state after the recall, and whether this call wrote it (False: recalled already)."""
    cmd = messages.Recall(message_id, reason)
    return await on_aggregate(hl, KIND, message_id, lambda state, _others, now: messages.decide(
        hl.world, who, state, cmd, now))


async def get_message(hl: Hotline, who: Principal, message_id: str) -> dict[str, Any]:
    return await get_visible(hl, who, KIND, message_id, "message")


async def list_messages(hl: Hotline, who: Principal, channel_id: str, *, limit: int = 100,
                        before: int | None = None) -> list[dict[str, Any]]:
    visible_channel(hl.world, who, channel_id)
    async with hl.db.read() as conn:
        return await list_aggregates(conn, KIND, [channel_id], limit=limit, before=before)


async def awaiting_me(hl: Hotline, who: Principal) -> list[dict[str, Any]]:
    """Messages that wait for the caller's party to acknowledge, oldest first."""
    if who.party is None:
        return []
    async with hl.db.read() as conn:
        return await list_awaiting(conn, KIND, who.party, hl.world.channels_of(who.party))


async def list_channels(hl: Hotline, who: Principal) -> list[dict[str, Any]]:
    visible = hl.world.channels_of(who.party)
    counts: dict[str, int] = {}
    if who.party is not None and visible:
        async with hl.db.read() as conn:
            counts = await count_awaiting(conn, KIND, who.party, visible)
    return [{"id": c.id, "names": c.names, "members": list(c.members), "awaiting_my_ack": counts.get(c.id, 0)}
            for c in hl.world.channels.values() if c.id in visible]
