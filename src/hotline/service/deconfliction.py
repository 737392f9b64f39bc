"""Use cases of deconfliction: file notices, agree zones, raise and clear findings.

The pipeline of one filing reads top to bottom in ``file_notice``: validate (``notice_from_dict``,
before the writer is asked, so a refusal writes nothing) -> decide the ``notice.filed`` event with its
lead-time record -> re-check every active notice against the active zones with the new one included
(``ConflictEngine``) -> raise the new findings, clear the obsolete ones -> all of it in ONE writer
submit, so the notice and its findings commit together or not at all.

The engine's inputs (active zones and notices, parsed) and the set of open findings are kept warm in
memory (``Model``, in ``notice_index``): the index follows the ledger, and every writer handle first
catches it up inside its own transaction, so a filing is checked against every notice committed
before it, by any server process. Findings whose interval has passed are cleared by their own
``tick``; withdrawals and zone changes re-check here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from hotline.domain import findings as fnd
from hotline.domain import ids
from hotline.domain import notices as ntc
from hotline.domain import zones_agreed as zag
from hotline.domain.access import Principal, require_role, require_speaker
from hotline.domain.errors import Invalid, NotFound
from hotline.domain.events import Pending
from hotline.domain.timefmt import iso
from hotline.geo.conflicts import DEFAULT_OVERLAP_BUFFER_M, late_finding
from hotline.geo.errors import GeoError
from hotline.geo.findings import Finding
from hotline.geo.geometry import DEFAULT_MAX_VERTICES, geometry_to_geojson
from hotline.geo.notices import DEFAULT_LEAD_TIMES, Notice, lead_time_check, notice_from_dict
from hotline.geo.zones import Zone, zone_from_feature
from hotline.service.unit_of_work import UnitOfWork
from hotline.store.ledger import list_aggregates

from .hotline import Hotline
from .notice_index import Model, forget, model, within

__all__ = ["Model", "model", "file_notice", "check_notice", "notice_action", "withdraw_notice", "propose_zone",
           "decide_zone", "ack_finding", "seed_zones", "zones_collection", "lead_times", "new_id", "list_of",
           "get_one"]



def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def check_id(value: str, field: str = "id") -> str:
    return ids.check_id(value, "An id", shortest=3, dots=True, field=field)


def lead_times(hl: Hotline) -> dict[str, timedelta]:
    """Minimum lead per notice type: the defaults, overridden by the world file's [lead_times] (hours)."""
    table = dict(DEFAULT_LEAD_TIMES)
    for kind, hours in dict(hl.world.settings.get("lead_times", {})).items():
        table[kind] = timedelta(hours=float(hours))
    return table


def _max_vertices(hl: Hotline) -> int:
    return int(hl.world.settings.get("deconfliction", {}).get("max_vertices", DEFAULT_MAX_VERTICES))


def _buffer_m(hl: Hotline) -> float:
    return float(hl.world.settings.get("deconfliction", {}).get("overlap_buffer_m", DEFAULT_OVERLAP_BUFFER_M))


async def _submit(hl: Hotline, handle: Any, result: Any = None) -> tuple[list[Any], Any]:
    try:
        return await hl.writer.submit(handle, result)
    except Exception as e:
        from hotline.domain.errors import DomainError

        if not isinstance(e, DomainError):
            forget(hl)  # the batch failed: what the model staged may not be in the record
        raise


def _concerned(f: Finding, zones: Mapping[str, Zone]) -> list[str]:
    parties = set(f.parties)
    if f.zone and f.zone in zones:
        parties |= set(zones[f.zone].binds)
    return sorted(parties)


async def _reconcile(hl: Hotline, uow: UnitOfWork, m: Model, zones: dict[str, Zone], notices: dict[str, Notice],
                     reason: str) -> tuple[list[Pending], set[str]]:
    """Findings to raise and to clear so that the record matches what the engine finds now."""
    now = uow.now
    trial = Model(zones, notices, set(m.open))
    engine = trial.engine_for(now, _buffer_m(hl))
    wanted = {fnd.finding_id(d): (d, _concerned(f, zones))
              for f in engine.all_findings() if f.when[1] > now for d in [f.to_dict()]}
    out: list[Pending] = []
    for fid, (d, concerned) in wanted.items():
        if fid not in m.open:
            out += fnd.decide_raise(hl.world, await uow.load(fnd.KIND, fnd.agg_id(fid)), d, concerned, now)
    for fid in sorted(m.open - set(wanted)):
        state = await uow.load(fnd.KIND, fnd.agg_id(fid))
        if state is not None:
            out += fnd.decide_clear(state, reason)
    m.engine, m.engine_at = engine, now
    return out, set(wanted)


def _normalise(n: Notice) -> dict[str, Any]:
    f = n.forces
    body: dict[str, Any] = {
        "type": n.type, "geometry": geometry_to_geojson(n.geometry), "radius_m": n.radius_m, "width_m": n.width_m,
        "window": {"start": iso(n.start), "end": iso(n.end)},
        "forces": {"troops": f.troops, "tanks": f.tanks, "sam": f.sam, "aircraft": f.aircraft,
                   "artillery": [{"count": a.count, "range_km": a.range_km} for a in f.artillery]},
        "text": n.text,
    }
    if n.altitude is not None:
        body["altitude"] = {"min_m": n.altitude[0], "max_m": n.altitude[1]}
    return body


def parse_notice(hl: Hotline, who: Principal, body: Mapping[str, Any], notice_id: str) -> Notice:
    party = require_speaker(who, "file notices")
    try:
        return notice_from_dict({**body, "id": notice_id, "party": party}, now=hl.clock(),
                                max_vertices=_max_vertices(hl))
    except GeoError as e:
        raise Invalid(e.detail, field=e.field) from e


async def file_notice(hl: Hotline, who: Principal, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The notice's state and whether this call filed it (False: a retry of the same filing)."""
    notice_id = check_id(str(body.get("id") or new_id("ntc")))
    n = parse_notice(hl, who, body, notice_id)
    cmd = ntc.FileNotice(notice_id, _normalise(n))
    table = lead_times(hl)

    async def handle(uow: UnitOfWork) -> list[Pending]:
        m = await within(hl, uow)
        if n.end <= uow.now:
            raise Invalid("The window ended before the notice reached the record.", field="window.end")
        lead = lead_time_check(n.type, uow.now, n.start, table)
        events = ntc.decide_file(hl.world, who, await uow.load(ntc.KIND, ntc.agg_id(notice_id)), cmd, lead)
        if not events:
            return []
        notices = {**m.notices, notice_id: n}
        found, wanted = await _reconcile(hl, uow, m, m.zones, notices, f"re-checked after notice {notice_id}")
        late = late_finding(n, uow.now, table)
        if late is not None:
            d = late.to_dict()
            found += fnd.decide_raise(hl.world, await uow.load(fnd.KIND, fnd.agg_id(fnd.finding_id(d))), d,
                                      [n.party], uow.now)
        m.notices, m.open = notices, wanted
        return events + found

    events, state = await _submit(hl, handle, lambda uow: uow.peek(ntc.agg_id(notice_id)))
    return state, bool(events)


async def check_notice(hl: Hotline, who: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
    """A dry run: what filing this notice now would find. Writes nothing."""
    n = parse_notice(hl, who, body, check_id(str(body.get("id") or "dry-run")))
    m = await model(hl)
    now = hl.clock()
    found = [f.to_dict() for f in m.engine_for(now, _buffer_m(hl)).check(n)]
    late = late_finding(n, now, lead_times(hl))
    if late is not None:
        found.append(late.to_dict())
    lead = lead_time_check(n.type, now, n.start, lead_times(hl))
    return {"findings": found, "lead_time": ntc.lead_record(lead), "statement": ntc.STATEMENT}


async def notice_action(hl: Hotline, who: Principal, cmd: ntc.Response) -> tuple[dict[str, Any], bool]:
    """Acknowledge, query, answer or object to a notice; findings do not change."""
    notice_id = cmd.notice_id

    async def handle(uow: UnitOfWork) -> list[Pending]:
        return ntc.decide(hl.world, who, await uow.load(ntc.KIND, ntc.agg_id(notice_id)), cmd, uow.now)

    events, state = await _submit(hl, handle, lambda uow: uow.peek(ntc.agg_id(notice_id)))
    return state, bool(events)


async def withdraw_notice(hl: Hotline, who: Principal, notice_id: str, reason: str) -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        m = await within(hl, uow)
        state = await uow.load(ntc.KIND, ntc.agg_id(notice_id))
        events = ntc.decide_withdraw(hl.world, who, state, notice_id, reason)
        if not events:
            return []
        notices = {k: v for k, v in m.notices.items() if k != notice_id}
        found, wanted = await _reconcile(hl, uow, m, m.zones, notices, f"notice {notice_id} withdrawn")
        m.notices, m.open = notices, wanted
        return events + found

    events, state = await _submit(hl, handle, lambda uow: uow.peek(ntc.agg_id(notice_id)))
    return state, bool(events)


async def _zone_events(hl: Hotline, uow: UnitOfWork, m: Model, events: list[Pending]) -> list[Pending]:
    """After zone events: if one activated a version, re-check every notice against the new zones."""
    zones = dict(m.zones)
    for e in events:
        if e.type == "zone.activated":
            zones[e.payload["zone_id"]] = zone_from_feature(e.payload["feature"])
    if zones == m.zones:
        return events
    found, wanted = await _reconcile(hl, uow, m, zones, m.notices, "re-checked after a zone changed")
    m.zones, m.open = zones, wanted
    return events + found


async def propose_zone(hl: Hotline, who: Principal, features: list[Mapping[str, Any]], note: str
                       ) -> list[dict[str, Any]]:
    """Propose one or more zone versions, all or none; returns the zones' states."""
    require_speaker(who, "propose zones")
    require_role(who, "supervisor", action="propose zones")
    normalised = []
    for i, f in enumerate(features):
        field = "feature" if len(features) == 1 else f"features[{i}]"
        normalised.append(zag.normalise_feature(f, field))  # refuse bad input before the writer is asked
    ids = [str(f["id"]) for f in normalised]
    if len(set(ids)) != len(ids):
        raise Invalid("Each zone may be proposed once per request; ids repeat.", field="features")

    async def handle(uow: UnitOfWork) -> list[Pending]:
        m = await within(hl, uow)
        events: list[Pending] = []
        for f in normalised:
            state = await uow.load(zag.KIND, zag.agg_id(str(f["id"])))
            events += zag.decide_propose(hl.world, who, state, f, new_id("zp"), note, uow.now)
        return await _zone_events(hl, uow, m, events)

    _, states = await _submit(hl, handle, lambda uow: [uow.peek(zag.agg_id(i)) for i in ids])
    return list(states)


async def decide_zone(hl: Hotline, who: Principal, zone_id: str, proposal_id: str, accept: bool,
                      reason: str = "") -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        m = await within(hl, uow)
        state = await uow.load(zag.KIND, zag.agg_id(zone_id))
        if accept:
            events = zag.decide_accept(hl.world, who, state, zone_id, proposal_id, uow.now)
        else:
            events = zag.decide_reject(hl.world, who, state, zone_id, proposal_id, reason, uow.now)
        return await _zone_events(hl, uow, m, events)

    events, state = await _submit(hl, handle, lambda uow: uow.peek(zag.agg_id(zone_id)))
    return state, bool(events)


async def ack_finding(hl: Hotline, who: Principal, finding_id: str, note: str) -> tuple[dict[str, Any], bool]:
    async def handle(uow: UnitOfWork) -> list[Pending]:
        state = await uow.load(fnd.KIND, fnd.agg_id(finding_id))
        return fnd.decide_ack(hl.world, who, state, finding_id, note, uow.now)

    events, state = await _submit(hl, handle, lambda uow: uow.peek(fnd.agg_id(finding_id)))
    return state, bool(events)


async def seed_zones(hl: Hotline, features: Iterable[Mapping[str, Any]]) -> int:
    """Record the world's agreed zones once; zones already in the record are left as they are."""
    feats = list(features)

    async def handle(uow: UnitOfWork) -> list[Pending]:
        existing = {str(f["id"]) for f in feats if await uow.load(zag.KIND, zag.agg_id(str(f["id"]))) is not None}
        return zag.seed(hl.world, feats, existing)

    events, _ = await hl.writer.submit(handle)
    return len(events)


async def list_of(hl: Hotline, who: Principal, kind: str, limit: int = 1000) -> list[dict[str, Any]]:
    chans = hl.world.channels_of(who.party)
    async with hl.db.read() as conn:
        return await list_aggregates(conn, kind, chans, limit=limit)


async def get_one(hl: Hotline, who: Principal, kind: str, agg: str, label: str) -> dict[str, Any]:
    from hotline.store.ledger import load_aggregate

    async with hl.db.read() as conn:
        state = await load_aggregate(conn, kind, agg)
    if state is None or state["channel"] not in hl.world.channels_of(who.party):
        raise NotFound(f"No {label} {agg.split(':', 1)[1]!r} is visible to you.", field=f"{label}_id")
    return state


async def zones_collection(hl: Hotline, who: Principal, *, proposals: bool = True) -> dict[str, Any]:
    """Active zones and, as status "proposed", the open proposals: a GeoJSON FeatureCollection."""
    features = []
    for state in sorted(await list_of(hl, who, zag.KIND, 100_000), key=lambda s: s["seq"]):
        if state["active"] is not None:
            f = dict(state["active"])
            f["properties"] = {**f["properties"], "version": state["version"]}
            features.append(f)
        if proposals and state["proposal"] is not None:
            pf = zag.proposed_feature(state)
            assert pf is not None
            if state["active"] is not None:
                pf["id"] = f"{pf['id']}~proposed"  # the proposal is drawn beside the version in force
                pf["properties"]["zone_id"] = state["zone_id"]
            features.append(pf)
    return {"type": "FeatureCollection", "features": features}
