"""Activity notices: what a party says it will do, where, when and with what.

A notice is a notification, never a clearance: the engine reports what it clashes with, and silence
from the engine means only that nothing known clashes. ``notice_from_dict`` is the one door from
untrusted input; every refusal names the field (``geometry.coordinates``, ``window.end``,
``forces.artillery[1].range_km``) and says how to fix it.

Input shape (times are ISO 8601 with an offset, or aware datetimes; they are kept in UTC)::

    {"id": "n-17", "party": "isr", "type": "ground_movement",
     "geometry": {"type": "LineString", "coordinates": [[35.70, 33.20], [35.76, 33.27]]}, "width_m": 200,
     "altitude": {"min_m": 0, "max_m": 3000},          # required for air
     "window": {"start": "2026-11-25T06:00:00Z", "end": "2026-11-25T18:00:00Z"},
     "forces": {"troops": 120, "tanks": 14, "artillery": [{"count": 6, "range_km": 12}], "sam": 0,
                "aircraft": 0},
     "text": "..."}

A Point needs ``radius_m`` > 0 and a LineString (a route) ``width_m`` > 0; a Polygon is used as drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

import shapely  # type: ignore[import-untyped]

from .errors import GeoError
from .geometry import DEFAULT_MAX_VERTICES, geometry_from_geojson
from .projection import to_metric

__all__ = [
    "DEFAULT_LEAD_TIMES",
    "LIMITS",
    "NOTICE_TYPES",
    "Artillery",
    "Forces",
    "LeadTime",
    "Notice",
    "NoticeType",
    "lead_time_check",
    "notice_from_dict",
]

NoticeType = Literal[
    "air", "ground_movement", "exercise", "engineering", "humanitarian", "agricultural_burning", "demining", "other"
]
NOTICE_TYPES: tuple[str, ...] = get_args(NoticeType)

# Lead times a party owes before an activity starts. UN humanitarian notification asked 48 h for
# movements; the Incidents at Sea agreement 3-5 days for dangerous activities; air is 24 h because
# flights are planned on a daily cycle. Defaults only: pass a mapping to override.
DEFAULT_LEAD_TIMES: Mapping[str, timedelta] = {
    "air": timedelta(hours=24),
    "ground_movement": timedelta(hours=48),
    "exercise": timedelta(hours=72),
    "engineering": timedelta(hours=24),
    "humanitarian": timedelta(hours=48),
    "agricultural_burning": timedelta(hours=24),
    "demining": timedelta(hours=24),
    "other": timedelta(hours=24),
}

# Beyond these a number is a typo or an attack, not a plan.
LIMITS: Mapping[str, float] = {
    "troops": 100_000,
    "tanks": 5_000,
    "artillery.count": 5_000,
    "artillery.range_km": 500,
    "sam": 1_000,
    "aircraft": 1_000,
    "radius_m": 200_000,
    "width_m": 50_000,
    "altitude_min_m": -500,
    "altitude_max_m": 30_000,
}
MAX_WINDOW = timedelta(days=92)
_QUAD_SEGS = 8  # 32-gon circles: under 0.5 % short of the true radius, and cheap to test


@dataclass(frozen=True, slots=True)
class Artillery:
    count: int
    range_km: float


@dataclass(frozen=True, slots=True)
class Forces:
    troops: int = 0
    tanks: int = 0
    artillery: tuple[Artillery, ...] = ()
    sam: int = 0
    aircraft: int = 0

    @property
    def artillery_pieces(self) -> int:
        return sum(a.count for a in self.artillery)

    @property
    def military(self) -> bool:
        """Ground forces the 1974 terms limit: troops, tanks, artillery or surface-to-air missiles."""
        return bool(self.troops or self.tanks or self.artillery_pieces or self.sam)


@dataclass(frozen=True, slots=True)
class Notice:
    """A validated notice. ``geometry`` is lon/lat; ``footprint`` is the area it covers, in metres."""

    id: str
    party: str
    type: NoticeType
    geometry: Any
    start: datetime
    end: datetime
    radius_m: float = 0.0
    width_m: float = 0.0
    altitude: tuple[float, float] | None = None
    forces: Forces = field(default_factory=Forces)
    text: str = ""
    footprint: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.footprint is None:
            object.__setattr__(self, "footprint", footprint_of(self.geometry, self.radius_m, self.width_m))

    def active_at(self, t: datetime) -> bool:
        return self.start <= t < self.end


def footprint_of(geometry: Any, radius_m: float, width_m: float) -> Any:
    """The metric area a notice covers: a disc, a route buffered by half its width, or the polygon."""
    metric = to_metric(geometry)
    if metric.geom_type in ("Point", "MultiPoint") and radius_m > 0:
        return shapely.buffer(metric, radius_m, quad_segs=_QUAD_SEGS)
    if metric.geom_type in ("LineString", "MultiLineString") and width_m > 0:
        return shapely.buffer(metric, width_m / 2, quad_segs=_QUAD_SEGS)
    return metric


def _number(d: Mapping[str, Any], key: str, path: str, *, integer: bool, default: float = 0) -> Any:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
        raise GeoError(path, f"{path} must be a number, not {v!r}.")
    if integer and v != int(v):
        raise GeoError(path, f"{path} must be a whole number, not {v!r}.")
    return int(v) if integer else float(v)


def _count(d: Mapping[str, Any], key: str, path: str, cap: float) -> int:
    v = int(_number(d, key, path, integer=True))
    if v < 0:
        raise GeoError(path, f"{path} is {v}; a count cannot be negative.")
    if v > cap:
        raise GeoError(path, f"{path} is {v:,}, above the plausible maximum of {cap:,.0f}; check for a typo.")
    return v


def _forces(raw: Any) -> Forces:
    if raw is None:
        return Forces()
    if not isinstance(raw, Mapping):
        raise GeoError("forces", 'forces must be an object such as {"troops": 120, "tanks": 14}.')
    artillery: list[Artillery] = []
    arty = raw.get("artillery", [])
    if not isinstance(arty, list | tuple):
        raise GeoError("forces.artillery", 'forces.artillery must be a list of {"count", "range_km"}.')
    for i, a in enumerate(arty):
        path = f"forces.artillery[{i}]"
        if not isinstance(a, Mapping):
            raise GeoError(path, f"{path} must be an object with count and range_km.")
        count = _count(a, "count", f"{path}.count", LIMITS["artillery.count"])
        if "range_km" not in a:
            raise GeoError(f"{path}.range_km", f"{path}.range_km is required: the limits depend on range.")
        rng = _number(a, "range_km", f"{path}.range_km", integer=False)
        if not 0 < rng <= LIMITS["artillery.range_km"]:
            raise GeoError(
                f"{path}.range_km",
                f"{path}.range_km is {rng}; give the range in km, above 0 and "
                f"at most {LIMITS['artillery.range_km']:g}.",
            )
        artillery.append(Artillery(count, rng))
    return Forces(
        troops=_count(raw, "troops", "forces.troops", LIMITS["troops"]),
        tanks=_count(raw, "tanks", "forces.tanks", LIMITS["tanks"]),
        artillery=tuple(artillery),
        sam=_count(raw, "sam", "forces.sam", LIMITS["sam"]),
        aircraft=_count(raw, "aircraft", "forces.aircraft", LIMITS["aircraft"]),
    )


def _time(v: Any, path: str) -> datetime:
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError as e:
            raise GeoError(path, f"{path} {v!r} is not an ISO 8601 time such as 2026-11-25T06:00:00Z.") from e
    if not isinstance(v, datetime):
        raise GeoError(path, f"{path} must be an ISO 8601 time with an offset, such as 2026-11-25T06:00:00Z.")
    if v.tzinfo is None or v.utcoffset() is None:
        raise GeoError(path, f"{path} has no UTC offset; add Z or +03:00 so both sides read the same instant.")
    try:
        return v.astimezone(UTC)
    except OverflowError as e:  # year 1 or 9999 moved across a zone offset
        raise GeoError(path, f"{path} {v.isoformat()} is out of range.") from e


def _altitude(raw: Any, notice_type: str) -> tuple[float, float] | None:
    if raw is None:
        if notice_type == "air":
            raise GeoError("altitude", 'An air notice needs an altitude band {"min_m", "max_m"} above sea level.')
        return None
    if not isinstance(raw, Mapping):
        raise GeoError("altitude", 'altitude must be an object {"min_m": 0, "max_m": 3000}.')
    lo = _number(raw, "min_m", "altitude.min_m", integer=False)
    hi = _number(raw, "max_m", "altitude.max_m", integer=False)
    for v, path in ((lo, "altitude.min_m"), (hi, "altitude.max_m")):
        if not LIMITS["altitude_min_m"] <= v <= LIMITS["altitude_max_m"]:
            raise GeoError(
                path,
                f"{path} is {v:g} m; altitudes run from {LIMITS['altitude_min_m']:g} to "
                f"{LIMITS['altitude_max_m']:g} m above sea level.",
            )
    if hi < lo:
        raise GeoError("altitude.max_m", f"The ceiling {hi:g} m lies below the floor {lo:g} m; swap them.")
    return lo, hi


def notice_from_dict(d: Mapping[str, Any], *, now: datetime, max_vertices: int = DEFAULT_MAX_VERTICES) -> Notice:
    """Validate untrusted input into a Notice; raise GeoError naming the field at fault."""
    if not isinstance(d, Mapping):
        raise GeoError("notice", "A notice must be an object.")
    nid, party = d.get("id"), d.get("party")
    if not isinstance(nid, str) or not nid:
        raise GeoError("id", "A notice needs a non-empty string id.")
    if not isinstance(party, str) or not party:
        raise GeoError("party", "A notice needs the id of the party that files it.")
    ntype = d.get("type")
    if ntype not in NOTICE_TYPES:
        raise GeoError("type", f"Notice type {ntype!r} is unknown; use one of {', '.join(NOTICE_TYPES)}.")
    geom = geometry_from_geojson(
        d.get("geometry"), "geometry", allowed=("Point", "LineString", "Polygon"), max_vertices=max_vertices
    )
    radius = _number(d, "radius_m", "radius_m", integer=False)
    width = _number(d, "width_m", "width_m", integer=False)
    if geom.geom_type == "Point" and not 0 < radius <= LIMITS["radius_m"]:
        raise GeoError("radius_m", f"A point notice needs radius_m above 0 and at most {LIMITS['radius_m']:,.0f} m.")
    if geom.geom_type == "LineString" and not 0 < width <= LIMITS["width_m"]:
        raise GeoError("width_m", f"A route needs width_m above 0 and at most {LIMITS['width_m']:,.0f} m.")
    window = d.get("window")
    if not isinstance(window, Mapping):
        raise GeoError("window", 'A notice needs a window {"start", "end"}.')
    start, end = _time(window.get("start"), "window.start"), _time(window.get("end"), "window.end")
    if end <= start:
        raise GeoError("window.end", f"The window ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    if end <= now:
        raise GeoError(
            "window.end",
            f"The window ended at {end.isoformat()}, in the past; a notice is for what "
            "is still to come (report what happened as an incident).",
        )
    if end - start > MAX_WINDOW:
        raise GeoError("window.end", f"The window lasts longer than {MAX_WINDOW.days} days; file shorter notices.")
    text = d.get("text", "")
    if not isinstance(text, str):
        raise GeoError("text", "text must be a string.")
    return Notice(
        id=nid,
        party=party,
        type=ntype,
        geometry=geom,
        start=start,
        end=end,
        radius_m=radius,
        width_m=width,
        altitude=_altitude(d.get("altitude"), ntype),
        forces=_forces(d.get("forces")),
        text=text,
    )


@dataclass(frozen=True, slots=True)
class LeadTime:
    """How far ahead a notice came, both ways: ``margin`` is negative exactly when it is late."""

    notice_type: str
    filed_at: datetime
    start: datetime
    required: timedelta
    actual: timedelta

    @property
    def margin(self) -> timedelta:
        return self.actual - self.required

    @property
    def late(self) -> bool:
        return self.actual < self.required

    @property
    def short_by(self) -> timedelta:
        return max(self.required - self.actual, timedelta(0))


def lead_time_check(
    notice_type: str,
    filed_at: datetime,
    start: datetime,
    min_lead: Mapping[str, timedelta] | timedelta | None = None,
) -> LeadTime:
    """Compare the lead time of a notice (start - filed_at, negative if filed after the start) with the minimum."""
    if isinstance(min_lead, timedelta):
        required = min_lead
    else:
        table = DEFAULT_LEAD_TIMES if min_lead is None else min_lead
        required = table.get(notice_type, table.get("other", DEFAULT_LEAD_TIMES["other"]))
    return LeadTime(notice_type, filed_at, start, required, start - filed_at)
