"""Tracks: a party's moving objects and their positions, validated before anything is stored.

A track is named by its CoT ``uid`` and belongs to the party that reports it. Each position carries
the CoT point (lat, lon, hae, ce, le), course, speed, the time it was observed and the time it goes
stale, and its releasability: the channel it is shared in. Visibility is per channel, as for every
other record, so "released to the mediator only" is the party's channel with the mediator, and a
party that is not a member of that channel sees the track on no path (API, stream, map, CoT).

Positions are not ledger events (there are too many): the track store keeps them, and every sealing
interval the points of each (party, channel) are sealed into the ledger as one ``track.batch_sealed``
event carrying the count, the time span and the Merkle root over the points' canonical bytes (see
``hotline.ledger.track_batches``). This module only decides what a valid position is and what the
seal event says; it does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from hotline.ledger.envelope import canonical

from .errors import Invalid
from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["Position", "position_from_dict", "positions_from_dicts", "point_record", "point_texts", "seal_event",
           "is_air", "MAX_FUTURE", "MAX_STALE", "SEAL_TYPE"]

SEAL_TYPE = "track.batch_sealed"
# A clock on a handset may run a little ahead; more than this is a bad clock or a forged point.
MAX_FUTURE = timedelta(seconds=60)
MAX_PAST = timedelta(hours=24)
MAX_STALE = timedelta(days=1)
_UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
_TYPE = re.compile(r"^a-[fhnuapsjko](-[A-Za-z0-9]{1,8}){0,8}$")
_CALLSIGN_MAX = 64
_HAE_RANGE = (-500.0, 30_000.0)
_ERR_MAX = 9_999_999.0  # CoT's "unknown" ce/le


@dataclass(frozen=True, slots=True)
class Position:
    """One observed position of one track (times UTC)."""

    uid: str
    party: str
    channel: str
    type: str
    callsign: str
    lat: float
    lon: float
    hae: float
    ce: float
    le: float
    course: float | None
    speed: float | None
    time: datetime
    stale: datetime

    @property
    def air(self) -> bool:
        """A CoT air track (``a-?-A...``): its altitude counts against an airspace band."""
        return is_air(self.type)

    def to_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, "party": self.party, "channel": self.channel, "type": self.type,
                "callsign": self.callsign, "lat": self.lat, "lon": self.lon, "hae": self.hae, "ce": self.ce,
                "le": self.le, "course": self.course, "speed": self.speed, "time": iso(self.time),
                "stale": iso(self.stale)}


def is_air(cot_type: str) -> bool:
    parts = cot_type.split("-")
    return len(parts) > 2 and parts[2] == "A"


def _num(d: Mapping[str, Any], key: str, lo: float, hi: float, *, optional: bool = False,
         default: float | None = None) -> float | None:
    v = d.get(key, default)
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not (lo <= v <= hi) or v != v:
        raise Invalid(f"{key} must be a number from {lo:g} to {hi:g}, not {v!r}.", field=key)
    return float(v)


def _time(d: Mapping[str, Any], key: str) -> datetime:
    v = d.get(key)
    try:
        if not isinstance(v, str):
            raise ValueError
        return parse_iso(v)
    except ValueError:
        raise Invalid(f"{key} must be an ISO 8601 time with a zone, such as 2026-11-29T04:00:00Z.",
                      field=key) from None


def position_from_dict(world: World, party: str, d: Mapping[str, Any], now: datetime) -> Position:
    """A valid position of ``party``'s track, or ``Invalid`` naming the field at fault.

    ``party`` comes from the session or the client certificate, never from ``d``; a body naming
    another party is refused rather than silently corrected.
    """
    if not isinstance(d, Mapping):
        raise Invalid("A position must be an object.", field="position")
    if "party" in d and d["party"] != party:
        raise Invalid(f"A position is reported by its own party ({party}); it may not name {d['party']!r}.",
                      field="party")
    uid = d.get("uid")
    if not isinstance(uid, str) or not _UID.match(uid):
        raise Invalid("uid must be 1 to 128 letters, digits, '.', '_', ':' or '-'.", field="uid")
    typ = d.get("type", "a-f-G")
    if not isinstance(typ, str) or not _TYPE.match(typ):
        raise Invalid(f"type must be a CoT atom type such as a-f-A-M-F-Q or a-f-G-U-C, not {typ!r}.",
                      field="type")
    callsign = d.get("callsign", uid)
    if not isinstance(callsign, str) or not (0 < len(callsign) <= _CALLSIGN_MAX):
        raise Invalid(f"callsign must be 1 to {_CALLSIGN_MAX} characters.", field="callsign")
    channel = d.get("channel")
    if channel is None:  # by default shared with every party of the joint channel
        channel = world.common_channel
    if not isinstance(channel, str) or channel not in world.channels or party not in world.channels[channel].members:
        raise Invalid(f"channel must be a channel {party} belongs to: "
                      f"{', '.join(sorted(world.channels_of(party)))}.", field="channel")
    lat = _num(d, "lat", -90.0, 90.0)
    lon = _num(d, "lon", -180.0, 180.0)
    hae = _num(d, "hae", *_HAE_RANGE, default=0.0)
    ce = _num(d, "ce", 0.0, _ERR_MAX, default=_ERR_MAX)
    le = _num(d, "le", 0.0, _ERR_MAX, default=_ERR_MAX)
    course = _num(d, "course", 0.0, 360.0, optional=True)
    speed = _num(d, "speed", 0.0, 1_500.0, optional=True)
    time = _time(d, "time") if "time" in d else now
    if time > now + MAX_FUTURE:
        raise Invalid(f"time lies {int((time - now).total_seconds())} s in the future; at most "
                      f"{int(MAX_FUTURE.total_seconds())} s are tolerated.", field="time")
    if time < now - MAX_PAST:
        raise Invalid("time lies more than a day in the past.", field="time")
    stale = _time(d, "stale") if "stale" in d else time + timedelta(minutes=2)
    if stale <= time:
        raise Invalid("stale must come after time.", field="stale")
    if stale > time + MAX_STALE:
        raise Invalid("stale may lie at most a day after time.", field="stale")
    assert lat is not None and lon is not None and hae is not None and ce is not None and le is not None
    return Position(uid, party, channel, typ, callsign, lat, lon, hae, ce, le, course, speed, time, stale)


def point_record(p: Position, received: datetime) -> dict[str, Any]:
    """The stored and sealed form of a position: what the Merkle leaf is computed over."""
    return {**p.to_dict(), "received": iso(received)}


def seal_event(world: World, party: str, channel: str, batch_id: str, count: int, first: str, last: str,
               root: str) -> Pending:
    """``track.batch_sealed``: the ledger's record of one batch of a party's points in one channel."""
    if channel not in world.channels or party not in world.channels[channel].members:
        raise Invalid(f"Party {party} is not a member of channel {channel}.", field="channel")
    return Pending(channel, SEAL_TYPE, party, SYSTEM,
                   {"batch_id": batch_id, "party": party, "count": count, "first": first, "last": last,
                    "root": root})


# -- the batch path: the same rules as ``position_from_dict``, without its per-call overheads --------

class _Slow(Exception):
    """The fast path cannot decide this body; ``position_from_dict`` does (and names the field)."""


def _fast_num(v: Any, lo: float, hi: float) -> float:
    # ``type() is`` excludes bool (a subclass of int); NaN fails both comparisons.
    if (type(v) is float or type(v) is int) and lo <= v <= hi:
        return float(v)
    raise _Slow


def _fast_code(v: Any, pattern: re.Pattern[str], seen: set[str]) -> str:
    # A uid or a CoT type repeats across a batch: its pattern is matched once per batch.
    if type(v) is not str:
        raise _Slow
    if v not in seen:
        if not pattern.match(v):
            raise _Slow
        seen.add(v)
    return v


def _fast_when(text: Any, times: dict[str, datetime]) -> datetime:
    # The reports of one second share their time text: each distinct text is parsed once per batch.
    when = times.get(text) if type(text) is str else None
    if when is None:
        when = times[text] = _fast_time(text)
    return when


def positions_from_dicts(world: World, party: str, bodies: Sequence[Any], now: datetime) -> list[Position]:
    """``position_from_dict`` for a batch; the first bad body raises ``Invalid`` with ``positions[i].field``.

    Validity is decided exactly as ``position_from_dict`` decides it: any body the fast path below is not
    sure of goes to ``position_from_dict`` itself. Faster because what repeats across a batch (a track's
    uid and type, the times of a second's reports) is checked and parsed once per batch, not per point.
    """
    common = world.common_channel
    mine = frozenset(c for c in world.channels if party in world.channels[c].members)
    seen_uid: set[str] = set()
    seen_type: set[str] = {"a-f-G"}
    times: dict[str, datetime] = {}
    earliest, latest = now - MAX_PAST, now + MAX_FUTURE
    two_min = timedelta(minutes=2)
    out: list[Position] = []
    for i, d in enumerate(bodies):
        try:
            if type(d) is not dict or ("party" in d and d["party"] != party):
                raise _Slow
            get = d.get
            uid = _fast_code(get("uid"), _UID, seen_uid)
            typ = _fast_code(get("type", "a-f-G"), _TYPE, seen_type)
            callsign = get("callsign", uid)
            if type(callsign) is not str or not 0 < len(callsign) <= _CALLSIGN_MAX:
                raise _Slow
            channel = get("channel")
            if channel is None:
                channel = common
            if type(channel) is not str or channel not in mine:
                raise _Slow
            lat = _fast_num(get("lat"), -90.0, 90.0)
            lon = _fast_num(get("lon"), -180.0, 180.0)
            hae = _fast_num(get("hae", 0.0), *_HAE_RANGE)
            ce = _fast_num(get("ce", _ERR_MAX), 0.0, _ERR_MAX)
            le = _fast_num(get("le", _ERR_MAX), 0.0, _ERR_MAX)
            course = get("course")
            if course is not None:
                course = _fast_num(course, 0.0, 360.0)
            speed = get("speed")
            if speed is not None:
                speed = _fast_num(speed, 0.0, 1_500.0)
            if "time" in d:
                time = _fast_when(d["time"], times)
                if not earliest <= time <= latest:
                    raise _Slow
            else:
                time = now
            if "stale" in d:
                stale = _fast_when(d["stale"], times)
                if not time < stale <= time + MAX_STALE:
                    raise _Slow
            else:
                stale = time + two_min
            out.append(Position(uid, party, channel, typ, callsign, lat, lon, hae, ce, le, course, speed, time, stale))
        except _Slow:
            try:
                out.append(position_from_dict(world, party, d, now))
            except Invalid as e:
                raise Invalid(e.detail, field=f"positions[{i}].{e.field}") from e
    return out


def _fast_time(text: Any) -> datetime:
    if type(text) is not str:
        raise _Slow
    try:
        return parse_iso(text)
    except ValueError:
        raise _Slow from None


# orjson writes the RFC 8785 bytes of these records when every number is an int (an integral float
# written as an int, as ECMAScript does) or a float of magnitude >= 1e-5 (below that ECMAScript writes
# 0.000001 where orjson writes 1e-6); the keys are ASCII and inserted in sorted order. Any other record
# goes through the reference encoder (``ledger.envelope.canonical``).
def _jnum(v: float | None) -> float | int | None:
    if v is None:
        return None
    if v.is_integer():
        return int(v)
    if -1e-5 < v < 1e-5:
        raise _Slow
    return v


def point_texts(positions: Sequence[Position], received: datetime) -> list[str]:
    """The canonical JSON (RFC 8785) text of each position's ``point_record``, as stored and sealed."""
    rec = iso(received)
    isos: dict[datetime, str] = {}
    out: list[str] = []
    for p in positions:
        t = isos.get(p.time)
        if t is None:
            t = isos[p.time] = iso(p.time)
        s = isos.get(p.stale)
        if s is None:
            s = isos[p.stale] = iso(p.stale)
        try:
            record = {"callsign": p.callsign, "ce": _jnum(p.ce), "channel": p.channel, "course": _jnum(p.course),
                      "hae": _jnum(p.hae), "lat": _jnum(p.lat), "le": _jnum(p.le), "lon": _jnum(p.lon),
                      "party": p.party, "received": rec, "speed": _jnum(p.speed), "stale": s, "time": t,
                      "type": p.type, "uid": p.uid}
            out.append(orjson.dumps(record).decode())
        except (_Slow, orjson.JSONEncodeError):  # a tiny number, a lone surrogate in a callsign
            out.append(canonical(point_record(p, received)).decode())
    return out
