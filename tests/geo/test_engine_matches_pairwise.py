"""The indexed engine and the straightforward loops give the same findings on random notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.geo import ConflictEngine, Notice, Zone, all_conflicts_pairwise, conflicts_pairwise, notice_from_dict

from .conftest import NOW

# A box over the lines so random notices hit every kind of zone.
LON, LAT = (35.70, 36.10), (32.95, 33.35)


@st.composite
def notices(draw: st.DrawFn, i: int) -> Notice:
    lon = draw(st.floats(*LON))
    lat = draw(st.floats(*LAT))
    shape = draw(st.sampled_from(["point", "route", "polygon"]))
    d: dict[str, Any] = {"id": f"n{i:03d}", "party": draw(st.sampled_from(["isr", "syr", "usa"]))}
    if shape == "point":
        d |= {"geometry": {"type": "Point", "coordinates": [lon, lat]}, "radius_m": draw(st.floats(50, 3000))}
    elif shape == "route":
        dx, dy = draw(st.floats(-0.05, 0.05)), draw(st.floats(-0.05, 0.05))
        d |= {
            "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + dx, lat + dy]]},
            "width_m": draw(st.floats(10, 1000)),
        }
    else:
        s = draw(st.floats(0.002, 0.03))
        d |= {
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[lon, lat], [lon + s, lat], [lon + s, lat + s], [lon, lat + s], [lon, lat]]],
            }
        }
    start = draw(st.integers(1, 96))
    d["window"] = {
        "start": (NOW + timedelta(hours=start)).isoformat(),
        "end": (NOW + timedelta(hours=start + draw(st.integers(1, 36)))).isoformat(),
    }
    air = draw(st.booleans())
    d["type"] = "air" if air else draw(st.sampled_from(["ground_movement", "exercise", "humanitarian"]))
    if air or draw(st.booleans()):
        lo = draw(st.floats(0, 8000))
        d["altitude"] = {"min_m": lo, "max_m": lo + draw(st.floats(0, 4000))}
    d["forces"] = {
        "troops": draw(st.integers(0, 3000)),
        "tanks": draw(st.sampled_from([0, 0, 10, 30, 50])),
        "artillery": [{"count": draw(st.integers(1, 60)), "range_km": draw(st.sampled_from([10, 15, 25]))}]
        if draw(st.booleans())
        else [],
        "sam": draw(st.sampled_from([0, 0, 0, 1])),
        "aircraft": 2 if air else 0,
    }
    return notice_from_dict(d, now=NOW)


@st.composite
def notice_sets(draw: st.DrawFn) -> list[Notice]:
    n = draw(st.integers(0, 25))
    return [draw(notices(i)) for i in range(n)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(active=notice_sets(), buffer_m=st.sampled_from([0.0, 1000.0, 5000.0]))
def test_indexed_engine_equals_pairwise_baseline(zones: list[Zone], active: list[Notice], buffer_m: float) -> None:
    engine = ConflictEngine(zones, active, overlap_buffer_m=buffer_m)
    assert engine.all_findings() == all_conflicts_pairwise(zones, active, overlap_buffer_m=buffer_m)
    for n in active:
        assert engine.check(n) == conflicts_pairwise(n, zones, active, overlap_buffer_m=buffer_m)
