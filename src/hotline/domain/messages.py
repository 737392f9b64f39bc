"""Messages and acknowledgements: the heart of the hotline.

A message is posted to a channel; every *other* member party must acknowledge it before the deadline
of its precedence. A missed deadline is recorded (``message.ack_overdue``, escalated to that party's
supervisors); at twice the deadline it is escalated to the mediator (``message.ack_escalated``).
Timers are not kept anywhere but in the state derived from the ledger: ``next_due`` tells the service
when to call ``tick`` again, so a server that was down across a deadline writes the event once when it
comes back. The sending party may recall a message sent in error (``message.recalled``): it stays in
the record, marked recalled with the reason, and from then on awaits nobody, so no timer fires for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import acks
from .access import Principal, require_speaker
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import Pending
from .ids import retried
from .timefmt import iso, parse_iso
from .world import PRECEDENCES, World

__all__ = ["PostMessage", "Acknowledge", "Recall", "Command", "decide", "decide_post", "decide_ack",
           "decide_recall", "tick", "evolve", "next_due", "awaiting", "MAX_BODY_BYTES", "MAX_REASON", "KIND"]

KIND = "message"
MAX_BODY_BYTES = 64 * 1024
MAX_SUBJECT = 200
MAX_REASON = 500
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_CODE = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")


@dataclass(frozen=True, slots=True)
class PostMessage:
    message_id: str
    channel: str
    precedence: str
    subject: str
    body: str
    language: str
    reply_to: str | None = None
    template: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Acknowledge:
    message_id: str
    note: str = ""
    # "Received, translation pending": the message arrived but nobody who reads it has understood it yet.
    translation_pending: bool = False


@dataclass(frozen=True, slots=True)
class Recall:
    """The sending party takes back a message sent in error: it stays in the record, marked recalled,
    and from then on nobody is awaited to acknowledge it (no deadline, no escalation)."""
    message_id: str
    reason: str


Command = PostMessage | Acknowledge | Recall


def validate_post(cmd: PostMessage) -> None:
    if cmd.precedence not in PRECEDENCES:
        raise Invalid(f"Unknown precedence {cmd.precedence!r}; use one of {', '.join(PRECEDENCES)}.",
                      field="precedence")
    if not cmd.subject.strip():
        raise Invalid("The subject is empty; write what the message is about.", field="subject")
    if len(cmd.subject) > MAX_SUBJECT:
        raise Invalid(f"The subject has {len(cmd.subject)} characters; at most {MAX_SUBJECT} are allowed.",
                      field="subject")
    size = len(cmd.body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise Invalid(f"The body is {size} bytes; at most {MAX_BODY_BYTES} (64 KiB) are allowed.", field="body")
    if not cmd.body.strip() and cmd.template is None:
        raise Invalid("The body is empty; write the message or choose a template.", field="body")
    if not _LANG.match(cmd.language):
        raise Invalid(f"{cmd.language!r} is not a language code such as en, he or ar.", field="language")
    if cmd.template is not None:
        code = cmd.template.get("code")
        fields = cmd.template.get("fields", {})
        if not isinstance(code, str) or not _CODE.match(code):
            raise Invalid("A template needs a code such as 'request_clarification'.", field="template.code")
        if not isinstance(fields, dict) or not all(isinstance(k, str) and isinstance(v, str | int | float)
                                                   for k, v in fields.items()):
            raise Invalid("Template fields must be an object of text or number values.", field="template.fields")
        if len(str(fields).encode("utf-8")) > MAX_BODY_BYTES:
            raise Invalid("The template fields are larger than 64 KiB.", field="template.fields")


def decide_post(world: World, who: Principal, cmd: PostMessage, now: datetime,
                existing: dict[str, Any] | None, reply_to: dict[str, Any] | None, *,
                window_factor: float = 1.0, suspended: tuple[str, ...] = ()) -> list[Pending]:
    """``existing`` is the state under ``cmd.message_id`` (a retried post), ``reply_to`` the state of the
    message answered, both loaded by the caller."""
    party = require_speaker(who, "post messages")
    validate_post(cmd)
    channel = world.channels[cmd.channel]
    if retried(existing, lambda e: (e["channel"] == cmd.channel and e["subject"] == cmd.subject
                                    and e["body"] == cmd.body and e["party"] == party),
               f"A different message already has the id {cmd.message_id!r}; use a new id."):
        return []
    if cmd.reply_to is not None and (reply_to is None or reply_to["channel"] != cmd.channel):
        raise NotFound(f"No message {cmd.reply_to!r} in channel {cmd.channel!r} to reply to.", field="reply_to")
    # The line's alert level may shorten every deadline (domain/line.py: deadline_factor).
    window = timedelta(seconds=int(world.ack_window(cmd.precedence).total_seconds() * window_factor))
    addressees = [m for m in channel.members if m != party]
    payload: dict[str, Any] = {
        "message_id": cmd.message_id,
        "precedence": cmd.precedence,
        "subject": cmd.subject,
        "body": cmd.body,
        "language": cmd.language,
        "reply_to": cmd.reply_to,
        "addressees": addressees,
        "ack_window_s": int(window.total_seconds()),
        "ack_deadline": iso(now + window),
    }
    if away := [p for p in addressees if p in suspended]:
        payload["sent_during_suspension"] = away  # those parties had suspended their participation
    plan = acks.plans(world, f"{KIND}.{cmd.precedence}", addressees, int(window.total_seconds()))
    if plan:  # only a world-file policy adds it: the default's events stay as they were
        payload["escalation"] = plan
    if cmd.template is not None:
        payload["template"] = {"code": cmd.template["code"], "fields": dict(cmd.template.get("fields", {}))}
    return [Pending(cmd.channel, "message.posted", party, who.username, payload, (KIND, cmd.message_id))]


def decide_ack(world: World, who: Principal, state: dict[str, Any] | None, cmd: Acknowledge,
               now: datetime) -> list[Pending]:
    """An empty list means the party had already acknowledged: the caller answers with that one."""
    party = require_speaker(who, "acknowledge messages")
    if state is None or state["channel"] not in world.channels_of(party):
        raise NotFound(f"No message {cmd.message_id!r} is visible to you.", field="message_id")
    if state["party"] == party:
        raise Conflict("Your party sent this message; only the other parties acknowledge it.", field="message_id")
    entry = state["addressees"].get(party)
    if entry is None:
        raise Conflict(f"Party {party!r} is not addressed by this message.", field="message_id")
    if entry["ack"] is not None:
        return []
    if (recalled := state.get("recalled")) is not None:
        raise Conflict(f"This message is recalled (by {recalled['party']} at {recalled['at']}); "
                       "it no longer awaits an acknowledgement.", field="message_id")
    if len(cmd.note) > 2000:
        raise Invalid("An acknowledgement note has at most 2000 characters.", field="note")
    deadline = parse_iso(entry["deadline"])
    payload: dict[str, Any] = {"message_id": cmd.message_id, "late": now > deadline, "note": cmd.note}
    if cmd.translation_pending:
        payload["translation_pending"] = True
    return [Pending(state["channel"], "message.acknowledged", party, who.username, payload, (KIND, cmd.message_id))]


def decide_recall(world: World, who: Principal, state: dict[str, Any] | None, cmd: Recall) -> list[Pending]:
    """An empty list means the message was recalled already: the caller answers with that recall."""
    party = require_speaker(who, "recall messages")
    reason = cmd.reason.strip()
    if not reason:
        raise Invalid("The reason is empty; say why the message is recalled.", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"The reason has {len(reason)} characters; at most {MAX_REASON} are allowed.", field="reason")
    if state is None or state["channel"] not in world.channels_of(party):
        raise NotFound(f"No message {cmd.message_id!r} is visible to you.", field="message_id")
    if state["party"] != party:
        # The other parties see the message, so a 404 would be untrue: the act is refused, not hidden.
        raise Forbidden("Only the party that sent a message may recall it.", field="message_id")
    if state.get("recalled") is not None:
        return []
    return [Pending(state["channel"], "message.recalled", party, who.username,
                    {"message_id": cmd.message_id, "reason": reason}, (KIND, cmd.message_id))]


def decide(world: World, who: Principal, state: dict[str, Any] | None, cmd: Command, now: datetime, *,
           reply_to: dict[str, Any] | None = None, window_factor: float = 1.0,
           suspended: tuple[str, ...] = ()) -> list[Pending]:
    """One command on the message ``cmd.message_id`` (in state ``state``; None before it is posted).

    Posting also reads ``reply_to`` (the state of the message answered) and the line's state as
    ``window_factor`` and ``suspended``, all loaded by the caller."""
    if isinstance(cmd, PostMessage):
        return decide_post(world, who, cmd, now, state, reply_to, window_factor=window_factor, suspended=suspended)
    if isinstance(cmd, Recall):
        return decide_recall(world, who, state, cmd)
    return decide_ack(world, who, state, cmd, now)


def tick(world: World, state: dict[str, Any], now: datetime) -> list[Pending]:
    """The events a deadline that has passed calls for; none if nothing is due (or the message is recalled:
    a timer read before the recall committed still finds nothing to write)."""
    if state.get("recalled") is not None:
        return []
    return acks.overdue_events(
        world, prefix="message", channel=state["channel"], aggregate=(KIND, state["id"]),
        entries=state["addressees"], window=timedelta(seconds=state["ack_window_s"]),
        identity={"message_id": state["id"], "precedence": state["precedence"]}, now=now,
        policy_kind=f"{KIND}.{state['precedence']}")


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    """The only place a message's state changes. ``event`` is a ledger event dict."""
    p = event["payload"]
    kind = event["type"]
    if kind == "message.posted":
        return {
            "id": p["message_id"], "channel": event["channel"], "seq": event["seq"], "party": event["party"],
            "actor": event["actor"], "posted_at": event["ts"], "precedence": p["precedence"],
            "subject": p["subject"], "body": p["body"], "language": p["language"], "reply_to": p["reply_to"],
            "template": p.get("template"), "ack_window_s": p["ack_window_s"],
            "addressees": acks.addressed(p["addressees"], p["ack_deadline"], p.get("escalation")),
        }
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a message that was never posted")
    if kind == "message.recalled":
        state["recalled"] = {"party": event["party"], "by": event["actor"], "at": event["ts"], "seq": event["seq"],
                             "reason": p["reason"]}
        return state
    acks.record(state["addressees"], event)
    return state


def next_due(state: dict[str, Any]) -> str | None:
    """When ``tick`` next has something to do for this message (ISO UTC), or None."""
    if state.get("recalled") is not None:
        return None
    due = acks.next_deadline(state["addressees"], timedelta(seconds=state["ack_window_s"]))
    return None if due is None else iso(due)


def awaiting(state: dict[str, Any]) -> list[str]:
    """The parties that have not acknowledged yet; nobody once the message is recalled."""
    if state.get("recalled") is not None:
        return []
    return acks.awaiting(state["addressees"])
