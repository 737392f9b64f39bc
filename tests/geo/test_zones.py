"""Zones are data: validated on the way in, and the demo geography is geographically sane."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import Point

from hotline.demo.geography import load_gazetteer, zones_geojson
from hotline.geo import GeoError, Zone, to_metric, zone_from_feature, zone_to_feature


def feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    p = {
        "kind": "separation",
        "status": "active",
        "binds": ["isr", "syr"],
        "names": {"en": "x", "he": "x", "ar": "x"},
        "rules": {},
    } | props
    return {"type": "Feature", "id": "z1", "geometry": geometry, "properties": p}


SQUARE = {"type": "Polygon", "coordinates": [[[35.8, 33.0], [35.9, 33.0], [35.9, 33.1], [35.8, 33.1], [35.8, 33.0]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[35.8, 33.0], [35.9, 33.1], [35.9, 33.0], [35.8, 33.1], [35.8, 33.0]]]}


def test_a_zone_round_trips_through_its_feature() -> None:
    z = zone_from_feature(feature(SQUARE))
    assert zone_from_feature(zone_to_feature(z)) == z


@pytest.mark.parametrize(
    "geometry,props,field,match",
    [
        (BOWTIE, {}, "geometry", "Self-intersection"),
        ({"type": "Polygon", "coordinates": []}, {}, "geometry", "empty"),
        (
            {"type": "Polygon", "coordinates": [[[35.8, 33.0], [200.0, 33.0], [35.9, 33.1], [35.8, 33.0]]]},
            {},
            "geometry.coordinates",
            "out of range",
        ),
        ({"type": "Point", "coordinates": [35.8, 33.0]}, {}, "geometry.type", "not accepted"),
        (SQUARE, {"kind": "moat"}, "properties.kind", "unknown"),
        (SQUARE, {"names": {"en": "only English"}}, "properties.names", "Hebrew and Arabic"),
        (SQUARE, {"status": "proposed"}, "properties.binds", "binds nobody"),
        (SQUARE, {"kind": "limitation", "rules": {"max_tanks": -1}}, "properties.rules.max_tanks", "at least 0"),
        (SQUARE, {"kind": "airspace", "rules": {"min_m": 0}}, "properties.rules.max_m", "needs"),
    ],
)
def test_bad_zones_are_refused_naming_the_field(geometry: Any, props: dict[str, Any], field: str, match: str) -> None:
    with pytest.raises(GeoError, match=match) as e:
        zone_from_feature(feature(geometry, **props))
    assert e.value.field == field


def test_a_zone_with_too_many_vertices_is_refused() -> None:
    ring = [[35.8 + 0.1 * i / 6000, 33.0] for i in range(6000)] + [[35.9, 33.1], [35.8, 33.0]]
    with pytest.raises(GeoError, match="more than the 5,000") as e:
        zone_from_feature(feature({"type": "Polygon", "coordinates": [ring]}))
    assert e.value.field == "geometry.coordinates"


def by_id(zones: list[Zone]) -> dict[str, Zone]:
    return {z.id: z for z in zones}


def test_demo_zones_are_marked_approximate_and_named_in_three_languages(zones: list[Zone]) -> None:
    assert zones_geojson()["type"] == "FeatureCollection"
    for z in zones:
        assert z.approximate and z.note
        assert all(z.names[lang] for lang in ("en", "he", "ar"))
        west, south, east, north = z.geometry.bounds
        assert 35.5 <= west and east <= 36.95 and 32.5 <= south and north <= 33.45, z.id


def test_demo_area_of_separation_has_the_agreed_shape(zones: list[Zone]) -> None:
    z = by_id(zones)
    aos = z["aos"].geometry
    assert aos.contains(Point(35.8241, 33.1256))  # Quneitra lies inside
    assert not aos.contains(Point(35.7706, 33.2697))  # Majdal Shams lies west of Line A
    assert z["lim-isr-0-10"].geometry.contains(Point(35.7706, 33.2697))
    assert 200 < to_metric(aos).area / 1e6 < 300  # about 235 km²
    # Along the Hermon crest, from Line A to Line B's northern end; at the Yarmouk, Line B's southern end.
    b_north, b_south = Point(z["line-b"].geometry.coords[0]), Point(z["line-b"].geometry.coords[-1])
    width_north = to_metric(z["line-a"].geometry).distance(to_metric(b_north))
    width_south = to_metric(z["line-a"].geometry).distance(to_metric(b_south))
    assert 11_000 < width_north < 14_000 and width_south < 1_000


def test_demo_limitation_bands_lie_on_the_right_side_and_proposed_zones_bind_nobody(zones: list[Zone]) -> None:
    z = by_id(zones)
    assert z["lim-isr-0-10"].geometry.centroid.x < z["aos"].geometry.centroid.x < z["lim-syr-0-10"].geometry.centroid.x
    assert z["lim-isr-0-10"].rules["max_tanks"] == 75 and z["lim-isr-0-10"].binds == ("isr",)
    assert z["lim-syr-10-20"].rules == {"max_artillery": 162, "max_artillery_range_km": 20}
    assert z["sam-syr-25"].rules == {"sam_banned": True}
    assert (
        to_metric(z["lim-isr-0-10"].geometry).intersection(to_metric(z["aos"].geometry)).area < 500
    )  # m²: rounding only
    proposed = [x for x in zones if x.status == "proposed"]
    assert {x.kind for x in proposed} == {"limitation", "corridor"} and all(not x.binds for x in proposed)


def test_gazetteer_names_places_in_english_hebrew_and_arabic() -> None:
    places = {p.id: p for p in load_gazetteer()}
    assert places["hermon"].names == {"en": "Mount Hermon", "he": "הר חרמון", "ar": "جبل الشيخ"}
    assert places["golan"].names["ar"] == "الجولان"
    for p in places.values():
        assert all(p.names[lang] for lang in ("en", "he", "ar"))
        assert 32.5 < p.lat < 33.6 and 35.4 < p.lon < 36.9
