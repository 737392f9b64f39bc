"""The geofence engine: inside, altitude bands, buffers, hysteresis and dwell, checked in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from hotline.demo.geography import load_zones
from hotline.geo.geofence import Fences, Tracker

T0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
IN_AOS = (35.8675, 33.005)
WEST = (35.70, 33.00)


def zone_ids(fences: Fences, pairs: np.ndarray, i: int = 0) -> set[str]:
    return {fences.zones[int(z)].id for p, z in pairs.T if int(p) == i}


def test_a_ground_track_in_the_area_of_separation_is_in_it_but_not_in_its_airspace() -> None:
    f = Fences(load_zones())
    inside, _ = f.hits([IN_AOS[0]], [IN_AOS[1]], [400.0], [False])
    assert zone_ids(f, inside) == {"aos"}


def test_an_air_track_counts_in_an_airspace_only_within_its_band() -> None:
    f = Fences(load_zones())
    inside, _ = f.hits([IN_AOS[0]] * 2, [IN_AOS[1]] * 2, [3000.0, 15000.0], [True, True])
    assert zone_ids(f, inside, 0) == {"aos", "aos-airspace"}
    assert zone_ids(f, inside, 1) == {"aos"}


def test_lines_and_limitation_areas_are_not_fences() -> None:
    f = Fences(load_zones())
    assert {z.kind for z in f.zones} <= {"separation", "airspace", "protected_site", "corridor"}
    inside, _ = f.hits([WEST[0]], [WEST[1]], [0.0], [False])
    assert "aos" not in zone_ids(f, inside)


def test_a_track_must_dwell_before_it_has_entered() -> None:
    t = Tracker(dwell=timedelta(seconds=5))
    assert t.observe("u", T0, {"aos"}, {"aos"}) == []
    assert t.observe("u", T0 + timedelta(seconds=2), {"aos"}, {"aos"}) == []
    [entered] = t.observe("u", T0 + timedelta(seconds=6), {"aos"}, {"aos"})
    assert (entered.kind, entered.zone, entered.since) == ("entered", "aos", T0)
    assert t.observe("u", T0 + timedelta(seconds=9), {"aos"}, {"aos"}) == []  # once


def test_a_track_along_the_edge_does_not_flap() -> None:
    t = Tracker(dwell=timedelta(seconds=0))
    out = t.observe("u", T0, {"aos"}, {"aos"})
    for k in range(1, 20):  # in, just out (within the hysteresis band), in, ...
        inside = {"aos"} if k % 2 else set()
        out += t.observe("u", T0 + timedelta(seconds=k), inside, {"aos"})
    assert [tr.kind for tr in out] == ["entered"]
    [gone] = t.observe("u", T0 + timedelta(seconds=30), set(), set())
    assert (gone.kind, gone.since) == ("exited", T0)


def test_a_brief_touch_shorter_than_the_dwell_raises_nothing() -> None:
    t = Tracker(dwell=timedelta(seconds=10))
    assert t.observe("u", T0, {"aos"}, {"aos"}) == []
    assert t.observe("u", T0 + timedelta(seconds=3), set(), set()) == []
    assert t.observe("u", T0 + timedelta(seconds=20), {"aos"}, {"aos"}) == []  # the dwell starts again
