"""Acknowledgements tracked against a deadline, with escalation in steps: the shared mechanism.

Messages and findings both address parties that must acknowledge within a window. The state of each
addressed party is ``{"deadline": ISO, "ack": None | {...}, "overdue": 0 | 1 | 2}``: 1 once the deadline
passed (``<prefix>.ack_overdue``, to that party's supervisors), 2 at twice the window
(``<prefix>.ack_escalated``, to the mediator). That is the default policy; a world file's escalation
policy (``policies.py``) may give a party other steps: the entry then holds ``plan`` (each step's
offset in seconds after the deadline, fixed when the item was posted) and ``step`` (steps reached).
The events keep their meaning: step 1 is ``ack_overdue`` (the deadline passed), the first step that
reaches the mediator is ``ack_escalated``, every other step ``<prefix>.escalation_step``.
Everything here is pure; the aggregate that uses it names its event prefix and the payload key that
identifies it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .events import SYSTEM, Pending
from .policies import Step, default_steps
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["addressed", "record", "record_ack", "record_escalation", "overdue_events", "next_deadline",
           "awaiting", "plans", "STEP_TYPES"]

# The events of the default's two steps; a policy's other steps write ``escalation_step``.
STEP_TYPES = ("ack_overdue", "ack_escalated", "escalation_step")

Entries = dict[str, dict[str, Any]]


def addressed(parties: list[str], deadline: str, plan: dict[str, list[int]] | None = None) -> Entries:
    """Every addressed party, not yet acknowledged (``plan``: its steps' offsets, if not the default)."""
    entries: Entries = {party: {"deadline": deadline, "ack": None, "overdue": 0} for party in parties}
    for party, offsets in (plan or {}).items():
        if party in entries:
            entries[party].update(plan=list(offsets), step=0)
    return entries


def _steps(world: World, policy_kind: str, party: str, window_s: int) -> tuple[Step, ...]:
    policy = world.escalation.policy_for(policy_kind, party)
    return policy.steps if policy is not None else default_steps(window_s)


def plans(world: World, policy_kind: str, parties: list[str], window_s: int) -> dict[str, list[int]]:
    """For the parties whose world-file policy differs from the default: each step's offset after the
    deadline (cumulative delays). Recorded with the item, so a later change of the world file does not
    move the timers of what is already posted."""
    out: dict[str, list[int]] = {}
    for party in parties:
        if world.escalation.policy_for(policy_kind, party) is None:
            continue
        offsets, total = [], 0
        for step in _steps(world, policy_kind, party, window_s):
            total += step.delay_s
            offsets.append(total)
        out[party] = offsets
    return out


def _plan(entry: dict[str, Any], window: timedelta) -> list[int]:
    return entry.get("plan") or [0, int(window.total_seconds())]


def _reached(entry: dict[str, Any]) -> int:
    return int(entry.get("step", entry["overdue"]))


def record_ack(entries: Entries, event: dict[str, Any]) -> None:
    """Apply an ``*.acknowledged`` event: the acting party's acknowledgement, who and when."""
    p = event["payload"]
    entries[event["party"]]["ack"] = {"by": event["actor"], "at": event["ts"], "seq": event["seq"],
                                      "late": p["late"], "note": p.get("note", ""),
                                      "translation_pending": bool(p.get("translation_pending", False))}


def record_escalation(entries: Entries, event: dict[str, Any]) -> None:
    """Apply an ``*.ack_overdue`` (step 1), ``*.ack_escalated`` (2) or ``*.escalation_step`` (n) event."""
    p = event["payload"]
    step = p.get("step") or (2 if event["type"].endswith(".ack_escalated") else 1)
    entry = entries[p["party"]]
    # ``overdue`` keeps its meaning: 1 the deadline passed, 2 the mediator has been told.
    level = 2 if event["type"].endswith(".ack_escalated") or "mediator" in p.get("targets", ()) else 1
    entry["overdue"] = max(entry["overdue"], level)
    if "step" in entry or step > 2:
        entry["step"] = max(_reached(entry), step)


def record(entries: Entries, event: dict[str, Any]) -> bool:
    """Apply ``<prefix>.acknowledged`` or one of the escalation events to ``entries``; False for any other
    event (the aggregate's own, which its ``evolve`` applies)."""
    suffix = event["type"].split(".", 1)[1]
    if suffix == "acknowledged":
        record_ack(entries, event)
    elif suffix in STEP_TYPES:
        record_escalation(entries, event)
    else:
        return False
    return True


def overdue_events(world: World, *, prefix: str, channel: str, aggregate: tuple[str, str], entries: Entries,
                   window: timedelta, identity: dict[str, Any], now: datetime,
                   policy_kind: str = "") -> list[Pending]:
    """The escalation steps that ``now`` calls for and the record does not hold yet (each is written once)."""
    out: list[Pending] = []
    for party, entry in entries.items():
        if entry["ack"] is not None:
            continue
        deadline = parse_iso(entry["deadline"])
        plan = _plan(entry, window)
        custom = "plan" in entry
        steps = _steps(world, policy_kind, party, int(window.total_seconds())) if custom else \
            default_steps(int(window.total_seconds()))
        for index in range(_reached(entry), len(plan)):
            if now < deadline + timedelta(seconds=plan[index]):
                break
            number = index + 1
            step = steps[index] if index < len(steps) else steps[-1]
            payload: dict[str, Any] = {**identity, "party": party, "deadline": iso(deadline + timedelta(
                seconds=plan[index])), "escalated_to": ",".join(step.targets)}
            if "mediator" in step.targets:
                payload["mediator"] = world.mediator
            if custom:  # the default's events stay exactly as they always were
                payload.update(step=number, steps=len(plan), targets=list(step.targets),
                               channels=list(step.channels))
            mediator_before = any("mediator" in s.targets for s in steps[:index])
            kind = ("ack_overdue" if number == 1 else "ack_escalated"
                    if "mediator" in step.targets and not mediator_before else "escalation_step")
            out.append(Pending(channel, f"{prefix}.{kind}", None, SYSTEM, payload, aggregate))
    return out


def next_deadline(entries: Entries, window: timedelta) -> datetime | None:
    """When the next escalation step falls due, or None once every party acknowledged or was escalated."""
    due = []
    for e in entries.values():
        plan = _plan(e, window)
        if e["ack"] is None and _reached(e) < len(plan):
            due.append(parse_iso(e["deadline"]) + timedelta(seconds=plan[_reached(e)]))
    return min(due) if due else None


def awaiting(entries: Entries) -> list[str]:
    """The parties that have not acknowledged yet."""
    return [party for party, entry in entries.items() if entry["ack"] is None]
