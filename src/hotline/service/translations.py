"""Use cases of translation: draft, check, certify; the translator's queue; a message's translations."""

from __future__ import annotations

from typing import Any

from hotline.domain import messages, translations
from hotline.domain.access import Principal
from hotline.domain.errors import Invalid, NotFound
from hotline.domain.world import PRECEDENCES
from hotline.store.ledger import list_aggregates, load_aggregate

from .commands import on_aggregate
from .hotline import Hotline

__all__ = ["draft", "check", "certify", "queue", "of_message"]

KIND = translations.KIND


def _check_id(value: str, field: str) -> str:
    if not (4 <= len(value) <= 100) or not all(c.isalnum() or c in "-_" for c in value):
        raise Invalid(f"{value!r} is not an id (4 to 100 letters, digits, '-' or '_').", field=field)
    return value


async def draft(hl: Hotline, who: Principal, cmd: translations.Draft) -> tuple[dict[str, Any], bool]:
    _check_id(cmd.message_id, "message_id")
    if who.party is None:
        raise NotFound(f"No message {cmd.message_id!r} is visible to you.", field="message_id")
    tid = translations.translation_id(cmd.message_id, who.party)
    return await on_aggregate(hl, KIND, tid, also=((messages.KIND, cmd.message_id),),
                              decide=lambda state, others, now: translations.decide(
                                  hl.world, who, state, others[cmd.message_id], cmd, now))


async def _advance(hl: Hotline, who: Principal, cmd: translations.Check | translations.Certify
                   ) -> tuple[dict[str, Any], bool]:
    _check_id(cmd.translation_id, "translation_id")
    return await on_aggregate(hl, KIND, cmd.translation_id, lambda state, _others, now: translations.decide(
        hl.world, who, state, None, cmd, now))


async def check(hl: Hotline, who: Principal, cmd: translations.Check) -> tuple[dict[str, Any], bool]:
    return await _advance(hl, who, cmd)


async def certify(hl: Hotline, who: Principal, cmd: translations.Certify) -> tuple[dict[str, Any], bool]:
    return await _advance(hl, who, cmd)


async def of_message(hl: Hotline, who: Principal, message_id: str) -> list[dict[str, Any]]:
    """Every party's translation of a message the caller sees."""
    async with hl.db.read() as conn:
        message = await load_aggregate(conn, messages.KIND, message_id)
        if message is None or message["channel"] not in hl.world.channels_of(who.party):
            raise NotFound(f"No message {message_id!r} is visible to you.", field="message_id")
        found = [await load_aggregate(conn, KIND, translations.translation_id(message_id, party))
                 for party in hl.world.channels[message["channel"]].members]
    return [t for t in found if t is not None]


async def queue(hl: Hotline, who: Principal, *, limit: int = 200) -> list[dict[str, Any]]:
    """The caller's party's translation tasks not yet certified: FLASH first, then oldest first."""
    party = who.party
    if party is None:
        return []
    channels = hl.world.channels_of(party)
    async with hl.db.read() as conn:
        recent = await list_aggregates(conn, messages.KIND, channels, limit=1000)
        done = {t["message_id"]: t for t in await list_aggregates(conn, KIND, channels, limit=5000)
                if t["party"] == party}
    tasks: list[dict[str, Any]] = []
    for m in recent:
        if not translations.needs_translation(hl.world, m, party):
            continue
        t = done.get(m["id"])
        if t is not None and t["state"] == "certified":
            continue
        tasks.append({"message": m, "translation": t, "language": hl.world.parties[party].language})
    tasks.sort(key=lambda task: (PRECEDENCES.index(task["message"]["precedence"]), task["message"]["posted_at"],
                                task["message"]["seq"]))
    return tasks[:limit]
