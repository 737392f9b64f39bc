"""Notices come in through one door that refuses bad input, naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.geo import DEFAULT_LEAD_TIMES, GeoError, lead_time_check, notice_from_dict

from .conftest import NOW, at


def good(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": "n1",
        "party": "isr",
        "type": "ground_movement",
        "geometry": {"type": "Point", "coordinates": [35.80, 33.00]},
        "radius_m": 500,
        "window": {"start": at(48).isoformat(), "end": at(60).isoformat()},
        "forces": {"troops": 100, "tanks": 14, "artillery": [{"count": 6, "range_km": 12}]},
    }
    return d | over


def test_a_good_notice_is_read_in_utc_with_its_footprint() -> None:
    n = notice_from_dict(good(window={"start": "2026-11-27T09:00:00+03:00", "end": "2026-11-27T18:00:00Z"}), now=NOW)
    assert n.start.utcoffset() == timedelta(0) and n.start.hour == 6
    assert n.forces.tanks == 14 and n.forces.artillery_pieces == 6 and n.forces.military
    assert 0.98 * 3.14159 * 500**2 < n.footprint.area < 3.14159 * 500**2


SELF_CROSSING = {
    "type": "Polygon",
    "coordinates": [[[35.8, 33.0], [35.9, 33.1], [35.9, 33.0], [35.8, 33.1], [35.8, 33.0]]],
}


@pytest.mark.parametrize(
    "over,field,match",
    [
        ({"geometry": SELF_CROSSING}, "geometry", "cross itself"),
        ({"geometry": {"type": "LineString", "coordinates": []}, "width_m": 100}, "geometry", "empty"),
        ({"geometry": {"type": "Point", "coordinates": [35.8, 95.0]}}, "geometry.coordinates", "out of range"),
        ({"geometry": {"type": "Point", "coordinates": ["35.8", 33.0]}}, "geometry.coordinates", "shape"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[35.8 + i * 1e-5, 33.0 + (i % 2) * 1e-5] for i in range(6000)] + [[35.8, 33.0]]],
                }
            },
            "geometry.coordinates",
            "vertices",
        ),
        ({"radius_m": 0}, "radius_m", "radius_m above 0"),
        ({"geometry": {"type": "LineString", "coordinates": [[35.8, 33.0], [35.9, 33.0]]}}, "width_m", "width_m"),
        ({"window": {"start": at(60).isoformat(), "end": at(48).isoformat()}}, "window.end", "before it starts"),
        ({"window": {"start": at(-30).isoformat(), "end": at(-2).isoformat()}}, "window.end", "in the past"),
        ({"window": {"start": "2026-11-27T06:00:00", "end": at(60).isoformat()}}, "window.start", "no UTC offset"),
        ({"window": {"start": "tomorrow", "end": at(60).isoformat()}}, "window.start", "ISO 8601"),
        ({"forces": {"troops": -5}}, "forces.troops", "cannot be negative"),
        ({"forces": {"tanks": 90_000}}, "forces.tanks", "plausible maximum"),
        ({"forces": {"troops": 250_000}}, "forces.troops", "plausible maximum"),
        ({"forces": {"tanks": 2.5}}, "forces.tanks", "whole number"),
        ({"forces": {"artillery": [{"count": 6, "range_km": -3}]}}, "forces.artillery[0].range_km", "range"),
        ({"forces": {"artillery": [{"count": 6}]}}, "forces.artillery[0].range_km", "required"),
        ({"type": "air"}, "altitude", "altitude band"),
        ({"altitude": {"min_m": 3000, "max_m": 1000}}, "altitude.max_m", "below the floor"),
        ({"type": "picnic"}, "type", "unknown"),
        ({"id": ""}, "id", "id"),
    ],
)
def test_bad_notices_are_refused_naming_the_field(over: dict[str, Any], field: str, match: str) -> None:
    with pytest.raises(GeoError, match=match) as e:
        notice_from_dict(good(**over), now=NOW)
    assert e.value.field == field
    assert e.value.detail.endswith(".")


def test_vertex_cap_is_the_callers_to_choose() -> None:
    ring = [[35.8, 33.0], [35.81, 33.0], [35.81, 33.01], [35.8, 33.01], [35.8, 33.0]]
    with pytest.raises(GeoError) as e:
        notice_from_dict(good(geometry={"type": "Polygon", "coordinates": [ring]}), now=NOW, max_vertices=4)
    assert e.value.field == "geometry.coordinates"


def test_lead_time_is_recorded_both_ways() -> None:
    late = lead_time_check("ground_movement", filed_at=at(0), start=at(2))
    assert late.late and late.required == timedelta(hours=48) and late.actual == timedelta(hours=2)
    assert late.short_by == timedelta(hours=46) and late.margin == timedelta(hours=-46)
    early = lead_time_check("exercise", filed_at=at(0), start=at(100))
    assert not early.late and early.margin == timedelta(hours=28) and early.short_by == timedelta(0)
    after_start = lead_time_check("air", filed_at=at(5), start=at(2))
    assert after_start.late and after_start.actual == timedelta(hours=-3)


def test_lead_times_are_configurable() -> None:
    assert DEFAULT_LEAD_TIMES["air"] == timedelta(hours=24)
    assert not lead_time_check("air", at(0), at(2), {"air": timedelta(hours=1)}).late
    assert lead_time_check("air", at(0), at(2), timedelta(hours=3)).late
