"""The line as a whole: its alert level and which parties have suspended their participation.

One aggregate (id ``line``) on the common channel. Raising or lowering the level takes a party's
supervisor or anyone speaking for the mediator; a party's supervisor suspends and resumes that party.
A level change also moves every desk's link-test schedule to the level's interval (``desks.Reschedule``),
and the world file says what else it changes (the deadline factor read by message posting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import desks
from .access import Principal
from .errors import Conflict, Forbidden, Invalid
from .events import Pending
from .world import ALERT_LEVELS, World

__all__ = ["KIND", "LINE_ID", "SetAlertLevel", "Suspend", "Resume", "Command", "decide", "evolve", "next_due",
           "level_of", "deadline_factor", "suspended_parties"]

KIND = "line"
LINE_ID = "line"
State = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SetAlertLevel:
    level: str
    reason: str


@dataclass(frozen=True, slots=True)
class Suspend:
    reason: str


@dataclass(frozen=True, slots=True)
class Resume:
    reason: str


Command = SetAlertLevel | Suspend | Resume


def decide(world: World, who: Principal, state: State | None, cmd: Command, now: datetime,
           *, desk_states: dict[str, State | None] | None = None) -> list[Pending]:
    desks.check_reason(cmd.reason, required=True)
    if who.party is None or who.role not in ("operator", "supervisor"):
        raise Forbidden(f"Your role ({who.role}) may not change the line's state.", field="level")
    aggregate = (KIND, LINE_ID)
    if isinstance(cmd, SetAlertLevel):
        if cmd.level not in ALERT_LEVELS:
            raise Invalid(f"Unknown alert level {cmd.level!r}; use one of {', '.join(ALERT_LEVELS)}.", field="level")
        if who.role != "supervisor" and who.party != world.mediator:
            raise Forbidden("Only a party's supervisor or the mediator changes the alert level.", field="level")
        current = level_of(state)
        if cmd.level == current:
            return []
        out = [Pending(world.common_channel, "line.level_changed", who.party, who.username,
                       {"level": cmd.level, "previous": current, "reason": cmd.reason}, aggregate)]
        interval = world.duty.linktest_interval(cmd.level)
        for desk_id, desk_state in (desk_states or {}).items():
            out += desks.decide(world, who, desk_state, desks.Reschedule(desk_id, cmd.level, interval), now)
        return out
    if who.role != "supervisor":
        raise Forbidden("Only a supervisor suspends or resumes the party's participation.", field="reason")
    suspended = who.party in suspended_parties(state)
    if isinstance(cmd, Suspend) and suspended:
        raise Conflict(f"{who.party} is suspended already.", field="reason")
    if isinstance(cmd, Resume) and not suspended:
        raise Conflict(f"{who.party} is not suspended.", field="reason")
    kind = "party.suspended" if isinstance(cmd, Suspend) else "party.resumed"
    return [Pending(world.common_channel, kind, who.party, who.username,
                    {"party": who.party, "reason": cmd.reason}, aggregate)]


def evolve(state: State | None, event: dict[str, Any]) -> State:
    state = state or {"id": LINE_ID, "level": "normal", "reason": "", "since": None, "by": None, "suspended": {}}
    p = event["payload"]
    if event["type"] == "line.level_changed":
        state.update(level=p["level"], reason=p["reason"], since=event["ts"], by=event["actor"])
    elif event["type"] == "party.suspended":
        state["suspended"][p["party"]] = {"reason": p["reason"], "since": event["ts"], "by": event["actor"]}
    elif event["type"] == "party.resumed":
        state["suspended"].pop(p["party"], None)
    return state


def next_due(_state: State) -> str | None:
    return None


def level_of(state: State | None) -> str:
    return "normal" if state is None else str(state["level"])


def deadline_factor(world: World, state: State | None) -> float:
    return world.duty.deadline_factor(level_of(state))


def suspended_parties(state: State | None) -> list[str]:
    return sorted((state or {}).get("suspended", {}))
