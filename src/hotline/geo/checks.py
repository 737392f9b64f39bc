"""The rules themselves, shared by the indexed engine and the pairwise baseline.

Both engines differ only in how they find candidates (an STRtree against plain loops); every finding
is built here, by the same code, so the two must agree exactly. Geometry is metric (see projection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]

from .findings import Finding, iso
from .notices import Notice
from .projection import to_metric, xy_to_lonlat
from .zones import Zone

__all__ = [
    "LIMITED",
    "ZoneCheck",
    "altitudes_meet",
    "limitation_findings",
    "overlap_findings",
    "prepare_zones",
    "windows_meet",
    "zone_findings",
]

# Quantity in a notice's forces -> the limitation rule that caps it.
LIMITED = (("troops", "max_troops"), ("tanks", "max_tanks"), ("artillery", "max_artillery"))
_UNARMED_TYPES = ("humanitarian", "demining")


@dataclass(frozen=True, slots=True)
class ZoneCheck:
    """An active zone ready for checks: its metric geometry, prepared once for fast predicates."""

    zone: Zone
    metric: Any

    @property
    def name(self) -> str:
        return str(self.zone.names.get("en", self.zone.id))


def prepare_zones(zones: Sequence[Zone]) -> list[ZoneCheck]:
    """Active zones only: a proposed zone is shown but binds nobody, so it never yields a finding."""
    out = []
    for z in zones:
        if z.status != "active":
            continue
        metric = to_metric(z.geometry)
        shapely.prepare(metric)
        out.append(ZoneCheck(z, metric))
    return out


def _lat_lon(points: Any) -> list[tuple[float, float]]:
    xy = shapely.get_coordinates(np.asarray(points, dtype=object))
    lon, lat = xy_to_lonlat(xy[:, 0], xy[:, 1])
    return [
        (round(float(a), 6), round(float(o), 6)) for a, o in zip(np.atleast_1d(lat), np.atleast_1d(lon), strict=True)
    ]


def _inside_point(a: Any, b: Any) -> tuple[float, float]:
    """A point of a ∩ b (they intersect), or the middle of their shortest gap."""
    inter = shapely.intersection(a, b)
    if inter.is_empty:
        pt = shapely.line_interpolate_point(shapely.shortest_line(a, b), 0.5, normalized=True)
    else:
        pt = shapely.point_on_surface(inter)
    return _lat_lon([pt])[0]


def windows_meet(a: Notice, b: Notice) -> bool:
    """Half-open windows [start, end) share an instant."""
    return a.start < b.end and b.start < a.end


def altitudes_meet(a: Notice, b: Notice, vertical_buffer_m: float) -> bool:
    """Bands within ``vertical_buffer_m`` of each other; a notice without a band meets every altitude."""
    if a.altitude is None or b.altitude is None:
        return True
    return max(a.altitude[0], b.altitude[0]) - min(a.altitude[1], b.altitude[1]) <= vertical_buffer_m


def _forces_text(n: Notice) -> str:
    f = n.forces
    parts = [
        f"{v} {label}"
        for v, label in (
            (f.troops, "troops"),
            (f.tanks, "tanks"),
            (f.artillery_pieces, "artillery pieces"),
            (f.sam, "SAM launchers"),
        )
        if v
    ]
    return ", ".join(parts)


def zone_findings(n: Notice, zc: ZoneCheck) -> list[Finding]:
    """Every rule that one notice breaks in one zone on its own (sums over notices are separate)."""
    z, rules = zc.zone, zc.zone.rules
    if not z.binding(n.party):
        return []
    f = n.forces
    when = (n.start, n.end)
    out: list[Finding] = []

    def add(rule: str, where: tuple[float, float], by: dict[str, Any], explanation: str) -> None:
        out.append(Finding(rule, (n.party,), (n.id,), z.id, where, when, by, explanation))

    if z.kind == "protected_site":
        if n.type in _UNARMED_TYPES and not f.military:
            return []  # aid to a village or clearing its mines is the point, not a threat
        buffer_m = float(rules["buffer_m"])
        d = float(shapely.distance(n.footprint, zc.metric))
        if d <= buffer_m:
            near = shapely.get_point(shapely.shortest_line(n.footprint, zc.metric), 0)
            add(
                "protected_site.buffer",
                _lat_lon([near])[0],
                {"distance_m": round(d, 1), "buffer_m": buffer_m},
                f"{n.party} notice {n.id} comes within {d:.0f} m of {zc.name}, inside "
                f"its {buffer_m:.0f} m protective buffer, from {iso(n.start)} to {iso(n.end)}.",
            )
        return out
    if not zc.metric.intersects(n.footprint):
        return out
    if z.kind == "separation" and f.military:
        add(
            "separation.forces",
            _inside_point(n.footprint, zc.metric),
            {
                "cap": 0,
                "troops": f.troops,
                "tanks": f.tanks,
                "artillery": f.artillery_pieces,
                "sam": f.sam,
            },
            f"{n.party} notice {n.id} puts {_forces_text(n)} in {zc.name}, where no military forces are allowed.",
        )
    if z.kind == "limitation":
        if rules.get("sam_banned") and f.sam:
            add(
                "sam.band",
                _inside_point(n.footprint, zc.metric),
                {"cap": 0, "declared": f.sam, "excess": f.sam},
                f"{n.party} notice {n.id} places {f.sam} surface-to-air missile "
                f"launchers in {zc.name}, where none are allowed.",
            )
        max_range = rules.get("max_artillery_range_km")
        over = [a for a in f.artillery if max_range is not None and a.range_km > max_range]
        if over:
            pieces = sum(a.count for a in over)
            longest = max(a.range_km for a in over)
            add(
                "limitation.artillery_range",
                _inside_point(n.footprint, zc.metric),
                {"max_range_km": max_range, "declared_range_km": longest, "pieces": pieces},
                f"{n.party} notice {n.id} brings {pieces} artillery pieces with a range "
                f"up to {longest:g} km into {zc.name}, where the range is limited to "
                f"{max_range:g} km.",
            )
    if z.kind == "airspace" and n.altitude is not None and (n.type == "air" or f.aircraft):
        lo, hi = max(n.altitude[0], rules["min_m"]), min(n.altitude[1], rules["max_m"])
        if lo <= hi:
            add(
                "airspace.restricted",
                _inside_point(n.footprint, zc.metric),
                {
                    "zone_band_m": [rules["min_m"], rules["max_m"]],
                    "notice_band_m": list(n.altitude),
                    "overlap_m": [lo, hi],
                },
                f"{n.party} air notice {n.id} enters {zc.name} between {lo:g} and "
                f"{hi:g} m, inside its restricted band.",
            )
    return out


def _amount(n: Notice, quantity: str) -> int:
    f = n.forces
    return f.artillery_pieces if quantity == "artillery" else int(getattr(f, quantity))


def limitation_findings(
    zc: ZoneCheck,
    party: str,
    members: Sequence[Notice],
    focus: Notice | None = None,
) -> list[Finding]:
    """Sum one party's declared forces in one area of limitation at every moment, against its caps.

    ``members`` are that party's notices touching the zone (a notice partly inside counts in full:
    its forces may be anywhere in its area). A sweep over window endpoints finds each maximal interval
    during which a sum exceeds its cap. With ``focus`` (checking one new notice) only intervals inside
    its window and quantities it contributes to are reported.
    """
    out: list[Finding] = []
    for quantity, cap_key in LIMITED:
        cap = zc.zone.rules.get(cap_key)
        if cap is None or (focus is not None and _amount(focus, quantity) == 0):
            continue
        events: dict[datetime, int] = {}
        for m in members:
            v = _amount(m, quantity)
            if v:
                events[m.start] = events.get(m.start, 0) + v
                events[m.end] = events.get(m.end, 0) - v
        total, open_at, peak = 0, None, 0
        intervals: list[tuple[datetime, datetime, int]] = []
        for t in sorted(events):
            total += events[t]
            if total > cap and open_at is None:
                open_at, peak = t, total
            elif total > cap:
                peak = max(peak, total)
            elif open_at is not None:
                intervals.append((open_at, t, peak))
                open_at = None
        for t0, t1, peak in intervals:
            if focus is not None:
                t0, t1 = max(t0, focus.start), min(t1, focus.end)
                if t0 >= t1:
                    continue
            who = sorted(
                (m for m in members if _amount(m, quantity) and m.start < t1 and t0 < m.end), key=lambda m: m.id
            )
            anchor = focus if focus is not None else who[0]
            ids = tuple(m.id for m in who)
            out.append(
                Finding(
                    rule=f"limitation.{quantity}",
                    parties=(party,),
                    notices=ids,
                    zone=zc.zone.id,
                    where=_inside_point(anchor.footprint, zc.metric),
                    when=(t0, t1),
                    by_how_much={"cap": cap, "declared": peak, "excess": peak - cap},
                    explanation=f"{party} declares up to {peak} {quantity} at once in {zc.name} from {iso(t0)} to "
                    f"{iso(t1)}, {peak - cap} over the cap of {cap} (notices {', '.join(ids)}).",
                )
            )
    return out


def overlap_findings(pairs: Sequence[tuple[Notice, Notice]], buffer_m: float) -> list[Finding]:
    """Findings for pairs already known to clash; geometry for all pairs is computed in one vectorised pass."""
    if not pairs:
        return []
    fa = np.array([a.footprint for a, _ in pairs], dtype=object)
    fb = np.array([b.footprint for _, b in pairs], dtype=object)
    dist = shapely.distance(fa, fb)
    touching = dist == 0
    points = np.empty(len(pairs), dtype=object)
    if touching.any():
        points[touching] = shapely.point_on_surface(shapely.intersection(fa[touching], fb[touching]))
    if (~touching).any():
        gaps = shapely.shortest_line(fa[~touching], fb[~touching])
        points[~touching] = shapely.line_interpolate_point(gaps, 0.5, normalized=True)
    where = _lat_lon(points)
    out: list[Finding] = []
    for (a, b), d, w in zip(pairs, dist, where, strict=True):
        a, b = (a, b) if a.id <= b.id else (b, a)
        t0, t1 = max(a.start, b.start), min(a.end, b.end)
        by: dict[str, Any] = {"distance_m": round(float(d), 1), "buffer_m": buffer_m}
        alt = ""
        if a.altitude is not None and b.altitude is not None:
            lo, hi = max(a.altitude[0], b.altitude[0]), min(a.altitude[1], b.altitude[1])
            by["altitude_overlap_m"] = [lo, hi]
            alt = (
                f", altitude bands meeting at {lo:g}–{hi:g} m" if lo <= hi else f", altitude bands {lo - hi:g} m apart"
            )
        out.append(
            Finding(
                rule="notice.overlap",
                parties=tuple(sorted({a.party, b.party})),
                notices=(a.id, b.id),
                zone=None,
                where=w,
                when=(t0, t1),
                by_how_much=by,
                explanation=f"{a.party} notice {a.id} and {b.party} notice {b.id} come within {float(d):.0f} m of each "
                f"other (buffer {buffer_m:g} m) from {iso(t0)} to {iso(t1)}{alt}.",
            )
        )
    return out
