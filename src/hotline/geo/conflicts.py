"""The conflict engine: what a new notice clashes with, and every clash among active notices.

``ConflictEngine`` is built once over the active zones and notices (an STRtree over the notices'
metric footprints, numeric arrays of parties, windows and altitude bands), then answers
``check(notice)`` in about a millisecond against 10,000 active notices and ``all_findings()`` with
one bulk tree query. ``conflicts_pairwise`` and ``all_conflicts_pairwise`` are the straightforward
loops (one shapely ``distance``/``intersects`` per pair) kept as the reference the engine must match;
both build their findings with the same code in ``checks``.

Findings come sorted by ``Finding.key()``. The engine never reads a clock: windows are compared with
each other, and a caller that wants only what is active now passes only those notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import shapely  # type: ignore[import-untyped]

from .checks import (
    ZoneCheck,
    altitudes_meet,
    limitation_findings,
    overlap_findings,
    prepare_zones,
    windows_meet,
    zone_findings,
)
from .findings import Finding, iso
from .notices import Notice, lead_time_check
from .zones import Zone

__all__ = [
    "DEFAULT_OVERLAP_BUFFER_M",
    "ConflictEngine",
    "all_conflicts_pairwise",
    "conflicts_pairwise",
    "late_finding",
]

DEFAULT_OVERLAP_BUFFER_M = 1_000.0


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.key)


def _micros(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


class ConflictEngine:
    """Indexed conflict checks over a fixed set of active zones and notices."""

    def __init__(
        self,
        zones: Sequence[Zone],
        notices: Sequence[Notice],
        *,
        overlap_buffer_m: float = DEFAULT_OVERLAP_BUFFER_M,
        vertical_buffer_m: float = 0.0,
    ) -> None:
        self.zones: list[ZoneCheck] = prepare_zones(zones)
        self.notices: list[Notice] = list(notices)
        self.overlap_buffer_m = float(overlap_buffer_m)
        self.vertical_buffer_m = float(vertical_buffer_m)
        n = self.notices
        self._footprints = np.array([x.footprint for x in n], dtype=object)
        self._tree = shapely.STRtree(self._footprints)
        parties = sorted({x.party for x in n})
        self._party_code = {p: i for i, p in enumerate(parties)}
        self._party = np.array([self._party_code[x.party] for x in n], dtype=np.int32)
        self._start = np.array([_micros(x.start) for x in n], dtype=np.int64)
        self._end = np.array([_micros(x.end) for x in n], dtype=np.int64)
        # Missing altitude bands meet everything: -inf..+inf.
        self._alt_lo = np.array([-np.inf if x.altitude is None else x.altitude[0] for x in n], dtype=float)
        self._alt_hi = np.array([np.inf if x.altitude is None else x.altitude[1] for x in n], dtype=float)
        self._ids = np.array([x.id for x in n], dtype=object)
        # Which notices touch each area of limitation: computed once, reused by every check.
        self._in_zone: dict[str, np.ndarray] = {
            zc.zone.id: np.sort(self._tree.query(zc.metric, predicate="intersects"))
            for zc in self.zones
            if zc.zone.kind == "limitation"
        }

    def _boxes_near(self, geoms: object, reach: float) -> np.ndarray:
        """Tree query by bounding boxes grown by ``reach``: cheap candidates, refined by exact distance later.

        GEOS's own ``dwithin`` predicate computes an exact distance for every box hit before we can drop
        pairs on party or time; filtering on the numeric arrays first is an order of magnitude faster.
        """
        b = shapely.bounds(geoms) + np.array([-reach, -reach, reach, reach])
        return np.asarray(self._tree.query(shapely.box(b[..., 0], b[..., 1], b[..., 2], b[..., 3])))

    # -- one new notice --------------------------------------------------------------------------
    def _meets(self, notice: Notice, idx: np.ndarray, *, other_party: bool) -> np.ndarray:
        """Indices among ``idx`` whose window (and altitude) meet the notice's, of another/the same party."""
        code = self._party_code.get(notice.party, -1)
        party_ok = self._party[idx] != code if other_party else self._party[idx] == code
        s, e = _micros(notice.start), _micros(notice.end)
        ok = party_ok & (self._start[idx] < e) & (s < self._end[idx]) & (self._ids[idx] != notice.id)
        if other_party and notice.altitude is not None:
            gap = np.maximum(self._alt_lo[idx], notice.altitude[0]) - np.minimum(self._alt_hi[idx], notice.altitude[1])
            ok &= gap <= self.vertical_buffer_m
        return np.asarray(idx[ok])

    def check(self, notice: Notice) -> list[Finding]:
        """Everything ``notice`` clashes with: zone rules, limitation sums with its own party's notices,
        and other parties' notices. An active notice with the same id is treated as replaced."""
        out: list[Finding] = []
        for zc in self.zones:
            out += zone_findings(notice, zc)
            if (
                zc.zone.kind == "limitation"
                and zc.zone.binding(notice.party)
                and zc.metric.intersects(notice.footprint)
            ):
                idx = self._meets(notice, self._in_zone[zc.zone.id], other_party=False)
                members = [self.notices[i] for i in idx] + [notice]
                out += limitation_findings(zc, notice.party, members, focus=notice)
        near = self._meets(notice, np.sort(self._boxes_near(notice.footprint, self.overlap_buffer_m)), other_party=True)
        dist = shapely.distance(notice.footprint, self._footprints[near]) if len(near) else np.empty(0)
        hits = near[dist <= self.overlap_buffer_m]
        out += overlap_findings([(notice, self.notices[i]) for i in hits], self.overlap_buffer_m)
        return _sorted(out)

    # -- everything at once ----------------------------------------------------------------------
    def all_findings(self) -> list[Finding]:
        """Every finding among the active notices: each notice against the zones, each party's sums in
        each area of limitation over the whole timeline, and each clashing pair of notices once."""
        out: list[Finding] = []
        for zc in self.zones:
            if zc.zone.kind == "protected_site":
                cand = self._boxes_near(zc.metric, float(zc.zone.rules["buffer_m"]))
            elif zc.zone.kind in ("separation", "limitation", "airspace"):
                cand = self._tree.query(zc.metric, predicate="intersects")
            else:
                continue
            for i in np.sort(cand):
                out += zone_findings(self.notices[i], zc)
            if zc.zone.kind == "limitation":
                idx = self._in_zone[zc.zone.id]
                for party in zc.zone.binds:
                    code = self._party_code.get(party)
                    if code is None:
                        continue
                    members = [self.notices[i] for i in idx[self._party[idx] == code]]
                    out += limitation_findings(zc, party, members)
        left, right = self._boxes_near(self._footprints, self.overlap_buffer_m)
        keep = left < right
        left, right = left[keep], right[keep]
        keep = (
            (self._party[left] != self._party[right])
            & (self._start[left] < self._end[right])
            & (self._start[right] < self._end[left])
            & (
                np.maximum(self._alt_lo[left], self._alt_lo[right])
                - np.minimum(self._alt_hi[left], self._alt_hi[right])
                <= self.vertical_buffer_m
            )
        )
        left, right = left[keep], right[keep]
        close = shapely.distance(self._footprints[left], self._footprints[right]) <= self.overlap_buffer_m
        pairs = [(self.notices[i], self.notices[j]) for i, j in zip(left[close], right[close], strict=True)]
        out += overlap_findings(pairs, self.overlap_buffer_m)
        return _sorted(out)


# -- the straightforward reference ---------------------------------------------------------------
def _pair_clashes(a: Notice, b: Notice, buffer_m: float, vertical_buffer_m: float) -> bool:
    return (
        a.party != b.party
        and windows_meet(a, b)
        and altitudes_meet(a, b, vertical_buffer_m)
        and float(shapely.distance(a.footprint, b.footprint)) <= buffer_m
    )


def conflicts_pairwise(
    notice: Notice,
    zones: Sequence[Zone],
    active: Sequence[Notice],
    *,
    overlap_buffer_m: float = DEFAULT_OVERLAP_BUFFER_M,
    vertical_buffer_m: float = 0.0,
) -> list[Finding]:
    """``ConflictEngine(zones, active).check(notice)`` by plain loops: the reference for the engine."""
    out: list[Finding] = []
    others = [m for m in active if m.id != notice.id]
    for zc in prepare_zones(zones):
        out += zone_findings(notice, zc)
        z = zc.zone
        if z.kind == "limitation" and z.binding(notice.party) and shapely.intersects(zc.metric, notice.footprint):
            members = [
                m
                for m in others
                if m.party == notice.party and windows_meet(m, notice) and shapely.intersects(zc.metric, m.footprint)
            ]
            out += limitation_findings(zc, notice.party, [*members, notice], focus=notice)
    pairs = [(notice, m) for m in others if _pair_clashes(notice, m, overlap_buffer_m, vertical_buffer_m)]
    out += overlap_findings(pairs, overlap_buffer_m)
    return _sorted(out)


def all_conflicts_pairwise(
    zones: Sequence[Zone],
    notices: Sequence[Notice],
    *,
    overlap_buffer_m: float = DEFAULT_OVERLAP_BUFFER_M,
    vertical_buffer_m: float = 0.0,
) -> list[Finding]:
    """``ConflictEngine(zones, notices).all_findings()`` by plain loops (O(n²): for checking, not serving)."""
    out: list[Finding] = []
    for zc in prepare_zones(zones):
        for n in notices:
            out += zone_findings(n, zc)
        if zc.zone.kind == "limitation":
            for party in zc.zone.binds:
                members = [m for m in notices if m.party == party and shapely.intersects(zc.metric, m.footprint)]
                if members:
                    out += limitation_findings(zc, party, members)
    pairs = [
        (a, b)
        for i, a in enumerate(notices)
        for b in notices[i + 1 :]
        if _pair_clashes(a, b, overlap_buffer_m, vertical_buffer_m)
    ]
    out += overlap_findings(pairs, overlap_buffer_m)
    return _sorted(out)


def _hours(d: timedelta) -> float:
    return round(d.total_seconds() / 3600, 2)


def late_finding(
    notice: Notice,
    filed_at: datetime,
    min_lead: Mapping[str, timedelta] | timedelta | None = None,
) -> Finding | None:
    """A ``notice.late`` finding when the notice came with less lead time than its type requires."""
    lead = lead_time_check(notice.type, filed_at, notice.start, min_lead)
    if not lead.late:
        return None
    c = shapely.centroid(notice.geometry)
    return Finding(
        rule="notice.late",
        parties=(notice.party,),
        notices=(notice.id,),
        zone=None,
        where=(round(float(c.y), 6), round(float(c.x), 6)),
        when=(min(filed_at, notice.start), notice.start),
        by_how_much={
            "required_h": _hours(lead.required),
            "actual_h": _hours(lead.actual),
            "short_by_h": _hours(lead.short_by),
            "filed_at": iso(filed_at),
            "start": iso(notice.start),
        },
        explanation=f"{notice.party} filed {notice.type} notice {notice.id} at {iso(filed_at)}, "
        f"{_hours(lead.actual):g} h before it starts at {iso(notice.start)}; {_hours(lead.required):g} h are required.",
    )
