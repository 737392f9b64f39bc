"""A world's geography as data: its agreed place names (the gazetteer) and its agreed zones.

The world file names the two files (``[geography] gazetteer = "…"``, ``zones = "…"``, relative to the
world file); ``hotline.service.config.load_world`` reads them, so a deployment brings its own line and
names, and nothing in the product reads the demo's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Invalid

__all__ = ["Place", "Geography"]


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    kind: str
    names: dict[str, str]
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Geography:
    places: tuple[Place, ...] = ()
    # The agreed zones as GeoJSON features, recorded as zone events when a deployment is set up.
    zone_features: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def from_data(cls, gazetteer: Mapping[str, Any] | None, zones: Mapping[str, Any] | None) -> Geography:
        """From the parsed gazetteer (``{"places": [...]}``) and zones (a GeoJSON FeatureCollection)."""
        places = []
        for i, p in enumerate((gazetteer or {}).get("places", [])):
            try:
                places.append(Place(str(p["id"]), str(p["kind"]), dict(p["names"]), float(p["lat"]),
                                    float(p["lon"])))
            except (KeyError, TypeError, ValueError) as e:
                raise Invalid(f"Place {i} of the gazetteer is not id, kind, names, lat, lon ({e}); fix the "
                              "gazetteer file the world names.", field="geography.gazetteer") from e
        features = (zones or {}).get("features", [])
        if not isinstance(features, list):
            raise Invalid("The zones file must be a GeoJSON FeatureCollection.", field="geography.zones")
        return cls(tuple(places), tuple(features))
