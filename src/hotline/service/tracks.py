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
from hotline.ledger.envelope import Event
from hotline.ledger.merkle import MerkleTree, leaf_hash
from hotline.store import tracks as store
from hotline.tasks import cancel_and_wait

from .notice_index import Model, followed
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
    restored: bool = False  # the tracker rebuilt from the track store (once, at the first check)
    fence_zones: dict[str, Zone] = field(default_factory=dict)
    fence_model: Model | None = None  # the index and its ``zones_changed`` the fences were built from
    fence_version: int = -1
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
    return trk.positions_from_dicts(hl.world, party, bodies, now)


async def ingest(hl: Hotline, party: str, bodies: Sequence[Mapping[str, Any]]) -> list[trk.Position]:
    """Validate, store, check and publish ``party``'s positions; returns them as stored."""
    positions = parse_positions(hl, party, bodies, hl.clock())
    await ingest_valid(hl, positions)
    return positions


async def ingest_valid(hl: Hotline, positions: Sequence[trk.Position]) -> None:
    """Store, check and publish positions already validated by ``parse_positions``."""
    if not positions:
        return
    # The record keeps microseconds; the point says when it was received as the record spells it.
    received = parse_iso(iso(hl.clock()))
    uids, parties, channels, times = ([p.uid for p in positions], [p.party for p in positions],
                                      [p.channel for p in positions], [p.time for p in positions])
    ms = {t: int(t.timestamp() * 1000) for t in set(times)}
    rows = zip(uids, parties, channels, map(ms.__getitem__, times), trk.point_texts(positions, received),
               strict=True)  # an iterator: the store consumes it row by row
    # The fences first: an alert should not wait for the track store's commit (the finding names the
    # track, the zone and the place, so it stands on its own if the points were lost in a crash).
    await check(hl, positions)
    async with hl.db.write() as conn:
        await store.append_rows(conn, rows)
    for listener in list(live(hl).listeners):
        try:
            listener(list(positions))
        except Exception:
            log.exception("track listener failed")


async def _fences(hl: Hotline) -> tuple[Fences, dict[str, Zone], Any]:
    m = await followed(hl)
    state = live(hl)
    # The index counts its zone changes, so a batch compares two numbers: comparing 2,000 zones by
    # value cost more than the fence check itself, and even by identity ~0.6 us a position.
    if state.fences is None or state.fence_model is not m or state.fence_version != m.zones_changed:
        hyst = float(_settings(hl).get("hysteresis_m", 150.0))
        state.fence_model, state.fence_version = m, m.zones_changed
        state.fence_zones = dict(m.zones)
        state.fences = Fences(list(m.zones.values()), hysteresis_m=hyst)
        if not state.restored:
            state.restored = True
            await _restore(hl, state.fences, state.tracker)
    return state.fences, state.fence_zones, m


async def _restore(hl: Hotline, fences: Fences, tracker: Tracker) -> None:
    """Rebuild the tracker from the last ``restore_s`` of the track store, raising nothing.

    The tracker (who is inside what, since when) lives in this process. Every stored point was
    checked before it was stored, and what the check decided is in the ledger, so replaying the
    recent points and dropping their transitions brings back the state as of the last point: after a
    restart a track already inside does not enter again (no second finding), and one that leaves is
    recorded leaving. A track inside for longer than the window counts as inside since the window's
    start (its ``track.zone_exited`` then understates the time inside)."""
    window = timedelta(seconds=float(_settings(hl).get("restore_s", 300.0)))
    now = hl.clock()
    async with hl.db.read() as conn:
        points = await store.window(conn, list(hl.world.channels), uid=None,
                                    start_ms=int((now - window).timestamp() * 1000),
                                    end_ms=int((now + trk.MAX_FUTURE).timestamp() * 1000), limit=2_000_000)
    for start in range(0, len(points), MAX_BATCH):
        chunk = points[start:start + MAX_BATCH]
        tracker.observe_batch(fences, [p["uid"] for p in chunk], [parse_iso(p["time"]) for p in chunk],
                              [p["lon"] for p in chunk], [p["lat"] for p in chunk], [p["hae"] for p in chunk],
                              [trk.is_air(p["type"]) for p in chunk])
    if points:
        log.info("tracks: tracker restored from %d points of the last %s", len(points), window)


async def check(hl: Hotline, positions: Sequence[trk.Position]) -> list[Event]:
    """Check positions against the fences; record entries and exits. Returns the events written."""
    fences, zones, m = await _fences(hl)  # every zone of the model: a track may leave one just deactivated
    tracker = live(hl).tracker
    found = tracker.observe_batch(fences, *trk.fence_columns(positions))
    pending = [(positions[i], t) for i, t in found if t.zone in zones and zones[t.zone].binding(positions[i].party)]
    if not pending:
        return []
    notices = list(m.notices.values())
    # Decided before the writer (it depends on no stored state), so the findings' aggregates are read
    # in one query with the batch instead of one query each inside the write transaction.
    decided = [_transition(hl, zones[t.zone], p, t, notices) for p, t in pending]
    keys = tuple(fnd.agg_id(fnd.finding_id(d[0])) for d in decided if isinstance(d, tuple))

    async def handle(uow: UnitOfWork) -> list[Pending]:
        out: list[Pending] = []
        for d in decided:
            if isinstance(d, tuple):
                finding, concerned = d
                state = await uow.load(fnd.KIND, fnd.agg_id(fnd.finding_id(finding)))
                out += fnd.decide_raise(hl.world, state, finding, concerned, uow.now)
            else:
                out.append(d)
        return out

    events, _ = await hl.writer.submit(handle, keys=keys)
    return list(events)


def _where(p: trk.Position) -> dict[str, float]:
    return {"lat": round(p.lat, 6), "lon": round(p.lon, 6), "hae": p.hae}


def _transition(hl: Hotline, zone: Zone, p: trk.Position, t: Transition, notices: Sequence[Any]
                ) -> Pending | tuple[dict[str, Any], set[str]]:
    """The event of an exit or a notified entry, or the finding (and the parties concerned) of an entry
    without a notice."""
    name = zone.names.get("en", zone.id)
    track = {"uid": p.uid, "callsign": p.callsign, "type": p.type, "channel": p.channel}
    if t.kind == "exited":
        minutes = (t.at - t.since).total_seconds()
        return Pending(p.channel, "track.zone_exited", p.party, SYSTEM,
                       {"track": track, "zone": zone.id, "where": _where(p), "entered": iso(t.since),
                        "exited": iso(t.at), "inside_s": int(minutes)})
    notice = notified_by(zone, notices, p.party, p.lon, p.lat, p.hae, t.at)
    if notice is not None:
        return Pending(p.channel, "track.zone_entered", p.party, SYSTEM,
                       {"track": track, "zone": zone.id, "where": _where(p), "entered": iso(t.since),
                        "notice": notice.id})
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
    return finding, concerned


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


def _root(texts: Sequence[str]) -> str:
    """``batch_root`` of the stored points. The store holds each point as its canonical JSON text
    (``point_texts``), so the leaves hash those bytes as they are: parsing and re-encoding a minute of
    points (60,000 at 1,000 tracks) held the event loop, and every alert behind it, for seconds. A
    stored text that is not canonical (edited in the database) gives a root the exported points do
    not reproduce, which ``hotline verify`` reports."""
    return MerkleTree(leaf_hash(t.encode()) for t in texts).root().hex()


async def seal(hl: Hotline, limit: int = 100_000) -> list[str]:
    """Seal every unsealed point into ``track.batch_sealed`` events; returns the batch ids."""
    async with hl.db.read() as conn:
        rows = await store.unsealed(conn, limit)
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for pid, party, channel, text in rows:
        groups.setdefault((party, channel), []).append((pid, text))
    done = []
    for (party, channel), items in groups.items():
        batch_id = f"tb-{uuid.uuid4().hex[:20]}"
        texts = [t for _, t in items]
        times = sorted(orjson.loads(t)["time"] for t in texts)
        ev = trk.seal_event(hl.world, party, channel, batch_id, len(texts), times[0], times[-1], _root(texts))
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
