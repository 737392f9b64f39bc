"""Incidents: from a report with evidence to an agreed finding, or to a recorded dispute.

The workflow is a small state machine whose every step is a ledger event::

    reported -> acknowledged (by each addressed party) -> clarification (questions and answers)
             -> joint_review -> resolved (a finding every incident party agreed) | disputed

``TRANSITIONS`` is the one table saying, for each event a person may cause, from which states it may
happen, which roles may cause it and which parties (``Who``) may act. ``_authorize`` reads only that
table, so the rules a test checks are the rules the code enforces. Acknowledgement deadlines work as
for messages: ``next_due`` names the next one, ``tick`` writes ``incident.ack_overdue`` once it passed.
A world-file escalation policy of kind ``incident`` for an addressed party replaces that single step
with the policy's (``acks.py``: offsets fixed at the report, each step written once until the party
acknowledges); without one the record holds exactly what it always did.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import acks as ack_steps
from .access import Principal, require_speaker
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import SYSTEM, Pending
from .ids import check_id, retried
from .texts import check_text
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["KIND", "CATEGORIES", "STATES", "TRANSITIONS", "Rule", "Location", "ReportIncident", "choose_channel",
           "validate_report", "decide_report", "decide", "Step", "AcknowledgeIncident", "AttachEvidence",
           "AskQuestion", "AnswerQuestion", "StartReview", "ProposeFinding", "AgreeFinding", "DisputeIncident",
           "evolve", "next_due", "tick", "awaiting", "sector_of", "MAX_TEXT"]

KIND = "incident"
CATEGORIES = ("airspace_violation", "exchange_of_fire", "line_crossing", "uav_sighting", "civilian_detention",
              "property_damage", "mine_uxo", "other")
STATES = ("reported", "acknowledged", "clarification", "joint_review", "resolved", "disputed")
CASUALTY_FIELDS = ("killed", "injured", "detained", "missing")
MAX_TEXT = 16 * 1024
MAX_UNCERTAINTY_M = 100_000.0
# A report may not claim to describe the future; a few minutes allow for clocks that differ.
CLOCK_SKEW = timedelta(minutes=5)
# Latitude bands of the demo line, used when a report names no sector; a world may define its own
# under [[incident_sectors]] (id, min_lat, max_lat).
DEFAULT_SECTORS = ({"id": "north", "min_lat": 33.18, "max_lat": 90.0},
                   {"id": "central", "min_lat": 32.95, "max_lat": 33.18},
                   {"id": "south", "min_lat": -90.0, "max_lat": 32.95})
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

OPS = ("operator", "supervisor")
SUPERVISOR = ("supervisor",)


@dataclass(frozen=True, slots=True)
class Rule:
    """From which states an event may be caused, by which roles, of which parties.

    ``who``: ``member`` (any party of the incident's channel), ``addressee`` (a party that must
    acknowledge and has not), ``party`` (the reporting or an involved party), ``party_or_mediator``,
    ``question_addressee`` (the party the question was put to).
    """

    states: tuple[str | None, ...]
    roles: tuple[str, ...]
    who: str


TRANSITIONS: dict[str, Rule] = {
    "incident.reported": Rule((None,), OPS, "member"),
    "incident.acknowledged": Rule(("reported", "clarification"), OPS, "addressee"),
    "incident.question_asked": Rule(("reported", "acknowledged", "clarification"), OPS, "member"),
    "incident.question_answered": Rule(("clarification",), OPS, "question_addressee"),
    "incident.review_started": Rule(("acknowledged", "clarification"), SUPERVISOR, "party_or_mediator"),
    "incident.finding_proposed": Rule(("joint_review",), SUPERVISOR, "party_or_mediator"),
    "incident.finding_agreed": Rule(("joint_review",), SUPERVISOR, "party"),
    "incident.disputed": Rule(("acknowledged", "clarification", "joint_review"), SUPERVISOR, "party"),
    "evidence.attached": Rule(("reported", "acknowledged", "clarification", "joint_review", "disputed"), OPS,
                              "member"),
}


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    uncertainty_m: float
    grid: str = "dd"
    text: str = ""
    formats: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportIncident:
    incident_id: str
    category: str
    occurred_from: str
    occurred_to: str | None
    location: Location
    involved: tuple[str, ...]
    description: str
    language: str = "en"
    casualties: dict[str, int] = field(default_factory=dict)
    damage: str = ""
    sector: str | None = None
    officer: str = ""


def _when(text: str, name: str) -> datetime:
    try:
        return parse_iso(text)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across a zone offset
        raise Invalid(f"{text!r} is not a time with a zone such as 2026-11-25T19:30:00Z.", field=name) from None


def check_location(loc: Location) -> None:
    if not (math.isfinite(loc.lat) and -90.0 <= loc.lat <= 90.0):
        raise Invalid(f"Latitude {loc.lat} is out of range; it lies between -90 and 90 degrees (were latitude "
                      "and longitude swapped?).", field="location.lat")
    if not (math.isfinite(loc.lon) and -180.0 <= loc.lon <= 180.0):
        raise Invalid(f"Longitude {loc.lon} is out of range; it lies between -180 and 180 degrees.",
                      field="location.lon")
    if not (math.isfinite(loc.uncertainty_m) and 0.0 <= loc.uncertainty_m <= MAX_UNCERTAINTY_M):
        raise Invalid(f"The uncertainty radius {loc.uncertainty_m} m is out of range; give 0 to "
                      f"{int(MAX_UNCERTAINTY_M)} metres.", field="location.uncertainty_m")


def validate_report(world: World, cmd: ReportIncident, now: datetime) -> None:
    check_id(cmd.incident_id, "An incident id")
    if cmd.category not in CATEGORIES:
        raise Invalid(f"Unknown category {cmd.category!r}; use one of {', '.join(CATEGORIES)}.", field="category")
    start = _when(cmd.occurred_from, "occurred_from")
    if start > now + CLOCK_SKEW:
        raise Invalid("The incident is said to start in the future; give the time it happened (UTC).",
                      field="occurred_from")
    if cmd.occurred_to is not None:
        end = _when(cmd.occurred_to, "occurred_to")
        if end < start:
            raise Invalid("The time window ends before it starts; swap or correct the times.", field="occurred_to")
        if end > now + CLOCK_SKEW:
            raise Invalid("The time window ends in the future; report what has happened.", field="occurred_to")
    check_location(cmd.location)
    for party in cmd.involved:
        if party not in world.parties:
            raise Invalid(f"Unknown party {party!r}; use one of {', '.join(world.parties)}.", field="involved")
    check_text(cmd.description, "description", MAX_TEXT)
    check_text(cmd.damage, "damage", MAX_TEXT, required=False)
    if not _LANG.match(cmd.language):
        raise Invalid(f"{cmd.language!r} is not a language code such as en, he or ar.", field="language")
    for key, count in cmd.casualties.items():
        if key not in CASUALTY_FIELDS:
            raise Invalid(f"Unknown casualty field {key!r}; use {', '.join(CASUALTY_FIELDS)}.", field="casualties")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
            raise Invalid(f"casualties.{key} must be a whole number from 0 to 100000.", field=f"casualties.{key}")
    if cmd.sector is not None and not re.match(r"^[a-z][a-z0-9_-]{0,31}$", cmd.sector):
        raise Invalid("A sector is a short code such as 'north'.", field="sector")


def choose_channel(world: World, parties: set[str]) -> str:
    """The smallest channel holding every party concerned and the mediator: nobody else sees the incident."""
    wanted = parties | ({world.mediator} if world.mediator else set())
    fits = [c for c in world.channels.values() if wanted <= set(c.members)]
    if not fits:
        raise Invalid(f"No channel holds all of {', '.join(sorted(wanted))}; report it on a channel they share.",
                      field="involved")
    return min(fits, key=lambda c: (len(c.members), c.id)).id


def sector_of(world: World, lat: float) -> str:
    bands: list[dict[str, Any]] = list(world.settings.get("incident_sectors") or DEFAULT_SECTORS)
    for band in bands:
        if float(band["min_lat"]) <= lat < float(band["max_lat"]):
            return str(band["id"])
    return "unassigned"


def decide_report(world: World, who: Principal, cmd: ReportIncident, now: datetime,
                  existing: dict[str, Any] | None) -> list[Pending]:
    party = require_speaker(who, "report incidents")
    validate_report(world, cmd, now)
    parties = {party, *cmd.involved}
    channel = choose_channel(world, parties)
    if retried(existing, lambda e: e["party"] == party and e["description"] == cmd.description,
               f"A different incident already has the id {cmd.incident_id!r}; use a new id."):
        return []
    window = timedelta(seconds=int(world.settings.get("incident_ack_s", world.deadlines["IMMEDIATE"])))
    loc = cmd.location
    payload: dict[str, Any] = {
        "incident_id": cmd.incident_id, "category": cmd.category, "occurred_from": iso(parse_iso(cmd.occurred_from)),
        "occurred_to": iso(parse_iso(cmd.occurred_to)) if cmd.occurred_to else None,
        "location": {"lat": loc.lat, "lon": loc.lon, "uncertainty_m": loc.uncertainty_m, "grid": loc.grid,
                     "text": loc.text, "formats": dict(loc.formats)},
        "sector": cmd.sector or sector_of(world, loc.lat),
        "parties": sorted(parties), "description": cmd.description, "language": cmd.language,
        "casualties": {k: cmd.casualties.get(k, 0) for k in CASUALTY_FIELDS}, "damage": cmd.damage,
        "officer": cmd.officer or who.username,
        "addressees": [m for m in world.channels[channel].members if m != party],
        "ack_deadline": iso(now + window),
    }
    plan = ack_steps.plans(world, KIND, payload["addressees"], int(window.total_seconds()))
    if plan:  # a world-file escalation policy for incidents (the default adds nothing)
        payload["escalation"] = plan
    return [Pending(channel, "incident.reported", party, who.username, payload, (KIND, cmd.incident_id))]


def _authorize(world: World, who: Principal, state: dict[str, Any], event_type: str,
               question: dict[str, Any] | None = None) -> str:
    """The acting party, if TRANSITIONS allows ``who`` to cause ``event_type`` now; raises otherwise."""
    rule = TRANSITIONS[event_type]
    action = event_type.split(".", 1)[1].replace("_", " ")
    if who.role not in rule.roles or who.party is None:
        raise Forbidden(f"Your role ({who.role}) may not cause '{event_type}'; it takes: {', '.join(rule.roles)}.")
    party = who.party
    allowed = {
        "member": set(world.channels[state["channel"]].members),
        "addressee": {p for p, a in state["acks"].items() if a["ack"] is None},
        "party": set(state["parties"]),
        "party_or_mediator": set(state["parties"]) | ({world.mediator} if world.mediator else set()),
        "question_addressee": {question["to"]} if question else set(),
    }[rule.who]
    if party not in allowed:
        raise Forbidden(f"Party {party!r} may not cause '{event_type}' on this incident; that takes "
                        f"{rule.who.replace('_', ' ')} ({', '.join(sorted(allowed)) or 'nobody now'}).")
    if state["status"] not in rule.states:
        raise Conflict(f"The incident is {state['status']}; '{action}' is allowed only when it is "
                       f"{' or '.join(str(s) for s in rule.states)}.", field="status")
    return party


def _visible(world: World, who: Principal, state: dict[str, Any] | None, incident_id: str) -> dict[str, Any]:
    if state is None or state["channel"] not in world.channels_of(who.party):
        raise NotFound(f"No incident {incident_id!r} is visible to you.", field="incident_id")
    return state


@dataclass(frozen=True, slots=True)
class AcknowledgeIncident:
    incident_id: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class AskQuestion:
    incident_id: str
    text: str
    to: str | None = None  # default: the reporting party
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerQuestion:
    incident_id: str
    question_id: str
    text: str


@dataclass(frozen=True, slots=True)
class StartReview:
    incident_id: str


@dataclass(frozen=True, slots=True)
class ProposeFinding:
    incident_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AgreeFinding:
    incident_id: str
    finding_id: int | None = None  # the finding the caller read; None: the one under review


@dataclass(frozen=True, slots=True)
class DisputeIncident:
    incident_id: str
    text: str
    dispute_id: str | None = None


@dataclass(frozen=True, slots=True)
class AttachEvidence:
    """A file the caller stores by its SHA-256 in the same transaction as the event naming it."""
    incident_id: str
    sha256: str
    size: int
    media_type: str
    filename: str
    description: str = ""


# A person's workflow step on an incident that exists (reporting one is ``ReportIncident``).
Step = (AcknowledgeIncident | AskQuestion | AnswerQuestion | StartReview | ProposeFinding | AgreeFinding
        | DisputeIncident | AttachEvidence)


def _acknowledge(world: World, who: Principal, st: dict[str, Any], cmd: AcknowledgeIncident,
                 now: datetime) -> list[Pending]:
    entry = st["acks"].get(who.party or "")
    if entry is not None and entry["ack"] is not None:
        return []  # acknowledged already: the first acknowledgement stands
    party = _authorize(world, who, st, "incident.acknowledged")
    check_text(cmd.note, "note", 2000, required=False)
    late = now > parse_iso(entry["deadline"]) if entry else False
    return [Pending(st["channel"], "incident.acknowledged", party, who.username,
                    {"incident_id": cmd.incident_id, "late": late, "note": cmd.note}, (KIND, cmd.incident_id))]


def _ask(world: World, who: Principal, st: dict[str, Any], cmd: AskQuestion, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "incident.question_asked")
    to = cmd.to or st["party"]
    if to not in world.channels[st["channel"]].members or to == party:
        raise Invalid(f"Put the question to another party of this incident's channel, not {to!r}.", field="to")
    check_text(cmd.text, "text", 4000)
    qid = f"q{len(st['questions']) + 1}"
    return [Pending(st["channel"], "incident.question_asked", party, who.username,
                    {"incident_id": cmd.incident_id, "question_id": qid, "to": to, "text": cmd.text,
                     "reply_to": cmd.reply_to}, (KIND, cmd.incident_id))]


def _answer(world: World, who: Principal, st: dict[str, Any], cmd: AnswerQuestion, now: datetime) -> list[Pending]:
    qid = cmd.question_id
    question = next((q for q in st["questions"] if q["id"] == qid), None)
    if question is None:
        raise NotFound(f"Incident {cmd.incident_id!r} has no question {qid!r}.", field="question_id")
    if question["answer"] is not None:
        # The answer's time, not its event's ledger seq: an error is read by a party too.
        raise Conflict(f"Question {qid!r} was answered already (at {question['answer']['at']}); ask a "
                       "follow-up question instead.", field="question_id")
    party = _authorize(world, who, st, "incident.question_answered", question)
    check_text(cmd.text, "text", 4000)
    return [Pending(st["channel"], "incident.question_answered", party, who.username,
                    {"incident_id": cmd.incident_id, "question_id": qid, "text": cmd.text}, (KIND, cmd.incident_id))]


def _start_review(world: World, who: Principal, st: dict[str, Any], cmd: StartReview, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "incident.review_started")
    waiting = sorted(p for p, a in st["acks"].items() if a["ack"] is None)
    if waiting:
        raise Conflict(f"Joint review waits for the acknowledgement of {', '.join(waiting)}.", field="status")
    open_q = [q["id"] for q in st["questions"] if q["answer"] is None]
    if open_q:
        raise Conflict(f"Joint review waits for the answers to {', '.join(open_q)}.", field="status")
    return [Pending(st["channel"], "incident.review_started", party, who.username,
                    {"incident_id": cmd.incident_id}, (KIND, cmd.incident_id))]


def _propose(world: World, who: Principal, st: dict[str, Any], cmd: ProposeFinding, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "incident.finding_proposed")
    check_text(cmd.text, "text", 8000)
    fid = (st["finding"]["id"] + 1) if st["finding"] else 1
    return [Pending(st["channel"], "incident.finding_proposed", party, who.username,
                    {"incident_id": cmd.incident_id, "finding_id": fid, "text": cmd.text}, (KIND, cmd.incident_id))]


def _agree(world: World, who: Principal, st: dict[str, Any], cmd: AgreeFinding, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "incident.finding_agreed")
    finding = st["finding"]
    if finding is None:
        raise Conflict("No finding has been proposed yet; propose one first.", field="finding_id")
    if cmd.finding_id not in (None, finding["id"]):
        raise Conflict(f"The finding under review is now #{finding['id']}; read it and agree to that one.",
                       field="finding_id")
    if party in finding["agreed"]:
        return []
    agg, ch = (KIND, cmd.incident_id), st["channel"]
    out = [Pending(ch, "incident.finding_agreed", party, who.username,
                   {"incident_id": cmd.incident_id, "finding_id": finding["id"]}, agg)]
    if set(finding["agreed"]) | {party} >= set(st["parties"]):
        out.append(Pending(ch, "incident.resolved", None, SYSTEM,
                           {"incident_id": cmd.incident_id, "finding_id": finding["id"], "finding": finding["text"],
                            "agreed_by": sorted(set(finding["agreed"]) | {party})}, agg))
    return out


def _dispute(world: World, who: Principal, st: dict[str, Any], cmd: DisputeIncident, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "incident.disputed")
    check_text(cmd.text, "text", 4000)
    return [Pending(st["channel"], "incident.disputed", party, who.username,
                    {"incident_id": cmd.incident_id, "reason": cmd.text, "dispute_id": cmd.dispute_id},
                    (KIND, cmd.incident_id))]


def _evidence(world: World, who: Principal, st: dict[str, Any], cmd: AttachEvidence, now: datetime) -> list[Pending]:
    party = _authorize(world, who, st, "evidence.attached")
    if any(e["sha256"] == cmd.sha256 for e in st["evidence"]):
        return []  # the same file again: it is attached already
    check_text(cmd.description, "description", 2000, required=False)
    payload = {"incident_id": cmd.incident_id, "sha256": cmd.sha256, "size": cmd.size, "media_type": cmd.media_type,
               "filename": cmd.filename, "description": cmd.description}
    return [Pending(st["channel"], "evidence.attached", party, who.username, payload, (KIND, cmd.incident_id))]


_STEPS: dict[type, Callable[..., list[Pending]]] = {
    AcknowledgeIncident: _acknowledge, AskQuestion: _ask, AnswerQuestion: _answer, StartReview: _start_review,
    ProposeFinding: _propose, AgreeFinding: _agree, DisputeIncident: _dispute, AttachEvidence: _evidence,
}


def decide(world: World, who: Principal, state: dict[str, Any] | None, cmd: Step, now: datetime) -> list[Pending]:
    """One workflow step by a person on the incident ``cmd.incident_id`` (in state ``state``)."""
    st = _visible(world, who, state, cmd.incident_id)
    return _STEPS[type(cmd)](world, who, st, cmd, now)


def tick(world: World, state: dict[str, Any], now: datetime) -> list[Pending]:
    out: list[Pending] = []
    for party, entry in state["acks"].items():
        if "plan" not in entry and entry["ack"] is None and not entry["overdue"] and now >= parse_iso(
                entry["deadline"]):
            out.append(Pending(state["channel"], "incident.ack_overdue", None, SYSTEM,
                               {"incident_id": state["id"], "party": party, "deadline": entry["deadline"],
                                "escalated_to": "supervisors"}, (KIND, state["id"])))
    planned = _planned(state)
    if planned:
        out += ack_steps.overdue_events(
            world, prefix=KIND, channel=state["channel"], aggregate=(KIND, state["id"]), entries=planned,
            window=timedelta(0), identity={"incident_id": state["id"]}, now=now, policy_kind=KIND)
    return out


def _planned(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The addressed parties whose acknowledgement a world-file policy escalates (``plan`` in the record)."""
    return {p: a for p, a in state["acks"].items() if "plan" in a}


def _history(state: dict[str, Any], event: dict[str, Any]) -> None:
    state["history"].append({"seq": event["seq"], "ts": event["ts"], "type": event["type"],
                             "party": event["party"], "actor": event["actor"]})


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    """The only place an incident's state changes."""
    p = event["payload"]
    kind = event["type"]
    if kind == "incident.reported":
        state = {
            "id": p["incident_id"], "channel": event["channel"], "seq": event["seq"], "party": event["party"],
            "actor": event["actor"], "reported_at": event["ts"], "status": "reported",
            **{k: p[k] for k in ("category", "occurred_from", "occurred_to", "location", "sector", "parties",
                                 "description", "language", "casualties", "damage", "officer")},
            "acks": {a: {"deadline": p["ack_deadline"], "ack": None, "overdue": False}
                     | ({"plan": list(p["escalation"][a]), "step": 0} if a in p.get("escalation", {}) else {})
                     for a in p["addressees"]},
            "questions": [], "evidence": [], "finding": None, "resolved_at": None, "disputed": None, "history": [],
        }
        _history(state, event)
        return state
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names an incident that was never reported")
    _history(state, event)
    if kind == "incident.acknowledged":
        state["acks"][event["party"]]["ack"] = {"by": event["actor"], "at": event["ts"], "seq": event["seq"],
                                                "late": p["late"], "note": p.get("note", "")}
        if state["status"] == "reported" and all(a["ack"] is not None for a in state["acks"].values()):
            state["status"] = "acknowledged"
    elif kind in ("incident.ack_overdue", "incident.ack_escalated", "incident.escalation_step"):
        entry = state["acks"][p["party"]]
        entry["overdue"] = True
        if "step" in p:  # a world-file policy's step
            entry["step"] = max(entry.get("step", 0), p["step"])
    elif kind == "incident.question_asked":
        state["questions"].append({"id": p["question_id"], "from": event["party"], "to": p["to"], "text": p["text"],
                                   "by": event["actor"], "at": event["ts"], "seq": event["seq"],
                                   "reply_to": p.get("reply_to"), "answer": None})
        state["status"] = "clarification"
    elif kind == "incident.question_answered":
        q = next(q for q in state["questions"] if q["id"] == p["question_id"])
        q["answer"] = {"text": p["text"], "by": event["actor"], "at": event["ts"], "seq": event["seq"]}
    elif kind == "incident.review_started":
        state["status"] = "joint_review"
    elif kind == "incident.finding_proposed":
        agreed = {event["party"]: event["ts"]} if event["party"] in state["parties"] else {}
        state["finding"] = {"id": p["finding_id"], "text": p["text"], "by": event["party"], "at": event["ts"],
                            "agreed": agreed}
    elif kind == "incident.finding_agreed":
        state["finding"]["agreed"][event["party"]] = event["ts"]
    elif kind == "incident.resolved":
        state["status"] = "resolved"
        state["resolved_at"] = event["ts"]
    elif kind == "incident.disputed":
        state["status"] = "disputed"
        state["disputed"] = {"by": event["party"], "at": event["ts"], "reason": p["reason"],
                             "dispute_id": p.get("dispute_id")}
    elif kind == "evidence.attached":
        state["evidence"].append({k: p[k] for k in ("sha256", "size", "media_type", "filename", "description")}
                                 | {"by": event["actor"], "party": event["party"], "at": event["ts"]})
    return state


def next_due(state: dict[str, Any]) -> str | None:
    due = [a["deadline"] for a in state["acks"].values() if "plan" not in a and a["ack"] is None and not a["overdue"]]
    step = ack_steps.next_deadline(_planned(state), timedelta(0))
    if step is not None:
        due.append(iso(step))
    return min(due) if due else None


def awaiting(state: dict[str, Any]) -> list[str]:
    """Who must act next: unacknowledged parties, parties asked a question, parties yet to agree a finding."""
    if state["status"] in ("resolved", "disputed"):
        return []
    out = {p for p, a in state["acks"].items() if a["ack"] is None}
    out |= {q["to"] for q in state["questions"] if q["answer"] is None}
    if state["status"] == "joint_review" and state["finding"] is not None:
        out |= set(state["parties"]) - set(state["finding"]["agreed"])
    return sorted(out)
