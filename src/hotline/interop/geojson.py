"""Zones to and from a GeoJSON FeatureCollection (RFC 7946), without loss.

Python's json writes floats with ``repr``, the shortest text that reads back as the same double, so
coordinates survive the round trip bit for bit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from hotline.geo.errors import GeoError
from hotline.geo.zones import Zone, zone_from_feature, zone_to_feature

__all__ = ["dumps_zones", "loads_zones", "zones_from_geojson", "zones_to_geojson"]


def zones_to_geojson(zones: Iterable[Zone]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [zone_to_feature(z) for z in zones]}


def zones_from_geojson(doc: Any) -> list[Zone]:
    """Zones from a FeatureCollection; a GeoError names the feature (``features[3].geometry``)."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise GeoError("type", "Expected a GeoJSON FeatureCollection with a features list.")
    out = []
    for i, f in enumerate(doc["features"]):
        try:
            out.append(zone_from_feature(f))
        except GeoError as e:
            raise GeoError(f"features[{i}].{e.field}", e.detail) from e
    ids = [z.id for z in out]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise GeoError("features", f"Zone ids must be unique; repeated: {', '.join(dupes)}.")
    return out


def dumps_zones(zones: Iterable[Zone]) -> str:
    return json.dumps(zones_to_geojson(zones), ensure_ascii=False)


def loads_zones(text: str) -> list[Zone]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise GeoError("body", f"The document is not valid JSON ({e.msg} at line {e.lineno}).") from e
    return zones_from_geojson(doc)
