"""Use cases of the live picture: take positions in, check them against the fences, seal batches.

The pipeline of one batch of positions reads top to bottom in ``ingest``: validate every position
(``position_from_dict``; one bad position refuses the batch and nothing is written) -> append them to
the track store (not the ledger) -> check them all at once against the fences (``geo.geofence``) and
the filing party's own active notices -> a zone entered without a notice raises a finding
(``geofence.entered``, acknowledged like a FLASH); with one, or on leaving, a ``track.zone_entered``/
``track.zone_exited`` event records it -> hand the positions to live listeners (the CoT gateway).

Releasability is the position's channel: findings about a track are raised in a channel no wider than
the track's own, so a track released to the mediator only is never described to the other party.

``Sealer`` seals the unsealed points every ``interval`` into ``track.batch_sealed`` events (one per
party and channel), marking the points in the same transaction, so a point is sealed exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from hotline.domain import findings as fnd
from hotline.domain import tracks as trk
from hotline.domain.errors import Invalid
from hotline.domain.events import SYSTEM, Pending
from hotline.domain.timefmt import iso, parse_iso
from hotline.geo.geofence import Fences, Tracker, Transition, notified_by
from hotline.geo.zones import Zone
from hotline.ledger.envelope import Event, canonical
from hotline.ledger.track_batches import batch_root
from hotline.store import tracks as store
from hotline.tasks import cancel_and_wait

from .notice_index import model
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .hotline import Hotline

__all__ = ["Live", "live", "ingest", "ingest_valid", "parse_positions", "seal", "history", "current", "Sealer", "RULE"]

log = logging.getLogger("hotline.tracks")
RULE = "geofence.entered"
MAX_BATCH = 5000


@dataclass
class Live:
    """This process's live picture: fences built from the zones, the tracker, and who listens."""

    tracker: Tracker
    fences: Fences | None = None
    fence_zones: dict[str, Zone] = field(default_factory=dict)
    listeners: list[Callable[[list[trk.Position]], None]] = field(default_factory=list)


_LIVE: weakref.WeakKeyDictionary[Hotline, Live] = weakref.WeakKeyDictionary()


def _settings(hl: Hotline) -> dict[str, Any]:
    return dict(hl.world.settings.get("tracks", {}))


def live(hl: Hotline) -> Live:
    state = _LIVE.get(hl)
    if state is None:
        dwell = float(_settings(hl).get("dwell_s", 5.0))
        state = _LIVE[hl] = Live(Tracker(timedelta(seconds=dwell)))
    return state


def parse_positions(hl: Hotline, party: str, bodies: Sequence[Mapping[str, Any]], now: datetime
                    ) -> list[trk.Position]:
    if not 0 < len(bodies) <= MAX_BATCH:
        raise Invalid(f"Send 1 to {MAX_BATCH} positions at a time.", field="positions")
    out = []
    for i, body in enumerate(bodies):
        try:
            out.append(trk.position_from_dict(hl.world, party, body, now))
        except Invalid as e:
            raise Invalid(e.detail, field=f"positions[{i}].{e.field}") from e
    return out


async def ingest(hl: Hotline, party: str, bodies: Sequence[Mapping[str, Any]]) -> list[trk.Position]:
    """Validate, store, check and publish ``party``'s positions; returns them as stored."""
    positions = parse_positions(hl, party, bodies, hl.clock())
    await ingest_valid(hl, positions)
    return positions


async def ingest_valid(hl: Hotline, positions: Sequence[trk.Position]) -> None:
    """Store, check and publish positions already validated by ``parse_positions``."""
    if not positions:
        return
    received = iso(hl.clock())
    rows = [{"uid": p.uid, "party": p.party, "channel": p.channel, "time_ms": int(p.time.timestamp() * 1000),
             "point": canonical(trk.point_record(p, parse_iso(received))).decode()} for p in positions]
    # The fences first: an alert should not wait for the track store's commit (the finding names the
    # track, the zone and the place, so it stands on its own if the points were lost in a crash).
    await check(hl, positions)
    async with hl.db.write() as conn:
        await store.append(conn, rows)
    for listener in list(live(hl).listeners):
        try:
            listener(list(positions))
        except Exception:
            log.exception("track listener failed")


async def _fences(hl: Hotline) -> tuple[Fences, dict[str, Zone], Any]:
    m = await model(hl)
    state = live(hl)
    if state.fences is None or state.fence_zones != m.zones:
        hyst = float(_settings(hl).get("hysteresis_m", 150.0))
        state.fence_zones = dict(m.zones)
        state.fences = Fences(list(m.zones.values()), hysteresis_m=hyst)
    return state.fences, state.fence_zones, m


async def check(hl: Hotline, positions: Sequence[trk.Position]) -> list[Event]:
    """Check positions against the fences; record entries and exits. Returns the events written."""
    fences, _, m = await _fences(hl)
    tracker = live(hl).tracker
    zones = {z.id: z for z in fences.zones}
    found = tracker.observe_batch(fences, [p.uid for p in positions], [p.time for p in positions],
                                  [p.lon for p in positions], [p.lat for p in positions],
                                  [p.hae for p in positions], [p.air for p in positions])
    pending = [(positions[i], t) for i, t in found if zones[t.zone].binding(positions[i].party)]
    if not pending:
        return []
    notices = list(m.notices.values())

    async def handle(uow: UnitOfWork) -> list[Pending]:
        out: list[Pending] = []
        for p, t in pending:
            out += await _transition(hl, uow, zones[t.zone], p, t, notices)
        return out

    events, _ = await hl.writer.submit(handle)
    return list(events)


def _where(p: trk.Position) -> dict[str, float]:
    return {"lat": round(p.lat, 6), "lon": round(p.lon, 6), "hae": p.hae}


async def _transition(hl: Hotline, uow: UnitOfWork, zone: Zone, p: trk.Position, t: Transition,
                      notices: Sequence[Any]) -> list[Pending]:
    name = zone.names.get("en", zone.id)
    track = {"uid": p.uid, "callsign": p.callsign, "type": p.type, "channel": p.channel}
    if t.kind == "exited":
        minutes = (t.at - t.since).total_seconds()
        return [Pending(p.channel, "track.zone_exited", p.party, SYSTEM,
                        {"track": track, "zone": zone.id, "where": _where(p), "entered": iso(t.since),
                         "exited": iso(t.at), "inside_s": int(minutes)})]
    notice = notified_by(zone, notices, p.party, p.lon, p.lat, p.hae, t.at)
    if notice is not None:
        return [Pending(p.channel, "track.zone_entered", p.party, SYSTEM,
                        {"track": track, "zone": zone.id, "where": _where(p), "entered": iso(t.since),
                         "notice": notice.id})]
    members = set(hl.world.channels[p.channel].members)
    concerned = (set(zone.binds) | {p.party}) & members  # never wider than the track is released
    finding = {
        "rule": RULE, "parties": [p.party], "notices": [], "zone": zone.id,
        "where": {"lat": round(p.lat, 6), "lon": round(p.lon, 6)},
        "when": {"start": iso(t.since), "end": iso(t.since + timedelta(days=1))},
        "by_how_much": {"hae_m": p.hae, "inside_s": int((t.at - t.since).total_seconds())},
        "explanation": (f"Track {p.callsign} ({p.uid}, {p.type}) of {p.party} entered {name} at {iso(t.since)} "
                        f"at {p.lat:.5f}, {p.lon:.5f}, {p.hae:.0f} m, without a notice covering it; still inside "
                        f"at {iso(t.at)}."),
        "track": track,
    }
    fid = fnd.finding_id(finding)
    return fnd.decide_raise(hl.world, await uow.load(fnd.KIND, fnd.agg_id(fid)), finding, concerned, uow.now)


async def history(hl: Hotline, party: str | None, *, uid: str | None, start: datetime, end: datetime,
                  limit: int = 10_000) -> list[dict[str, Any]]:
    """The points of tracks visible to ``party`` observed in [start, end], oldest first."""
    if end < start:
        raise Invalid("end lies before start.", field="end")
    chans = hl.world.channels_of(party)
    async with hl.db.read() as conn:
        return await store.window(conn, chans, uid=uid, start_ms=int(start.timestamp() * 1000),
                                  end_ms=int(end.timestamp() * 1000), limit=limit)


async def current(hl: Hotline, party: str | None, *, within: timedelta = timedelta(minutes=15)
                  ) -> list[dict[str, Any]]:
    """The latest point of each track visible to ``party`` seen in the last ``within``; stale ones marked."""
    now = hl.clock()
    latest: dict[str, dict[str, Any]] = {}
    for p in await history(hl, party, uid=None, start=now - within, end=now + trk.MAX_FUTURE, limit=100_000):
        latest[p["uid"]] = p
    return [{**p, "is_stale": parse_iso(p["stale"]) <= now} for p in latest.values()]


async def seal(hl: Hotline, limit: int = 100_000) -> list[str]:
    """Seal every unsealed point into ``track.batch_sealed`` events; returns the batch ids."""
    async with hl.db.read() as conn:
        rows = await store.unsealed(conn, limit)
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for pid, party, channel, text in rows:
        groups.setdefault((party, channel), []).append((pid, text))
    done = []
    for (party, channel), items in groups.items():
        points = [orjson.loads(t) for _, t in items]
        batch_id = f"tb-{uuid.uuid4().hex[:20]}"
        times = sorted(p["time"] for p in points)
        ev = trk.seal_event(hl.world, party, channel, batch_id, len(points), times[0], times[-1], batch_root(points))
        ids = [pid for pid, _ in items]

        async def handle(uow: UnitOfWork, ev: Pending = ev, ids: list[int] = ids, batch_id: str = batch_id
                         ) -> list[Pending]:
            await store.mark_sealed(uow.conn, batch_id, ids)  # same transaction as the event
            return [ev]

        await hl.writer.submit(handle)
        done.append(batch_id)
    return done


class Sealer:
    """Seals track batches every ``interval`` seconds while the service runs."""

    def __init__(self, hl: Hotline) -> None:
        self.hl = hl
        self.interval = float(_settings(hl).get("seal_interval_s", 60.0))
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="track-sealer")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        try:
            await seal(self.hl)  # what arrived since the last interval
        except Exception:
            log.exception("sealing track points at shutdown failed")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await seal(self.hl)
            except Exception:
                log.exception("sealing track points failed; the points stay unsealed and are retried")
