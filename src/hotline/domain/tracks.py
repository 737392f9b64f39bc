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
from datetime import datetime, timedelta
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from hotline.ledger.envelope import canonical

from .errors import Invalid
from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["Position", "position_from_dict", "positions_from_dicts", "fence_columns", "point_record", "point_texts",
           "seal_event",
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
# The bounds of a position's numbers, one place for the three paths that check them (one body, a
# batch body by body, a batch column by column), which must agree.
_LAT, _LON = (-90.0, 90.0), (-180.0, 180.0)
_ERR = (0.0, _ERR_MAX)
_COURSE, _SPEED = (0.0, 360.0), (0.0, 1_500.0)


class Position(NamedTuple):
    """One observed position of one track (times UTC).

    A named tuple rather than a frozen dataclass: a batch of a thousand is built from its columns in
    one C-level pass (``_make``), where a frozen dataclass's ``__init__`` cost ~0.9 us a position, a
    third of validating it."""

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
    lat = _num(d, "lat", *_LAT)
    lon = _num(d, "lon", *_LON)
    hae = _num(d, "hae", *_HAE_RANGE, default=0.0)
    ce = _num(d, "ce", *_ERR, default=_ERR_MAX)
    le = _num(d, "le", *_ERR, default=_ERR_MAX)
    course = _num(d, "course", *_COURSE, optional=True)
    speed = _num(d, "speed", *_SPEED, optional=True)
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


def fence_columns(positions: Sequence[Position]) -> tuple[Sequence[str], Sequence[datetime], Sequence[float],
                                                          Sequence[float], Sequence[float], list[bool]]:
    """(uids, times, lons, lats, haes, air) of a batch, as ``Tracker.observe_batch`` takes them: one
    transposition of the tuples, and ``is_air`` once per distinct CoT type."""
    if not positions:
        return [], [], [], [], [], []
    uid, typ, lat, lon, hae, time = _columns(positions, _UID_AT, _TYPE_AT, _LAT_AT, _LON_AT, _HAE_AT, _TIME_AT)
    air = {t: is_air(t) for t in set(typ)}
    return uid, time, lon, lat, hae, list(map(air.__getitem__, typ))


_UID_AT, _PARTY_AT, _CHANNEL_AT, _TYPE_AT, _CALLSIGN_AT, _LAT_AT, _LON_AT, _HAE_AT, _CE_AT, _LE_AT, _COURSE_AT, \
    _SPEED_AT, _TIME_AT, _STALE_AT = range(len(Position._fields))


def _columns(positions: Sequence[Position], *fields: int) -> list[list[Any]]:
    # One C-level pass per column. Not ``zip(*positions)``: that holds an iterator per position at
    # once, a thousand new objects for the collector each batch, and the collections they set off
    # cost more than the transposition saves.
    return [list(map(itemgetter(k), positions)) for k in fields]


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

    Validity is decided exactly as ``position_from_dict`` decides it. A batch is first checked field by
    field over all its bodies at once (``_by_columns``); a batch that path is not sure of goes body by
    body (``_by_bodies``), where any body the fast rules are not sure of goes to ``position_from_dict``
    itself, which names the first bad body and its field.
    """
    if len(bodies) < _COLUMNS_FROM:
        return _by_bodies(world, party, bodies, now)
    try:
        return _by_columns(world, party, bodies, now)
    except (_Slow, TypeError, ValueError, OverflowError):  # unhashable, unorderable: a body at fault
        return _by_bodies(world, party, bodies, now)


# Below these sizes the per-batch passes of the column paths cost more than they save (measured: one
# position, as the CoT gateway parses them, took 17 us by columns and 6 body by body).
_COLUMNS_FROM = 32
_TEXT_COLUMNS_FROM = 256


_MISSING: Any = object()
_NUMBER = frozenset({float, int})
_NUMBER_OR_NONE = frozenset({float, int, type(None)})
# Uids and CoT types already matched, one set per pattern: a track's uid recurs every second of its
# life, and the match is a pure function of the text. Cleared when full, so a flood of distinct uids
# costs memory once.
_KNOWN_UIDS: set[str] = set()
_KNOWN_TYPES: set[str] = set()
_KNOWN_MAX = 100_000


def _codes(col: list[Any], pattern: re.Pattern[str], known: set[str]) -> None:
    if set(map(type, col)) != {str}:
        raise _Slow
    new = set(col).difference(known)
    if new:
        for v in new:
            if not pattern.match(v):
                raise _Slow
        if len(known) + len(new) > _KNOWN_MAX:
            known.clear()
        known.update(new)


def _numbers(col: list[Any], lo: float, hi: float) -> list[Any]:
    """The column as floats if every value is an int or a float in [lo, hi] (not bool, not NaN)."""
    kinds = set(map(type, col))
    if not kinds <= _NUMBER:
        raise _Slow
    total = sum(col)
    if total != total or not (lo <= min(col) and max(col) <= hi):  # NaN: a sum with one is NaN
        raise _Slow
    return col if kinds == {float} else [float(v) for v in col]


def _optional_numbers(col: list[Any], lo: float, hi: float) -> list[Any]:
    kinds = set(map(type, col))
    if kinds == {type(None)}:
        return col
    if not kinds <= _NUMBER_OR_NONE:
        raise _Slow
    if type(None) not in kinds:
        return _numbers(col, lo, hi)
    return [None if v is None else _fast_num(v, lo, hi) for v in col]


def _by_columns(world: World, party: str, bodies: Sequence[Any], now: datetime) -> list[Position]:
    """Every field checked over the whole batch at once (C-level passes: ``map``, ``set``, ``min``/``max``);
    raises ``_Slow`` at the first doubt, whatever the body, and the batch goes body by body."""
    n = len(bodies)
    if set(map(type, bodies)) != {dict}:
        raise _Slow
    bodies = list(bodies)
    get = dict.get

    def col(key: str, default: Any = None) -> list[Any]:
        return list(map(get, bodies, repeat(key), repeat(default)))

    if col("party", party).count(party) != n:
        raise _Slow
    uids = col("uid")
    _codes(uids, _UID, _KNOWN_UIDS)
    types = col("type", "a-f-G")
    _codes(types, _TYPE, _KNOWN_TYPES)
    callsigns: list[Any] = list(map(get, bodies, repeat("callsign"), uids))
    if set(map(type, callsigns)) != {str} or not 0 < min(map(len, callsigns)) <= max(map(len, callsigns)) <= \
            _CALLSIGN_MAX:
        raise _Slow
    channels = col("channel")
    named = set(channels)
    if None in named:
        channels = [world.common_channel if c is None else c for c in channels]
        named = set(channels)
    if not named <= {c for c in world.channels if party in world.channels[c].members}:
        raise _Slow
    lat = _numbers(col("lat"), *_LAT)
    lon = _numbers(col("lon"), *_LON)
    hae = _numbers(col("hae", 0.0), *_HAE_RANGE)
    ce = _numbers(col("ce", _ERR_MAX), *_ERR)
    le = _numbers(col("le", _ERR_MAX), *_ERR)
    course = _optional_numbers(col("course"), *_COURSE)
    speed = _optional_numbers(col("speed"), *_SPEED)
    # The reports of one second share their time text: each distinct text is parsed once per batch.
    time_texts = col("time", _MISSING)
    parsed = {t: now if t is _MISSING else _fast_time(t) for t in set(time_texts)}
    earliest, latest = now - MAX_PAST, now + MAX_FUTURE
    if not all(earliest <= t <= latest for t in parsed.values()):
        raise _Slow
    times = list(map(parsed.__getitem__, time_texts))
    stale_texts = col("stale", _MISSING)
    stale_of: dict[tuple[datetime, Any], datetime] = {}
    for t, s in set(zip(times, stale_texts, strict=True)):
        stale = t + _TWO_MIN if s is _MISSING else _fast_time(s)
        if not t < stale <= t + MAX_STALE:
            raise _Slow
        stale_of[t, s] = stale
    stales = list(map(stale_of.__getitem__, zip(times, stale_texts, strict=True)))
    return list(map(_new_position, zip(uids, repeat(party), channels, types, callsigns, lat, lon, hae, ce, le,
                                       course, speed, times, stales)))


_TWO_MIN = timedelta(minutes=2)
_new_position = partial(tuple.__new__, Position)  # ``Position._make`` without its Python-level length check


def _by_bodies(world: World, party: str, bodies: Sequence[Any], now: datetime) -> list[Position]:
    """Body by body: what repeats across a batch (a track's uid and type, the times of a second's
    reports) is checked and parsed once per batch, not per point."""
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
            lat = _fast_num(get("lat"), *_LAT)
            lon = _fast_num(get("lon"), *_LON)
            hae = _fast_num(get("hae", 0.0), *_HAE_RANGE)
            ce = _fast_num(get("ce", _ERR_MAX), *_ERR)
            le = _fast_num(get("le", _ERR_MAX), *_ERR)
            course = get("course")
            if course is not None:
                course = _fast_num(course, *_COURSE)
            speed = get("speed")
            if speed is not None:
                speed = _fast_num(speed, *_SPEED)
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
    """The canonical JSON (RFC 8785) text of each position's ``point_record``, as stored and sealed.

    A large batch is written column by column: each number column is encoded by one ``orjson.dumps``
    of the list (a number's text holds no comma, so the list's text splits into the very texts orjson
    writes inside a record); a string column of printable ASCII without a quote or a backslash is its
    own text, any other is encoded once per distinct string, each time once; the records are then
    joined from those texts in key order. A small batch, or one with anything else (a tiny number, a
    string orjson refuses), is written record by record (``_record_texts``)."""
    if len(positions) < _TEXT_COLUMNS_FROM:
        return _record_texts(positions, received)
    try:
        return _column_texts(positions, received)
    except (_Slow, orjson.JSONEncodeError):
        return _record_texts(positions, received)


def _number_texts(col: Sequence[float | None]) -> Sequence[str]:
    if None in col:
        if col.count(None) == len(col):
            return ("null",) * len(col)
        values: Sequence[float | int | None] = [_jnum(v) for v in col]
    else:
        values = _jnums(col)  # type: ignore[arg-type]
    return orjson.dumps(values).decode()[1:-1].split(",")


def _jnums(col: Sequence[float]) -> Sequence[float | int]:
    """``_jnum`` of a column of floats; in one pass when none is integral (random reals) or all are
    (defaults such as ce's 9999999)."""
    integral = sum(map(float.is_integer, col))
    if integral == 0:
        if min(map(abs, col)) < 1e-5:
            raise _Slow
        return col
    if integral == len(col):
        return list(map(int, col))
    return [_jnum(v) for v in col]  # type: ignore[misc]


_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def _string_texts(col: Sequence[str]) -> Sequence[str]:
    """The JSON text of each string without its quotes: the string itself when the column is printable
    ASCII without a quote or a backslash (uids and CoT types always are, callsigns nearly always)."""
    joined = "".join(col)
    if joined.isascii() and not _ESCAPED.search(joined):
        return col
    texts = {v: orjson.dumps(v).decode()[1:-1] for v in set(col)}
    return list(map(texts.__getitem__, col))


def _column_texts(positions: Sequence[Position], received: datetime) -> list[str]:
    (uid, party, channel, typ, callsign, lat, lon, hae, ce, le, course, speed, time, stale) = _columns(
        positions, *range(len(Position._fields)))
    rec = iso(received)
    times = {t: iso(t) for t in set(time) | set(stale)}
    if _ESCAPED.search(rec + "".join(times.values())):
        raise _Slow
    return [f'{{"callsign":"{cs}","ce":{c},"channel":"{ch}","course":{co},"hae":{h},"lat":{la},"le":{e},'
            f'"lon":{lo},"party":"{pa}","received":"{rec}","speed":{sp},"stale":"{times[st]}",'
            f'"time":"{times[t]}","type":"{ty}","uid":"{u}"}}'
            for u, pa, ch, ty, cs, la, lo, h, c, e, co, sp, t, st in zip(
                _string_texts(uid), _string_texts(party), _string_texts(channel), _string_texts(typ),
                _string_texts(callsign), _number_texts(lat), _number_texts(lon), _number_texts(hae),
                _number_texts(ce), _number_texts(le), _number_texts(course), _number_texts(speed), time, stale,
                strict=True)]


def _record_texts(positions: Sequence[Position], received: datetime) -> list[str]:
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
