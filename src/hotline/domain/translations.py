"""Translations of free-text messages: every message understood by every party, and a record of how well.

A message in a language other than a member party's working language is a translation task for that
party (the queue is derived from the ledger: the message and the translations recorded so far). A
party's translation of a message moves ``draft`` (a first rendering) -> ``checked`` (a second person
compared it with the original) -> ``certified`` (a supervisor signed it off); each step is a ledger
event naming who. Nobody checks or certifies a rendering they made or checked themselves: three
different people stand behind a certified translation. A new draft replaces the text and starts over,
until it is certified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .access import Principal
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import Pending
from .world import World

__all__ = ["KIND", "Draft", "Check", "Certify", "decide", "evolve", "next_due", "awaiting", "translation_id",
           "needs_translation", "primary", "MAX_TEXT_BYTES", "STATES"]

KIND = "translation"
MAX_TEXT_BYTES = 64 * 1024
STATES = ("draft", "checked", "certified")
DRAFTERS = ("translator", "operator", "supervisor")
CHECKERS = ("translator", "operator", "supervisor")


@dataclass(frozen=True, slots=True)
class Draft:
    message_id: str
    text: str
    language: str | None = None  # default: the translator's party's working language


@dataclass(frozen=True, slots=True)
class Check:
    translation_id: str
    revision: int | None = None  # the revision the checker read; a newer draft makes the check stale


@dataclass(frozen=True, slots=True)
class Certify:
    translation_id: str
    revision: int | None = None


Command = Draft | Check | Certify


def primary(language: str) -> str:
    """``ar-SY`` -> ``ar``: a working language is compared by its primary subtag."""
    return language.split("-", 1)[0].lower()


def translation_id(message_id: str, party: str) -> str:
    return f"tr-{party}-{message_id}"


def needs_translation(world: World, message: dict[str, Any], party: str) -> bool:
    """A free-text message whose language is not the party's working language (templates render in
    every language by themselves)."""
    own = world.parties.get(party)
    return (own is not None and message.get("template") is None
            and primary(message["language"]) != primary(own.language))


def _party(who: Principal, roles: tuple[str, ...], action: str) -> str:
    if who.party is None or who.role not in roles:
        raise Forbidden(f"Your role ({who.role}) may not {action}; it takes a party's "
                        f"{', '.join(roles)}.")
    return who.party


def decide(world: World, who: Principal, state: dict[str, Any] | None, message: dict[str, Any] | None,
           cmd: Command, now: datetime) -> list[Pending]:
    """``state`` is the party's translation of the message (None before the first draft), ``message``
    the message's state; both loaded by the caller."""
    if isinstance(cmd, Draft):
        party = _party(who, DRAFTERS, "translate messages")
        if message is None or message["channel"] not in world.channels_of(party):
            raise NotFound(f"No message {cmd.message_id!r} is visible to you.", field="message_id")
        language = cmd.language or world.parties[party].language
        if primary(language) == primary(message["language"]):
            raise Invalid(f"The message is written in {message['language']!r} already; a translation is into "
                          "another language.", field="language")
        if language not in ("en", "he", "ar"):
            raise Invalid(f"{language!r}: translations are into en, he or ar.", field="language")
        if not cmd.text.strip():
            raise Invalid("The translation is empty; write the text in the reader's language.", field="text")
        size = len(cmd.text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            raise Invalid(f"The translation is {size} bytes; at most {MAX_TEXT_BYTES} (64 KiB).", field="text")
        if state is not None and state["state"] == "certified":
            raise Conflict("This translation is certified; it is part of the record and is not redrafted.",
                           field="message_id")
        if state is not None and state["text"] == cmd.text and state["language"] == language:
            return []  # the same draft again: nothing changes
        tid = translation_id(cmd.message_id, party)
        return [Pending(message["channel"], "translation.drafted", party, who.username, {
            "translation_id": tid, "message_id": cmd.message_id, "language": language,
            "source_language": message["language"], "text": cmd.text,
            "revision": (state["revision"] + 1) if state else 1}, (KIND, tid))]

    if state is None or state["channel"] not in world.channels_of(who.party):
        raise NotFound(f"No translation {cmd.translation_id!r} is visible to you.", field="translation_id")
    if cmd.revision is not None and cmd.revision != state["revision"]:
        raise Conflict(f"The translation is at revision {state['revision']}, not {cmd.revision}; read the "
                       "new draft first.", field="revision")
    if isinstance(cmd, Check):
        party = _party(who, CHECKERS, "check translations")
        if party != state["party"]:
            raise Forbidden("Only the translating party checks its own translations.")
        if state["state"] != "draft":
            if state["state"] == "checked" and state["checked_by"] == who.username:
                return []
            raise Conflict(f"The translation is {state['state']}; only a draft is checked.", field="translation_id")
        if state["drafted_by"] == who.username:
            raise Conflict("You drafted this translation; a second person checks it against the original.",
                           field="translation_id")
        kind = "translation.checked"
    else:
        party = _party(who, ("supervisor",), "certify translations")
        if party != state["party"]:
            raise Forbidden("Only the translating party's supervisors certify its translations.")
        if state["state"] == "certified":
            return []
        if who.username in (state["drafted_by"], state["checked_by"]):
            raise Conflict("You drafted or checked this translation; certifying one's own translation is "
                           "refused: another supervisor signs it off.", field="translation_id")
        if state["state"] != "checked":
            raise Conflict("The translation has not been checked yet; a second person checks it before a "
                           "supervisor certifies it.", field="translation_id")
        kind = "translation.certified"
    return [Pending(state["channel"], kind, party, who.username, {
        "translation_id": state["id"], "message_id": state["message_id"], "revision": state["revision"]},
        (KIND, state["id"]))]


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p = event["payload"]
    kind = event["type"]
    step = {"state": kind.split(".", 1)[1], "by": event["actor"], "at": event["ts"], "revision": p["revision"]}
    if kind == "translation.drafted":
        history = (state or {}).get("history", [])
        return {"id": p["translation_id"], "message_id": p["message_id"], "channel": event["channel"],
                "party": event["party"], "language": p["language"], "source_language": p["source_language"],
                "text": p["text"], "revision": p["revision"], "state": "draft", "drafted_by": event["actor"],
                "drafted_at": event["ts"], "checked_by": None, "checked_at": None, "certified_by": None,
                "certified_at": None, "history": [*history, {**step, "state": "draft"}]}
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a translation that was never drafted")
    if kind == "translation.checked":
        state.update(state="checked", checked_by=event["actor"], checked_at=event["ts"])
    elif kind == "translation.certified":
        state.update(state="certified", certified_by=event["actor"], certified_at=event["ts"])
    state["history"] = [*state["history"], step]
    return state


def next_due(_state: dict[str, Any]) -> str | None:
    return None


def awaiting(state: dict[str, Any]) -> list[str]:
    """A translation not yet certified waits for its own party."""
    return [] if state["state"] == "certified" else [state["party"]]

