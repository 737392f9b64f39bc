"""Agreed zones: a line or limit binds a party only once that party has accepted it, in the record.

A zone aggregate holds the version in force (``active``, a GeoJSON Feature, or None) and at most one
open proposal. Changing a zone is a proposal (``zone.proposed``) that every party bound by it (by the
version in force or by the proposed one) must accept (``zone.accepted``); the last acceptance makes it
active (``zone.activated``). Any bound party may refuse (``zone.rejected``), which closes the proposal and
leaves the version in force unchanged. A zone that would bind nobody needs every non-mediator party, so
that no party can change the shared picture alone.

The world's agreed geography is seeded by ``seed`` as ``zone.activated`` (basis ``agreement``) and its
proposals as ``zone.proposed`` by the hotline itself; seeding is idempotent because it skips every zone
that already has a record. All events go to the world's common channel: every party sees the map.

This module validates nothing geometric itself: the caller passes features already checked by
``hotline.geo.zones.zone_from_feature`` (geo is pure and may be imported by domain).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from hotline.geo.errors import GeoError
from hotline.geo.zones import zone_from_feature, zone_to_feature

from .access import Principal, require_role, require_speaker
from .errors import Conflict, Invalid, NotFound
from .events import SYSTEM, Pending
from .world import World

__all__ = ["KIND", "agg_id", "seed", "decide_propose", "decide_accept", "decide_reject", "evolve", "next_due",
           "awaiting", "normalise_feature", "required_parties", "proposed_feature"]

KIND = "zone"
MAX_REASON = 2000


def agg_id(zone_id: str) -> str:
    return f"zone:{zone_id}"


def normalise_feature(feature: Any, field: str = "feature") -> dict[str, Any]:
    """A proposal describes the zone as it will be in force: status active, validated, canonical form."""
    if not isinstance(feature, Mapping):
        raise Invalid("A zone must be a GeoJSON Feature object.", field=field)
    f = copy.deepcopy(dict(feature))
    props = dict(f.get("properties") or {})
    props["status"] = "active"
    f["properties"] = props
    try:
        return zone_to_feature(zone_from_feature(f))
    except GeoError as e:
        raise Invalid(str(e.detail), field=f"{field}.{e.field}") from e


def required_parties(world: World, new: Mapping[str, Any], current: Mapping[str, Any] | None) -> list[str]:
    bound = set(new["properties"].get("binds", []))
    if current is not None:
        bound |= set(current["properties"].get("binds", []))
    unknown = sorted(bound - set(world.parties))
    if unknown:
        raise Invalid(f"The zone binds unknown parties {unknown}; use the ids of this world's parties.",
                      field="feature.properties.binds")
    if not bound:
        bound = {p for p, party in world.parties.items() if not party.mediator}
    return sorted(bound)


def proposed_feature(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The open proposal as a map shows it: status proposed, binding nobody yet."""
    prop = state.get("proposal")
    if prop is None:
        return None
    f: dict[str, Any] = copy.deepcopy(prop["feature"])
    f["properties"]["status"] = "proposed"
    f["properties"]["binds_when_agreed"] = f["properties"].get("binds", [])
    f["properties"]["binds"] = []
    f["properties"]["proposal"] = {k: prop[k] for k in ("proposal_id", "by", "required", "accepted", "at")}
    return f


def seed(world: World, features: Iterable[Mapping[str, Any]], existing: set[str]) -> list[Pending]:
    """Events that record the world's agreed geography; zones in ``existing`` (by zone id) are skipped."""
    out: list[Pending] = []
    channel = world.common_channel
    for raw in features:
        zid = str(raw.get("id"))
        if zid in existing:
            continue
        status = (raw.get("properties") or {}).get("status", "active")
        feature = normalise_feature(raw)
        if status == "active":
            out.append(Pending(channel, "zone.activated", None, SYSTEM, {
                "zone_id": zid, "feature": feature, "basis": "agreement", "proposal_id": None}, (KIND, agg_id(zid))))
        else:
            required = required_parties(world, feature, None)
            feature["properties"]["binds"] = required
            out.append(Pending(channel, "zone.proposed", None, SYSTEM, {
                "zone_id": zid, "proposal_id": f"{zid}-p1", "feature": feature, "required": required,
                "replaces_version": 0, "note": "Proposed in the talks; shown, binds nobody until every party "
                                               "accepts it."}, (KIND, agg_id(zid))))
    return out


def decide_propose(world: World, who: Principal, state: dict[str, Any] | None, feature: Mapping[str, Any],
                   proposal_id: str, note: str, now: datetime) -> list[Pending]:
    party = require_speaker(who, "propose zones")
    require_role(who, "supervisor", action="propose zones")  # a binding line is a supervisor's act
    new = normalise_feature(feature)
    zid = str(new["id"])
    if len(note) > MAX_REASON:
        raise Invalid(f"A note has at most {MAX_REASON} characters.", field="note")
    current = state["active"] if state else None
    if state is not None and state["proposal"] is not None:
        raise Conflict(f"Zone {zid!r} already has an open proposal ({state['proposal']['proposal_id']}); "
                       "it must be accepted or rejected before another.", field="feature.id")
    if current is not None and current == new:
        raise Conflict(f"The proposal is identical to zone {zid!r} as it is in force; nothing would change.",
                       field="feature")
    required = required_parties(world, new, current)
    channel = world.common_channel
    key = (KIND, agg_id(zid))
    out = [Pending(channel, "zone.proposed", party, who.username, {
        "zone_id": zid, "proposal_id": proposal_id, "feature": new, "required": required,
        "replaces_version": state["version"] if state else 0, "note": note}, key)]
    if party in required:  # proposing is accepting, for the proposer's own party
        out.append(Pending(channel, "zone.accepted", party, who.username,
                           {"zone_id": zid, "proposal_id": proposal_id}, key))
        if required == [party]:
            out.append(_activated(channel, zid, proposal_id, new, key))
    return out


def _activated(channel: str, zid: str, proposal_id: str, feature: dict[str, Any],
               key: tuple[str, str]) -> Pending:
    return Pending(channel, "zone.activated", None, SYSTEM,
                   {"zone_id": zid, "feature": feature, "basis": "accepted", "proposal_id": proposal_id}, key)


def _open(state: dict[str, Any] | None, zone_id: str, proposal_id: str) -> dict[str, Any]:
    if state is None or state["proposal"] is None or state["proposal"]["proposal_id"] != proposal_id:
        raise NotFound(f"Zone {zone_id!r} has no open proposal {proposal_id!r}.", field="proposal_id")
    prop: dict[str, Any] = state["proposal"]
    return prop


def decide_accept(world: World, who: Principal, state: dict[str, Any] | None, zone_id: str, proposal_id: str,
                  now: datetime) -> list[Pending]:
    party = require_speaker(who, "accept zones")
    require_role(who, "supervisor", action="accept zones")  # a binding line is a supervisor's act
    prop = _open(state, zone_id, proposal_id)
    if party not in prop["required"]:
        raise Conflict(f"Zone {zone_id!r} would not bind {party!r}; only {', '.join(prop['required'])} accept it.",
                       field="proposal_id")
    if party in prop["accepted"]:
        return []
    key = (KIND, agg_id(zone_id))
    out = [Pending(world.common_channel, "zone.accepted", party, who.username,
                   {"zone_id": zone_id, "proposal_id": proposal_id}, key)]
    if set(prop["accepted"]) | {party} >= set(prop["required"]):
        out.append(_activated(world.common_channel, zone_id, proposal_id, prop["feature"], key))
    return out


def decide_reject(world: World, who: Principal, state: dict[str, Any] | None, zone_id: str, proposal_id: str,
                  reason: str, now: datetime) -> list[Pending]:
    party = require_speaker(who, "reject zones")
    require_role(who, "supervisor", action="reject zones")  # a binding line is a supervisor's act
    prop = _open(state, zone_id, proposal_id)
    if party not in prop["required"] and party != prop["by"]:
        raise Conflict(f"Zone {zone_id!r} would not bind {party!r}; only {', '.join(prop['required'])} decide on it.",
                       field="proposal_id")
    if len(reason) > MAX_REASON:
        raise Invalid(f"A reason has at most {MAX_REASON} characters.", field="reason")
    return [Pending(world.common_channel, "zone.rejected", party, who.username,
                    {"zone_id": zone_id, "proposal_id": proposal_id, "reason": reason}, (KIND, agg_id(zone_id)))]


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p = event["payload"]
    kind = event["type"]
    if state is None:
        state = {"id": agg_id(p["zone_id"]), "zone_id": p["zone_id"], "channel": event["channel"], "active": None,
                 "version": 0, "proposal": None, "history": [], "seq": event["seq"]}
    if kind == "zone.proposed":
        state["proposal"] = {"proposal_id": p["proposal_id"], "feature": p["feature"], "required": p["required"],
                             "accepted": {}, "by": event["party"], "actor": event["actor"], "at": event["ts"],
                             "seq": event["seq"], "note": p.get("note", "")}
    elif kind == "zone.accepted":
        state["proposal"]["accepted"][event["party"]] = {"by": event["actor"], "at": event["ts"], "seq": event["seq"]}
    elif kind == "zone.rejected":
        state["history"].append({"proposal_id": p["proposal_id"], "outcome": "rejected", "by": event["party"],
                                 "reason": p.get("reason", ""), "at": event["ts"], "seq": event["seq"]})
        state["proposal"] = None
    elif kind == "zone.activated":
        state["active"] = p["feature"]
        state["version"] += 1
        state["history"].append({"proposal_id": p.get("proposal_id"), "outcome": "activated",
                                 "basis": p.get("basis"), "at": event["ts"], "seq": event["seq"]})
        state["proposal"] = None
    state["updated_seq"] = event["seq"]
    return state


def next_due(_state: dict[str, Any]) -> str | None:
    return None  # a proposal waits for the parties without a deadline: agreement cannot be forced by a timer


def awaiting(state: dict[str, Any]) -> list[str]:
    prop = state.get("proposal")
    if prop is None:
        return []
    return [p for p in prop["required"] if p not in prop["accepted"]]

