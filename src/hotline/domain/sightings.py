"""Sightings: intelligence reports of what a party saw, graded on the NATO Admiralty scale.

A sighting says what was seen, where (any grid; the service parses it), when, how many, heading, the
source's reliability (A reliable … E unreliable, F cannot be judged) and the information's credibility
(1 confirmed … 5 improbable, 6 cannot be judged), optional evidence (the SHA-256 of an uploaded file)
and an optional link to an incident. Its releasability is its channel: a sighting reported in
``isr-usa`` is the mediator's to read and never syr's. Sightings are few and matter to the record, so
each is a ledger event (``sighting.reported``), unlike track positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .access import Principal, require_speaker
from .errors import Conflict, Invalid, NotFound
from .events import Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["KIND", "RELIABILITY", "CREDIBILITY", "ReportSighting", "agg_id", "validate", "decide", "evolve", "next_due"]

KIND = "sighting"
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY = {1: "confirmed by other sources", 2: "probably true", 3: "possibly true", 4: "doubtful",
               5: "improbable", 6: "truth cannot be judged"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MAX_WHAT = 2000


def agg_id(sighting_id: str) -> str:
    return f"sighting:{sighting_id}"


@dataclass(frozen=True, slots=True)
class ReportSighting:
    sighting_id: str
    channel: str
    what: str
    lat: float
    lon: float
    uncertainty_m: float
    grid: str
    seen_at: str
    count: int
    heading: float | None
    reliability: str
    credibility: int
    language: str = "en"
    evidence: str | None = None
    incident: str | None = None


def validate(world: World, party: str, cmd: ReportSighting, now: datetime) -> None:
    if not _ID.match(cmd.sighting_id):
        raise Invalid("A sighting id has 4 to 64 letters, digits, '-' or '_'.", field="id")
    if cmd.channel not in world.channels or party not in world.channels[cmd.channel].members:
        raise Invalid(f"channel must be one {party} belongs to: {', '.join(sorted(world.channels_of(party)))}.",
                      field="channel")
    if not cmd.what.strip() or len(cmd.what) > _MAX_WHAT:
        raise Invalid(f"Say what was seen in 1 to {_MAX_WHAT} characters.", field="what")
    try:
        seen = parse_iso(cmd.seen_at)
    except ValueError:
        raise Invalid("seen_at must be an ISO 8601 time with a zone.", field="seen_at") from None
    if seen > now + timedelta(minutes=5):
        raise Invalid("seen_at lies in the future.", field="seen_at")
    if not 1 <= cmd.count <= 100_000:
        raise Invalid("count must be from 1 to 100000.", field="count")
    if cmd.heading is not None and not 0.0 <= cmd.heading < 360.0:
        raise Invalid("heading is in degrees from 0 to 359.", field="heading")
    if cmd.reliability not in RELIABILITY:
        raise Invalid("reliability is a letter A to F (NATO Admiralty scale).", field="reliability")
    if cmd.credibility not in CREDIBILITY:
        raise Invalid("credibility is a number 1 to 6 (NATO Admiralty scale).", field="credibility")
    if cmd.evidence is not None and not _SHA256.match(cmd.evidence):
        raise Invalid("evidence is the SHA-256 (64 lowercase hex digits) of an uploaded file.", field="evidence")


def decide(world: World, who: Principal, state: dict[str, Any] | None, incident: dict[str, Any] | None,
           cmd: ReportSighting, now: datetime) -> list[Pending]:
    """``sighting.reported``; a retry of the same report writes nothing, a different one under its id is refused."""
    party = require_speaker(who, "report sightings")
    validate(world, party, cmd, now)
    if cmd.incident is not None:
        if incident is None or incident["channel"] not in world.channels_of(party):
            raise NotFound(f"No incident {cmd.incident!r} is visible to you.", field="incident")
        if not set(world.channels[cmd.channel].members) <= set(world.channels[incident["channel"]].members):
            raise Invalid("A sighting linked to an incident is shared no wider than the incident.", field="channel")
    payload = {"sighting_id": cmd.sighting_id, "what": cmd.what, "language": cmd.language,
               "where": {"lat": cmd.lat, "lon": cmd.lon, "uncertainty_m": cmd.uncertainty_m, "grid": cmd.grid},
               "seen_at": iso(parse_iso(cmd.seen_at)), "count": cmd.count, "heading": cmd.heading,
               "reliability": cmd.reliability, "credibility": cmd.credibility,
               "grading": f"{cmd.reliability}{cmd.credibility}", "evidence": cmd.evidence, "incident": cmd.incident}
    if state is not None:
        same = {k: state[k] for k in payload if k in state} == payload and state["channel"] == cmd.channel
        if same:
            return []
        raise Conflict(f"Sighting {cmd.sighting_id!r} was reported already with other content; use a new id.",
                       field="id")
    return [Pending(cmd.channel, "sighting.reported", party, who.username, payload, (KIND, agg_id(cmd.sighting_id)))]


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    if event["type"] != "sighting.reported":
        raise ValueError(f"event {event['seq']} ({event['type']}) is not a sighting event")
    return {"id": agg_id(event["payload"]["sighting_id"]), "channel": event["channel"], "party": event["party"],
            "seq": event["seq"], "reported_at": event["ts"], "reported_by": event["actor"], **event["payload"]}


def next_due(state: dict[str, Any]) -> str | None:
    return None
