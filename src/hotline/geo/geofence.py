"""Server-side geofences: which active zones a batch of positions is in, with hysteresis and dwell.

``Fences`` indexes the zones a track can be *in* (area of separation, restricted airspace with its
altitude band, protected sites with their buffers, corridors) in one STRtree over their metric
geometries; ``Fences.hits`` checks a whole batch of positions in two vectorised queries:
``intersects`` (inside now) and ``dwithin`` the hysteresis distance (still near enough to count as
inside for a track that was in). Lines and limitation areas are not fences: a limitation caps forces
over days, which a single position does not measure.

``Tracker`` turns hits into transitions. A track is *in* a zone once it has been inside it for the
dwell time (so a track running along a line does not flap), and *out* again once it has been more
than the hysteresis distance outside. It holds no clock: every call says when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]

from .notices import Notice
from .projection import lonlat_to_xy, to_metric
from .zones import Zone

__all__ = ["FENCE_KINDS", "Fences", "Tracker", "Transition", "notified_by"]

FENCE_KINDS = ("separation", "airspace", "protected_site", "corridor")


class Fences:
    """The active fence zones in one STRtree (metric); ``hits`` checks many positions at once."""

    def __init__(self, zones: Sequence[Zone], *, hysteresis_m: float = 150.0) -> None:
        self.zones = [z for z in zones if z.status == "active" and z.kind in FENCE_KINDS]
        geoms = []
        for z in self.zones:
            g = to_metric(z.geometry)
            if z.kind == "protected_site":
                g = shapely.buffer(g, float(z.rules.get("buffer_m", 0.0)))
            geoms.append(g)
        self.geoms = np.asarray(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.hysteresis_m = hysteresis_m
        self.floor = np.array([float(z.rules.get("min_m", -1e9)) if z.kind == "airspace" else -1e9 for z in self.zones])
        self.ceiling = np.array([float(z.rules.get("max_m", 1e9)) if z.kind == "airspace" else 1e9 for z in self.zones])
        self.airspace = np.array([z.kind == "airspace" for z in self.zones], dtype=bool)

    def hits(self, lon: Any, lat: Any, hae: Any, air: Any, near_for: Any = None
             ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(inside, near) pairs as arrays of shape (2, k): row 0 the position index, row 1 the zone index.

        An airspace counts only for an air track within its altitude band (the band widened by the
        hysteresis distance for ``near``); a ground track is never in an airspace. ``near_for``, a
        boolean mask, limits the ``near`` query to the positions that need it (tracks already in or
        entering a zone): most tracks are in none, and the second query then costs nothing for them.
        """
        pts, hae, air = self._points(lon, lat, hae, air)
        inside = self._inside(pts, hae, air)
        mask = np.ones(len(pts), dtype=bool) if near_for is None else np.asarray(near_for, dtype=bool)
        return inside, self._near(pts, hae, air, mask)

    def _points(self, lon: Any, lat: Any, hae: Any, air: Any) -> tuple[Any, Any, Any]:
        x, y = lonlat_to_xy(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        pts = shapely.points(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
        return pts, np.atleast_1d(np.asarray(hae, dtype=float)), np.atleast_1d(np.asarray(air, dtype=bool))

    def _inside(self, pts: Any, hae: Any, air: Any) -> Any:
        if not self.zones:
            return np.empty((2, 0), dtype=np.intp)
        return self._band(self.tree.query(pts, predicate="intersects"), hae, air, 0.0)

    def _near(self, pts: Any, hae: Any, air: Any, mask: Any) -> Any:
        idx = np.flatnonzero(mask)
        if not self.zones or not len(idx):
            return np.empty((2, 0), dtype=np.intp)
        near = self.tree.query(pts[idx], predicate="dwithin", distance=self.hysteresis_m)
        near = np.vstack([idx[near[0]], near[1]])
        return self._band(near, hae, air, self.hysteresis_m)

    def _band(self, pairs: Any, hae: Any, air: Any, slack: float) -> Any:
        p, z = pairs
        h = hae[p]
        ok = ~self.airspace[z] | (air[p] & (h >= self.floor[z] - slack) & (h <= self.ceiling[z] + slack))
        return pairs[:, ok]


def notified_by(zone: Zone, notices: Sequence[Notice], party: str, lon: float, lat: float, hae: float,
                when: datetime) -> Notice | None:
    """The party's own active notice that covers this position and moment (and altitude, for airspace)."""
    x, y = lonlat_to_xy(lon, lat)
    pt = shapely.Point(float(x), float(y))
    for n in notices:
        if n.party != party or not (n.start <= when < n.end):
            continue
        if zone.kind == "airspace" and n.altitude is not None and not (n.altitude[0] <= hae <= n.altitude[1]):
            continue
        footprint = n.footprint if n.footprint is not None else to_metric(n.geometry)
        if shapely.intersects(footprint, pt):
            return n
    return None


@dataclass(frozen=True, slots=True)
class Transition:
    """A track came in (``entered``) or went out (``exited``) of a zone; ``since`` when it came in."""

    kind: str
    uid: str
    zone: str
    at: datetime
    since: datetime


@dataclass
class _State:
    first_in: datetime | None = None  # inside since (not yet dwelt long enough), or entered at
    entered: bool = False


@dataclass
class Tracker:
    """Entry after ``dwell``; exit once beyond the hysteresis distance. State per track, then per zone."""

    dwell: timedelta = timedelta(seconds=5)
    states: dict[str, dict[str, _State]] = field(default_factory=dict)

    def observe(self, uid: str, at: datetime, inside: set[str], near: set[str]) -> list[Transition]:
        mine = self.states.get(uid)
        if mine is None:
            if not inside:
                return []  # the common case: a track in no zone, as before
            mine = self.states[uid] = {}
        out: list[Transition] = []
        for zid in inside:
            s = mine.get(zid)
            if s is None:
                s = mine[zid] = _State(at)
            if not s.entered and s.first_in is not None and at - s.first_in >= self.dwell:
                s.entered = True
                out.append(Transition("entered", uid, zid, at, s.first_in))
        for zid in [z for z in mine if z not in inside]:
            s = mine[zid]
            if zid in near:
                continue  # in the hysteresis band: an entered track stays in, a new one keeps its dwell clock
            if s.entered and s.first_in is not None:
                out.append(Transition("exited", uid, zid, at, s.first_in))
            del mine[zid]
        if not mine:
            del self.states[uid]
        return out

    def observe_batch(self, fences: Fences, uids: Sequence[str], times: Sequence[datetime], lon: Any, lat: Any,
                      hae: Any, air: Any) -> list[tuple[int, Transition]]:
        """Check a batch of positions (in time order per track); returns (position index, transition).

        Vectorised: one ``intersects`` query for the batch, then one ``dwithin`` query for the positions
        of tracks that are in (or entering) a zone; only those positions reach the per-track state.
        """
        pts, hae, air = fences._points(lon, lat, hae, air)
        inside = fences._inside(pts, hae, air)
        busy = set(self.states) | {uids[i] for i in set(inside[0].tolist())}
        mask = np.fromiter((u in busy for u in uids), dtype=bool, count=len(uids))
        near = fences._near(pts, hae, air, mask)
        ins: dict[int, set[str]] = {}
        nears: dict[int, set[str]] = {}
        zones = fences.zones
        for i, z in inside.T.tolist():
            ins.setdefault(i, set()).add(zones[z].id)
        for i, z in near.T.tolist():
            nears.setdefault(i, set()).add(zones[z].id)
        out: list[tuple[int, Transition]] = []
        empty: set[str] = set()
        for i in np.flatnonzero(mask).tolist():
            for t in self.observe(uids[i], times[i], ins.get(i, empty), nears.get(i, empty)):
                out.append((i, t))
        return out
