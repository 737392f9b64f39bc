"""Acknowledgements tracked against a deadline, with two-step escalation: the shared mechanism.

Messages and findings both address parties that must acknowledge within a window. The state of each
addressed party is ``{"deadline": ISO, "ack": None | {...}, "overdue": 0 | 1 | 2}``: 1 once the deadline
passed (``<prefix>.ack_overdue``, to that party's supervisors), 2 at twice the window
(``<prefix>.ack_escalated``, to the mediator). Everything here is pure; the aggregate that uses it
names its event prefix and the payload key that identifies it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["addressed", "record_ack", "record_escalation", "overdue_events", "next_deadline", "awaiting"]

Entries = dict[str, dict[str, Any]]


def addressed(parties: list[str], deadline: str) -> Entries:
    """Every addressed party, not yet acknowledged."""
    return {party: {"deadline": deadline, "ack": None, "overdue": 0} for party in parties}


def record_ack(entries: Entries, event: dict[str, Any]) -> None:
    """Apply an ``*.acknowledged`` event: the acting party's acknowledgement, who and when."""
    p = event["payload"]
    entries[event["party"]]["ack"] = {"by": event["actor"], "at": event["ts"], "seq": event["seq"],
                                      "late": p["late"], "note": p.get("note", "")}


def record_escalation(entries: Entries, event: dict[str, Any]) -> None:
    """Apply an ``*.ack_overdue`` (level 1) or ``*.ack_escalated`` (level 2) event."""
    party = event["payload"]["party"]
    level = 2 if event["type"].endswith(".ack_escalated") else 1
    entries[party]["overdue"] = max(entries[party]["overdue"], level)


def overdue_events(world: World, *, prefix: str, channel: str, aggregate: tuple[str, str], entries: Entries,
                   window: timedelta, identity: dict[str, Any], now: datetime) -> list[Pending]:
    """The escalations that ``now`` calls for and the record does not hold yet (each is written once)."""
    out: list[Pending] = []
    for party, entry in entries.items():
        if entry["ack"] is not None:
            continue
        deadline = parse_iso(entry["deadline"])
        if entry["overdue"] == 0 and now >= deadline:
            out.append(Pending(channel, f"{prefix}.ack_overdue", None, SYSTEM, {
                **identity, "party": party, "deadline": entry["deadline"], "escalated_to": "supervisors"},
                aggregate))
        if entry["overdue"] <= 1 and now >= deadline + window:
            out.append(Pending(channel, f"{prefix}.ack_escalated", None, SYSTEM, {
                **identity, "party": party, "deadline": iso(deadline + window), "escalated_to": "mediator",
                "mediator": world.mediator}, aggregate))
    return out


def next_deadline(entries: Entries, window: timedelta) -> datetime | None:
    """When the next escalation falls due, or None once every party acknowledged or was escalated."""
    due = [parse_iso(e["deadline"]) + (window if e["overdue"] else timedelta(0))
           for e in entries.values() if e["ack"] is None and e["overdue"] < 2]
    return min(due) if due else None


def awaiting(entries: Entries) -> list[str]:
    """The parties that have not acknowledged yet."""
    return [party for party, entry in entries.items() if entry["ack"] is None]
