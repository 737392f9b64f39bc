"""Rounds of talks, the understandings reached in them, and the commitments that follow.

Three aggregate kinds: ``talks_round`` (number, place, dates, participants), ``understanding`` (in a
round; a track such as security or civilian, a civilian workstream such as energy, health or
agriculture, and its items) and ``commitment`` (owner party, due date, status, evidence of delivery).
A commitment not delivered by its due date is recorded as overdue by ``tick``: "late" is a fact in the
record, not a guess of the report. Recording the same thing twice with the same content writes nothing,
which keeps the demo seeding idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .access import Principal, require_role, require_speaker
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import SYSTEM, Pending
from .ids import check_id
from .incidents import choose_channel
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["ROUND", "UNDERSTANDING", "COMMITMENT", "TRACKS", "WORKSTREAMS", "COMMITMENT_STATUSES", "RecordRound",
           "RecordUnderstanding", "RecordCommitment", "decide_round", "decide_understanding", "decide_commitment",
           "decide_status", "evolve", "next_due", "tick", "awaiting", "due_instant"]

ROUND, UNDERSTANDING, COMMITMENT = "talks_round", "understanding", "commitment"
TRACKS = ("security", "civilian", "process")
WORKSTREAMS = ("energy", "health", "agriculture")
COMMITMENT_STATUSES = ("pending", "in_progress", "delivered", "cancelled")
# Which status a commitment may move to from which; cancelling takes a supervisor.
STATUS_MOVES = {"pending": ("in_progress", "delivered", "cancelled"), "in_progress": ("delivered", "cancelled"),
                "delivered": (), "cancelled": ()}
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class RecordRound:
    round_id: str
    number: int
    place: str
    start: str  # ISO date
    end: str
    participants: tuple[str, ...]
    summary: str = ""


@dataclass(frozen=True, slots=True)
class RecordUnderstanding:
    understanding_id: str
    round_id: str
    title: str
    text: str
    track: str = "security"
    workstream: str | None = None
    items: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class RecordCommitment:
    commitment_id: str
    understanding_id: str
    owner: str
    text: str
    due: str  # ISO date (end of that day, UTC) or date-time


def _check_id(value: str, name: str) -> None:
    check_id(value, f"A {name}", shortest=3)


def _text(value: str, name: str, limit: int, *, required: bool = True) -> None:
    if required and not value.strip():
        raise Invalid(f"The {name} is empty; write it out.", field=name)
    if len(value.encode("utf-8")) > limit:
        raise Invalid(f"The {name} is longer than {limit} bytes; shorten it.", field=name)


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a date such as 2026-01-06.", field=name) from None


def due_instant(due: str) -> str:
    """A due date means the end of that day in UTC; a date-time is taken as written."""
    if "T" in due:
        return iso(parse_iso(due))
    return f"{due}T23:59:59.999999Z"


def _same(existing: dict[str, Any], payload: dict[str, Any]) -> bool:
    return all(existing.get(k) == v for k, v in payload.items() if not k.endswith("_id"))


def _recorder(who: Principal, what: str) -> str:
    # Rounds and their outcomes bind a party: its supervisors record them, not the duty officer.
    party = require_speaker(who, f"record {what}")
    require_role(who, "supervisor", action=f"record {what}")
    return party


def decide_round(world: World, who: Principal, cmd: RecordRound, existing: dict[str, Any] | None) -> list[Pending]:
    party = _recorder(who, "rounds of talks")
    _check_id(cmd.round_id, "round id")
    if not 1 <= cmd.number <= 1000:
        raise Invalid("A round number runs from 1 to 1000.", field="number")
    _text(cmd.place, "place", 200)
    _text(cmd.summary, "summary", 8000, required=False)
    if _date(cmd.end, "end") < _date(cmd.start, "start"):
        raise Invalid("The round ends before it starts.", field="end")
    unknown = [p for p in cmd.participants if p not in world.parties]
    if unknown or party not in cmd.participants:
        raise Invalid("Participants are parties of this world, the recording party among them.", field="participants")
    channel = choose_channel(world, set(cmd.participants))
    payload = {"round_id": cmd.round_id, "number": cmd.number, "place": cmd.place, "start": cmd.start,
               "end": cmd.end, "participants": sorted(cmd.participants), "summary": cmd.summary}
    if existing is not None:
        if _same(existing, payload):
            return []
        raise Conflict(f"Round {cmd.round_id!r} is recorded with other details; use a new id.", field="id")
    return [Pending(channel, "talks.round_recorded", party, who.username, payload, (ROUND, cmd.round_id))]


def decide_understanding(world: World, who: Principal, cmd: RecordUnderstanding, existing: dict[str, Any] | None,
                         round_state: dict[str, Any] | None) -> list[Pending]:
    party = _recorder(who, "understandings")
    _check_id(cmd.understanding_id, "understanding id")
    if round_state is None or round_state["channel"] not in world.channels_of(party):
        raise NotFound(f"No round of talks {cmd.round_id!r} is visible to you.", field="round_id")
    _text(cmd.title, "title", 300)
    _text(cmd.text, "text", 8000)
    if cmd.track not in TRACKS:
        raise Invalid(f"Unknown track {cmd.track!r}; use one of {', '.join(TRACKS)}.", field="track")
    if cmd.workstream is not None and cmd.workstream not in WORKSTREAMS:
        raise Invalid(f"Unknown workstream {cmd.workstream!r}; use one of {', '.join(WORKSTREAMS)}.",
                      field="workstream")
    if len(cmd.items) > 100 or any(not i.strip() or len(i) > 1000 for i in cmd.items):
        raise Invalid("Items are up to 100 lines of at most 1000 characters.", field="items")
    payload = {"understanding_id": cmd.understanding_id, "round_id": cmd.round_id, "title": cmd.title,
               "text": cmd.text, "track": cmd.track, "workstream": cmd.workstream, "items": list(cmd.items)}
    if existing is not None:
        if _same(existing, payload):
            return []
        raise Conflict(f"Understanding {cmd.understanding_id!r} is recorded otherwise; use a new id.", field="id")
    return [Pending(round_state["channel"], "understanding.recorded", party, who.username, payload,
                    (UNDERSTANDING, cmd.understanding_id))]


def decide_commitment(world: World, who: Principal, cmd: RecordCommitment, existing: dict[str, Any] | None,
                      understanding: dict[str, Any] | None) -> list[Pending]:
    party = _recorder(who, "commitments")
    _check_id(cmd.commitment_id, "commitment id")
    if understanding is None or understanding["channel"] not in world.channels_of(party):
        raise NotFound(f"No understanding {cmd.understanding_id!r} is visible to you.", field="understanding_id")
    if cmd.owner not in world.channels[understanding["channel"]].members:
        raise Invalid(f"The owner {cmd.owner!r} is not a party to this understanding.", field="owner")
    _text(cmd.text, "text", 4000)
    try:
        due = due_instant(cmd.due)
        parse_iso(due)
    except ValueError:
        raise Invalid(f"{cmd.due!r} is not a due date such as 2026-01-06.", field="due") from None
    payload = {"commitment_id": cmd.commitment_id, "understanding_id": cmd.understanding_id, "owner": cmd.owner,
               "text": cmd.text, "due": cmd.due, "due_at": due, "workstream": understanding.get("workstream")}
    if existing is not None:
        if _same(existing, payload):
            return []
        raise Conflict(f"Commitment {cmd.commitment_id!r} is recorded otherwise; use a new id.", field="id")
    return [Pending(understanding["channel"], "commitment.recorded", party, who.username, payload,
                    (COMMITMENT, cmd.commitment_id))]


def decide_status(world: World, who: Principal, state: dict[str, Any] | None, commitment_id: str, status: str,
                  note: str, evidence: list[str], now: datetime) -> list[Pending]:
    if state is None or state["channel"] not in world.channels_of(who.party):
        raise NotFound(f"No commitment {commitment_id!r} is visible to you.", field="commitment_id")
    party = require_speaker(who, "change a commitment's status")
    if party != state["owner"]:
        raise Forbidden(f"Only the owner party ({state['owner']}) reports on this commitment.")
    if status not in COMMITMENT_STATUSES:
        raise Invalid(f"Unknown status {status!r}; use one of {', '.join(COMMITMENT_STATUSES)}.", field="status")
    if status not in STATUS_MOVES[state["status"]]:
        raise Conflict(f"The commitment is {state['status']}; it cannot become {status}.", field="status")
    if status == "cancelled":
        require_role(who, "supervisor", action="cancel a commitment")
    _text(note, "note", 4000, required=False)
    if any(not _SHA.match(h) for h in evidence) or len(evidence) > 20:
        raise Invalid("Evidence is a list of up to 20 SHA-256 hashes (64 lowercase hex digits).", field="evidence")
    if status == "delivered" and not (note.strip() or evidence):
        raise Invalid("Delivery needs evidence: a note saying what was done, or the hashes of documents.",
                      field="evidence")
    late = status == "delivered" and iso(now) > state["due_at"]
    return [Pending(state["channel"], "commitment.status_changed", party, who.username,
                    {"commitment_id": commitment_id, "from": state["status"], "to": status, "note": note,
                     "evidence": evidence, "late": late}, (COMMITMENT, commitment_id))]


def tick(_world: World, state: dict[str, Any], now: datetime) -> list[Pending]:
    if state.get("kind") != COMMITMENT or state["overdue"] or state["status"] in ("delivered", "cancelled"):
        return []
    if now < parse_iso(state["due_at"]):
        return []
    return [Pending(state["channel"], "commitment.overdue", None, SYSTEM,
                    {"commitment_id": state["id"], "owner": state["owner"], "due_at": state["due_at"]},
                    (COMMITMENT, state["id"]))]


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p, kind = event["payload"], event["type"]
    base = {"channel": event["channel"], "seq": event["seq"], "recorded_by": event["actor"],
            "party": event["party"], "recorded_at": event["ts"]}
    if kind == "talks.round_recorded":
        return {"kind": ROUND, "id": p["round_id"], **base, **{k: v for k, v in p.items() if k != "round_id"}}
    if kind == "understanding.recorded":
        return {"kind": UNDERSTANDING, "id": p["understanding_id"], **base,
                **{k: v for k, v in p.items() if k != "understanding_id"}}
    if kind == "commitment.recorded":
        return {"kind": COMMITMENT, "id": p["commitment_id"], **base,
                **{k: v for k, v in p.items() if k != "commitment_id"}, "status": "pending", "overdue": False,
                "delivered_at": None, "evidence": [], "updates": []}
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a record that does not exist")
    if kind == "commitment.status_changed":
        state["status"] = p["to"]
        state["evidence"] = list(dict.fromkeys(state["evidence"] + p["evidence"]))
        state["updates"].append({"at": event["ts"], "by": event["actor"], "to": p["to"], "note": p["note"],
                                 "evidence": p["evidence"], "late": p["late"]})
        if p["to"] == "delivered":
            state["delivered_at"] = event["ts"]
    elif kind == "commitment.overdue":
        state["overdue"] = True
    return state


def next_due(state: dict[str, Any]) -> str | None:
    if state.get("kind") != COMMITMENT or state["overdue"] or state["status"] in ("delivered", "cancelled"):
        return None
    due: str = state["due_at"]
    return due


def awaiting(state: dict[str, Any]) -> list[str]:
    if state.get("kind") == COMMITMENT and state["status"] in ("pending", "in_progress"):
        return [state["owner"]]
    return []
