"""Findings as a ledger aggregate: what the conflict engine found, acknowledged like a FLASH.

A finding is raised (``finding.raised``) in the smallest channel that holds every party it concerns and
the mediator: the parties of the clash and the parties bound by the zone it is about. Each concerned
party other than the mediator must acknowledge (``finding.acknowledged``) within the world's FLASH
deadline; a missed deadline is recorded (``finding.ack_overdue``, to the party's supervisors) and at
twice the deadline escalated to the mediator (``finding.ack_escalated``), as for a FLASH message.

A finding that the engine no longer reports (a notice withdrawn or expired, a zone changed) is cleared
(``finding.cleared``) with the reason; one reported again after that is raised again on the same
record. A finding's id is derived from what it is (rule, zone, notices, interval), so the same clash
always has the same id, whichever process or restart computes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from . import acks
from .access import Principal, require_speaker
from .errors import Conflict, NotFound
from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["KIND", "agg_id", "finding_id", "channel_for", "decide_raise", "decide_clear", "decide_ack", "tick",
           "evolve", "next_due", "awaiting", "is_open"]

KIND = "finding"


KIND_POLICY = "finding"  # the escalation policy kind of findings in the world file


def agg_id(fid: str) -> str:
    return f"finding:{fid}"


def finding_id(finding: Mapping[str, Any]) -> str:
    """Stable identity: the same rule, zone, notices and interval give the same id."""
    key = "|".join([finding["rule"], finding.get("zone") or "", ",".join(finding["notices"]),
                    finding["when"]["start"], finding["when"]["end"]])
    if "track" in finding:  # a geofence finding: the same zone entered at once by two tracks is two findings
        key += "|" + finding["track"]["uid"]
    return "f-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def channel_for(world: World, parties: Iterable[str]) -> str:
    """The smallest channel holding every concerned party and the mediator (ties: the world's order)."""
    need = set(parties) | ({world.mediator} if world.mediator else set())
    fits = [c for c in world.channels.values() if need <= set(c.members)]
    if not fits:
        return world.common_channel
    return min(fits, key=lambda c: len(c.members)).id


def is_open(state: Mapping[str, Any] | None) -> bool:
    return state is not None and state["status"] == "open"


def decide_raise(world: World, state: dict[str, Any] | None, finding: Mapping[str, Any],
                 concerned: Iterable[str], now: datetime) -> list[Pending]:
    """``finding`` is ``Finding.to_dict()``; nothing is written if it is open already."""
    if is_open(state):
        return []
    fid = finding_id(finding)
    concerned_set = set(concerned) | set(finding["parties"])
    channel = channel_for(world, concerned_set)
    window = world.ack_window("FLASH")
    addressees = sorted(p for p in concerned_set if p != world.mediator and p in world.parties)
    payload = {"finding_id": fid, "finding": dict(finding), "concerned": sorted(concerned_set),
               "addressees": addressees, "ack_window_s": int(window.total_seconds()),
               "ack_deadline": iso(now + window)}
    plan = acks.plans(world, KIND_POLICY, addressees, int(window.total_seconds()))
    if plan:  # a world-file escalation policy for findings (the default adds nothing)
        payload["escalation"] = plan
    return [Pending(channel, "finding.raised", None, SYSTEM, payload, (KIND, agg_id(fid)))]


def decide_clear(state: dict[str, Any], reason: str) -> list[Pending]:
    if not is_open(state):
        return []
    return [Pending(state["channel"], "finding.cleared", None, SYSTEM,
                    {"finding_id": state["finding_id"], "reason": reason}, (KIND, state["id"]))]


def decide_ack(world: World, who: Principal, state: dict[str, Any] | None, fid: str, note: str,
               now: datetime) -> list[Pending]:
    party = require_speaker(who, "acknowledge findings")
    if state is None or state["channel"] not in world.channels_of(party):
        raise NotFound(f"No finding {fid!r} is visible to you.", field="finding_id")
    entry = state["addressees"].get(party)
    if entry is None:
        raise Conflict(f"This finding does not concern {party!r}; only {', '.join(state['addressees'])} "
                       "acknowledge it.", field="finding_id")
    if entry["ack"] is not None:
        return []
    late = now > parse_iso(entry["deadline"])
    return [Pending(state["channel"], "finding.acknowledged", party, who.username,
                    {"finding_id": fid, "late": late, "note": note[:2000]}, (KIND, state["id"]))]


def tick(world: World, state: dict[str, Any], now: datetime) -> list[Pending]:
    out: list[Pending] = []
    if state["status"] != "open":
        return out
    ends = _expires(state)
    if ends is not None and now >= ends:
        return decide_clear(state, "the time of the clash has passed")
    return acks.overdue_events(
        world, prefix="finding", channel=state["channel"], aggregate=(KIND, state["id"]),
        entries=state["addressees"], window=timedelta(seconds=state["ack_window_s"]),
        identity={"finding_id": state["finding_id"]}, now=now, policy_kind=KIND_POLICY)


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p = event["payload"]
    kind = event["type"]
    if kind == "finding.raised":
        return {"id": agg_id(p["finding_id"]), "finding_id": p["finding_id"], "channel": event["channel"],
                "seq": event["seq"], "raised_at": event["ts"], "finding": p["finding"], "concerned": p["concerned"],
                "ack_window_s": p["ack_window_s"], "status": "open", "cleared": None,
                "raised_count": (state or {}).get("raised_count", 0) + 1,
                "addressees": acks.addressed(p["addressees"], p["ack_deadline"], p.get("escalation"))}
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a finding that was never raised")
    if kind == "finding.acknowledged":
        acks.record_ack(state["addressees"], event)
    elif kind in ("finding.ack_overdue", "finding.ack_escalated", "finding.escalation_step"):
        acks.record_escalation(state["addressees"], event)
    elif kind == "finding.cleared":
        state["status"] = "cleared"
        state["cleared"] = {"reason": p["reason"], "at": event["ts"], "seq": event["seq"]}
    return state


def _expires(state: Mapping[str, Any]) -> datetime | None:
    """A clash is obsolete once its interval has passed; a late notice stays a fact of the record."""
    if state["finding"]["rule"] == "notice.late":
        return None
    return parse_iso(state["finding"]["when"]["end"])


def next_due(state: dict[str, Any]) -> str | None:
    if state["status"] != "open":
        return None
    ends = _expires(state)
    escalation = acks.next_deadline(state["addressees"], timedelta(seconds=state["ack_window_s"]))
    due = [d for d in (ends, escalation) if d is not None]
    return iso(min(due)) if due else None


def awaiting(state: dict[str, Any]) -> list[str]:
    if state["status"] != "open":
        return []
    return acks.awaiting(state["addressees"])
