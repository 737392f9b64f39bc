"""Demo zones survive GeoJSON and KML round trips without losing a bit."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import shapely

from hotline.demo.geography import load_zones
from hotline.geo import GeoError, Zone
from hotline.interop.geojson import dumps_zones, loads_zones, zones_from_geojson, zones_to_geojson
from hotline.interop.kml import KML_NS, zones_from_kml, zones_to_kml


@pytest.fixture(scope="module")
def zones() -> list[Zone]:
    return load_zones()


def assert_same(a: list[Zone], b: list[Zone]) -> None:
    assert [z.id for z in a] == [z.id for z in b]
    for x, y in zip(a, b, strict=True):
        assert (x.kind, dict(x.names), dict(x.rules), x.binds, x.status, x.approximate, x.note) == (
            y.kind,
            dict(y.names),
            dict(y.rules),
            y.binds,
            y.status,
            y.approximate,
            y.note,
        )
        assert x.geometry.geom_type == y.geometry.geom_type
        assert (shapely.get_coordinates(x.geometry) == shapely.get_coordinates(y.geometry)).all()  # bit for bit
        assert x == y


def test_demo_zones_round_trip_through_geojson(zones: list[Zone]) -> None:
    assert_same(zones, loads_zones(dumps_zones(zones)))
    assert_same(zones, zones_from_geojson(zones_to_geojson(zones)))


def test_demo_zones_round_trip_through_kml(zones: list[Zone]) -> None:
    text = zones_to_kml(zones)
    assert_same(zones, zones_from_kml(text))


def test_kml_carries_names_in_three_languages_and_properties(zones: list[Zone]) -> None:
    root = ET.fromstring(zones_to_kml(zones))  # noqa: S314 - our own output
    pm = next(p for p in root.iter(f"{{{KML_NS}}}Placemark") if p.get("id") == "aos")
    assert pm.findtext(f"{{{KML_NS}}}name") == "Area of Separation"
    data = {d.get("name"): d.findtext(f"{{{KML_NS}}}value") for d in pm.iter(f"{{{KML_NS}}}Data")}
    assert data["name_he"] == "אזור ההפרדה" and data["name_ar"] == "منطقة الفصل"
    assert data["kind"] == "separation" and data["binds"] == '["isr", "syr"]'


def test_round_trip_keeps_multipolygons_and_holes() -> None:
    feature = {
        "type": "Feature",
        "id": "m",
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [
                [
                    [[35.0, 33.0], [35.1, 33.0], [35.1, 33.1], [35.0, 33.1], [35.0, 33.0]],
                    [[35.02, 33.02], [35.04, 33.02], [35.04, 33.04], [35.02, 33.02]],
                ],
                [[[35.5, 33.0], [35.6, 33.0], [35.6, 33.1 + 1e-13], [35.5, 33.0]]],
            ],
        },
        "properties": {
            "kind": "limitation",
            "names": {"en": "m", "he": "m", "ar": "m"},
            "binds": ["isr"],
            "rules": {"max_tanks": 0},
        },
    }
    [z] = zones_from_geojson({"type": "FeatureCollection", "features": [feature]})
    assert_same([z], zones_from_kml(zones_to_kml([z])))


def test_broken_imports_name_the_feature_at_fault(zones: list[Zone]) -> None:
    doc = zones_to_geojson(zones)
    doc["features"][3]["geometry"]["coordinates"][0][1] = [35.8, 133.0]
    with pytest.raises(GeoError) as e:
        zones_from_geojson(doc)
    assert e.value.field == "features[3].geometry.coordinates"
    with pytest.raises(GeoError, match="not well-formed"):
        zones_from_kml("<kml><Placemark>")
    with pytest.raises(GeoError, match="repeated: aos"):
        zones_from_geojson(zones_to_geojson([zones[3], zones[3]]))


@pytest.mark.parametrize("document", [
    # billion laughs: entities that expand to gigabytes
    '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><kml xmlns="http://www.opengis.net/kml/2.2">&c;</kml>',
    # an external entity that would read a file of the server
    '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&x;</name></Document></kml>',
    # a DTD alone
    '<?xml version="1.0"?><!DOCTYPE kml SYSTEM "http://example.invalid/kml.dtd"><kml/>',
])
def test_kml_with_a_dtd_or_entities_is_refused(document: str) -> None:
    with pytest.raises(GeoError) as e:
        zones_from_kml(document)
    assert e.value.field == "body"
    assert "DTD" in e.value.detail
