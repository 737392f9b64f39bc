"""The disputes register: what the parties disagree about, what each says, and how far up it went.

A dispute links incidents, holds each party's position statement (the latest counts, earlier ones stay
in the record), proposals that settle it once every party of the dispute accepted the same one, and an
escalation level (duty -> supervisor -> negotiators) with the time each level was reached. Referring a
dispute to the talks takes it to the negotiators. Status: open -> under_negotiation -> referred_to_talks
-> settled. As for incidents, ``TRANSITIONS`` is the one table of who may do what from which status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .access import Principal, require_speaker
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import SYSTEM, Pending
from .ids import check_id
from .incidents import choose_channel
from .world import World

__all__ = ["KIND", "LEVELS", "STATUSES", "TRANSITIONS", "OpenDispute", "decide_open", "decide", "Step",
           "StatePosition", "ProposeTerms", "AcceptProposal", "Escalate", "Refer", "evolve",
           "next_due", "awaiting"]

KIND = "dispute"
LEVELS = ("duty", "supervisor", "negotiators")
STATUSES = ("open", "under_negotiation", "referred_to_talks", "settled")
_LIVE = ("open", "under_negotiation", "referred_to_talks")


@dataclass(frozen=True, slots=True)
class Rule:
    states: tuple[str, ...]
    roles: tuple[str, ...]
    who: str  # "party" (of the dispute) or "party_or_mediator"


TRANSITIONS: dict[str, Rule] = {
    "dispute.position_stated": Rule(_LIVE, ("operator", "supervisor"), "party"),
    "dispute.proposal_made": Rule(_LIVE, ("operator", "supervisor"), "party_or_mediator"),
    "dispute.proposal_accepted": Rule(_LIVE, ("supervisor",), "party"),
    # Duty officers may call in their supervisors; only supervisors take a dispute to the negotiators.
    "dispute.escalated": Rule(("open", "under_negotiation"), ("operator", "supervisor"), "party_or_mediator"),
    "dispute.referred": Rule(("open", "under_negotiation"), ("supervisor",), "party_or_mediator"),
}


@dataclass(frozen=True, slots=True)
class OpenDispute:
    dispute_id: str
    title: str
    parties: tuple[str, ...]
    incident_ids: tuple[str, ...]
    summary: str = ""


def _text(value: str, name: str, limit: int, *, required: bool = True) -> None:
    if required and not value.strip():
        raise Invalid(f"The {name} is empty; write it out.", field=name)
    if len(value.encode("utf-8")) > limit:
        raise Invalid(f"The {name} is longer than {limit} bytes; shorten it.", field=name)


def decide_open(world: World, who: Principal, cmd: OpenDispute, now: datetime, existing: dict[str, Any] | None,
                incidents: dict[str, dict[str, Any] | None]) -> list[Pending]:
    """``incidents`` maps each linked id to its state (None if unknown), loaded by the caller."""
    party = require_speaker(who, "open disputes")
    check_id(cmd.dispute_id, "A dispute id")
    _text(cmd.title, "title", 300)
    _text(cmd.summary, "summary", 8000, required=False)
    for p in cmd.parties:
        if p not in world.parties:
            raise Invalid(f"Unknown party {p!r}; use one of {', '.join(world.parties)}.", field="parties")
    parties = {party, *cmd.parties} - ({world.mediator} if world.mediator else set())
    if len(parties) < 2:
        raise Invalid("A dispute is between at least two parties; name the other party.", field="parties")
    channel = choose_channel(world, parties)
    visible = world.channels_of(party)
    for iid in cmd.incident_ids:
        inc = incidents.get(iid)
        if inc is None or inc["channel"] not in visible:
            raise NotFound(f"No incident {iid!r} is visible to you.", field="incident_ids")
        if inc["channel"] != channel:
            raise Invalid(f"Incident {iid!r} is in channel {inc['channel']!r}, this dispute in {channel!r}; link "
                          "incidents the same parties see.", field="incident_ids")
    if existing is not None:
        if existing["title"] == cmd.title and existing["opened_by"] == party:
            return []
        raise Conflict(f"A different dispute already has the id {cmd.dispute_id!r}; use a new id.", field="id")
    payload = {"dispute_id": cmd.dispute_id, "title": cmd.title, "summary": cmd.summary, "parties": sorted(parties),
               "incident_ids": list(dict.fromkeys(cmd.incident_ids))}
    return [Pending(channel, "dispute.opened", party, who.username, payload, (KIND, cmd.dispute_id))]


def _authorize(world: World, who: Principal, st: dict[str, Any], event_type: str) -> str:
    rule = TRANSITIONS[event_type]
    if who.role not in rule.roles or who.party is None:
        raise Forbidden(f"Your role ({who.role}) may not cause '{event_type}'; it takes: {', '.join(rule.roles)}.")
    allowed = set(st["parties"])
    if rule.who == "party_or_mediator" and world.mediator:
        allowed.add(world.mediator)
    if who.party not in allowed:
        raise Forbidden(f"Party {who.party!r} may not cause '{event_type}' on this dispute; that takes one of "
                        f"{', '.join(sorted(allowed))}.")
    if st["status"] not in rule.states:
        raise Conflict(f"The dispute is {st['status']}; that is allowed only when it is {' or '.join(rule.states)}.",
                       field="status")
    return who.party


@dataclass(frozen=True, slots=True)
class StatePosition:
    dispute_id: str
    text: str


@dataclass(frozen=True, slots=True)
class ProposeTerms:
    dispute_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AcceptProposal:
    dispute_id: str
    proposal_id: str


@dataclass(frozen=True, slots=True)
class Escalate:
    dispute_id: str
    to: str | None = None  # default: the next level
    text: str = ""


@dataclass(frozen=True, slots=True)
class Refer:
    dispute_id: str
    round_id: str | None = None
    text: str = ""


# A step on a dispute that is open (opening one is ``OpenDispute``).
Step = StatePosition | ProposeTerms | AcceptProposal | Escalate | Refer


def _position(world: World, who: Principal, state: dict[str, Any], cmd: StatePosition) -> list[Pending]:
    party = _authorize(world, who, state, "dispute.position_stated")
    _text(cmd.text, "text", 8000)
    return [Pending(state["channel"], "dispute.position_stated", party, who.username,
                    {"dispute_id": cmd.dispute_id, "text": cmd.text}, (KIND, cmd.dispute_id))]


def _propose(world: World, who: Principal, state: dict[str, Any], cmd: ProposeTerms) -> list[Pending]:
    party = _authorize(world, who, state, "dispute.proposal_made")
    _text(cmd.text, "text", 8000)
    pid = f"p{len(state['proposals']) + 1}"
    return [Pending(state["channel"], "dispute.proposal_made", party, who.username,
                    {"dispute_id": cmd.dispute_id, "proposal_id": pid, "text": cmd.text}, (KIND, cmd.dispute_id))]


def _accept(world: World, who: Principal, state: dict[str, Any], cmd: AcceptProposal) -> list[Pending]:
    pid = cmd.proposal_id
    proposal = next((p for p in state["proposals"] if p["id"] == pid), None)
    if proposal is None:
        raise NotFound(f"Dispute {cmd.dispute_id!r} has no proposal {pid!r}.", field="proposal_id")
    party = _authorize(world, who, state, "dispute.proposal_accepted")
    if party in proposal["accepted"]:
        return []
    ch, agg = state["channel"], (KIND, cmd.dispute_id)
    out = [Pending(ch, "dispute.proposal_accepted", party, who.username,
                   {"dispute_id": cmd.dispute_id, "proposal_id": pid}, agg)]
    if set(proposal["accepted"]) | {party} >= set(state["parties"]):
        out.append(Pending(ch, "dispute.settled", None, SYSTEM,
                           {"dispute_id": cmd.dispute_id, "proposal_id": pid, "terms": proposal["text"]}, agg))
    return out


def _escalate(world: World, who: Principal, state: dict[str, Any], cmd: Escalate) -> list[Pending]:
    party = _authorize(world, who, state, "dispute.escalated")
    to = cmd.to or (LEVELS[LEVELS.index(state["level"]) + 1] if state["level"] != LEVELS[-1] else None)
    if to not in LEVELS:
        raise Invalid(f"Escalate to one of {', '.join(LEVELS)}.", field="to")
    if LEVELS.index(to) <= LEVELS.index(state["level"]):
        raise Conflict(f"The dispute is already at the {state['level']} level; escalation only goes up.",
                       field="to")
    if to == "negotiators" and who.role != "supervisor":
        raise Forbidden("Only a supervisor may take a dispute to the negotiators.")
    _text(cmd.text, "text", 4000, required=False)
    return [Pending(state["channel"], "dispute.escalated", party, who.username,
                    {"dispute_id": cmd.dispute_id, "from": state["level"], "to": to, "reason": cmd.text},
                    (KIND, cmd.dispute_id))]


def _refer(world: World, who: Principal, state: dict[str, Any], cmd: Refer) -> list[Pending]:
    party = _authorize(world, who, state, "dispute.referred")
    _text(cmd.text, "text", 4000, required=False)
    ch, agg = state["channel"], (KIND, cmd.dispute_id)
    out = []
    if state["level"] != "negotiators":  # the talks are the negotiators' table
        out.append(Pending(ch, "dispute.escalated", party, who.username,
                           {"dispute_id": cmd.dispute_id, "from": state["level"], "to": "negotiators",
                            "reason": "referred to talks"}, agg))
    out.append(Pending(ch, "dispute.referred", party, who.username,
                       {"dispute_id": cmd.dispute_id, "round_id": cmd.round_id, "note": cmd.text}, agg))
    return out


_STEPS: dict[type, Callable[..., list[Pending]]] = {
    StatePosition: _position, ProposeTerms: _propose, AcceptProposal: _accept, Escalate: _escalate, Refer: _refer,
}


def decide(world: World, who: Principal, state: dict[str, Any] | None, cmd: Step, now: datetime) -> list[Pending]:
    """One step by a person on the dispute ``cmd.dispute_id`` (in state ``state``)."""
    if state is None or state["channel"] not in world.channels_of(who.party):
        raise NotFound(f"No dispute {cmd.dispute_id!r} is visible to you.", field="dispute_id")
    return _STEPS[type(cmd)](world, who, state, cmd)


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p, kind = event["payload"], event["type"]
    if kind == "dispute.opened":
        return {"id": p["dispute_id"], "channel": event["channel"], "seq": event["seq"], "title": p["title"],
                "summary": p["summary"], "parties": p["parties"], "incident_ids": p["incident_ids"],
                "opened_by": event["party"], "opened_at": event["ts"], "status": "open", "level": "duty",
                "levels_reached": {"duty": event["ts"]}, "positions": {}, "position_history": [], "proposals": [],
                "referred": None, "settled": None,
                "history": [{"seq": event["seq"], "ts": event["ts"], "type": kind, "party": event["party"]}]}
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a dispute that was never opened")
    state["history"].append({"seq": event["seq"], "ts": event["ts"], "type": kind, "party": event["party"]})
    if kind == "dispute.position_stated":
        entry = {"text": p["text"], "by": event["actor"], "at": event["ts"], "seq": event["seq"]}
        state["positions"][event["party"]] = entry
        state["position_history"].append({"party": event["party"], **entry})
    elif kind == "dispute.proposal_made":
        state["proposals"].append({"id": p["proposal_id"], "text": p["text"], "by": event["party"],
                                   "at": event["ts"], "accepted": {}})
        if state["status"] == "open":
            state["status"] = "under_negotiation"
    elif kind == "dispute.proposal_accepted":
        next(x for x in state["proposals"] if x["id"] == p["proposal_id"])["accepted"][event["party"]] = event["ts"]
    elif kind == "dispute.escalated":
        state["level"] = p["to"]
        state["levels_reached"][p["to"]] = event["ts"]
    elif kind == "dispute.referred":
        state["status"] = "referred_to_talks"
        state["referred"] = {"at": event["ts"], "round_id": p.get("round_id"), "note": p.get("note", "")}
    elif kind == "dispute.settled":
        state["status"] = "settled"
        state["settled"] = {"at": event["ts"], "proposal_id": p["proposal_id"], "terms": p["terms"]}
    return state


def next_due(_state: dict[str, Any]) -> str | None:
    return None


def awaiting(state: dict[str, Any]) -> list[str]:
    """The parties that have not stated a position yet, or not accepted the latest proposal."""
    if state["status"] == "settled":
        return []
    out = set(state["parties"]) - set(state["positions"])
    if state["proposals"]:
        out |= set(state["parties"]) - set(state["proposals"][-1]["accepted"])
    return sorted(out)
