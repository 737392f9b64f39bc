"""Zones as data: lines, areas of separation and limitation, airspace, protected sites, corridors.

A zone is a GeoJSON Feature whose properties say what it is and whom it binds::

    {"type": "Feature", "id": "aos",
     "geometry": {...lon/lat WGS84...},
     "properties": {"kind": "separation", "status": "active", "binds": ["isr", "syr"],
                    "names": {"en": "Area of Separation", "he": "...", "ar": "..."},
                    "approximate": true, "note": "...", "rules": {}}}

Rules by kind (all optional unless stated):

- ``limitation``: ``max_troops``, ``max_tanks``, ``max_artillery`` (pieces), ``max_artillery_range_km``,
  ``sam_banned`` (bool). A 25 km SAM band is a limitation zone with only ``sam_banned``.
- ``airspace``: ``min_m``, ``max_m`` (required): the restricted altitude band above mean sea level.
- ``protected_site``: ``buffer_m`` (required), ``site`` (``town``, ``hospital``, ``un_position``, ...).
- ``corridor``: ``width_m``. ``line`` and ``separation`` have no rules.

A ``proposed`` zone is shown on the map and binds nobody: its ``binds`` must be empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import GeoError
from .geometry import DEFAULT_MAX_VERTICES, geometry_from_geojson, geometry_to_geojson, validate_geometry

__all__ = ["KINDS", "LANGUAGES", "STATUSES", "Zone", "zone_from_feature", "zone_to_feature"]

KINDS = ("line", "separation", "limitation", "airspace", "protected_site", "corridor")
STATUSES = ("active", "proposed")
LANGUAGES = ("en", "he", "ar")
_AREAS = ("Polygon", "MultiPolygon")
_GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "line": ("LineString", "MultiLineString"),
    "separation": _AREAS,
    "limitation": _AREAS,
    "airspace": _AREAS,
    "protected_site": ("Point", "MultiPoint", *_AREAS),
    "corridor": _AREAS,
}
_NUMERIC_RULES = (
    "max_troops",
    "max_tanks",
    "max_artillery",
    "max_artillery_range_km",
    "min_m",
    "max_m",
    "buffer_m",
    "width_m",
)
_REQUIRED_RULES = {"airspace": ("min_m", "max_m"), "protected_site": ("buffer_m",)}


@dataclass(frozen=True, slots=True)
class Zone:
    """One zone. ``geometry`` is a shapely geometry in lon/lat WGS84; ``rules`` depend on ``kind``."""

    id: str
    kind: Literal["line", "separation", "limitation", "airspace", "protected_site", "corridor"]
    names: Mapping[str, str]
    geometry: Any
    binds: tuple[str, ...] = ()
    status: Literal["active", "proposed"] = "active"
    approximate: bool = False
    rules: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    def binding(self, party: str) -> bool:
        """Whether this zone's rules apply to ``party``: active, and the party is among those it binds."""
        return self.status == "active" and party in self.binds


def _check_rules(kind: str, rules: Any) -> dict[str, Any]:
    if not isinstance(rules, Mapping):
        raise GeoError("properties.rules", 'Rules must be an object such as {"max_tanks": 75}.')
    out = dict(rules)
    for key in _NUMERIC_RULES:
        if key in out:
            v = out[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
                raise GeoError(f"properties.rules.{key}", f"Rule {key} must be a number of at least 0, not {v!r}.")
    for key in _REQUIRED_RULES.get(kind, ()):
        if key not in out:
            raise GeoError(f"properties.rules.{key}", f"A {kind} zone needs the rule {key}.")
    if "sam_banned" in out and not isinstance(out["sam_banned"], bool):
        raise GeoError("properties.rules.sam_banned", "Rule sam_banned must be true or false.")
    if kind == "airspace" and out["min_m"] > out["max_m"]:
        raise GeoError("properties.rules.max_m", "The airspace ceiling max_m lies below its floor min_m.")
    return out


def zone_from_feature(feature: Mapping[str, Any], *, max_vertices: int = DEFAULT_MAX_VERTICES) -> Zone:
    """Build a Zone from a GeoJSON Feature, raising GeoError naming the field at fault."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise GeoError("type", 'A zone must be a GeoJSON Feature ("type": "Feature").')
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise GeoError("properties", "A zone Feature needs a properties object with kind, names and status.")
    zid = feature.get("id", props.get("id"))
    if not isinstance(zid, str) or not zid:
        raise GeoError("id", "A zone needs a non-empty string id.")
    kind = props.get("kind")
    if kind not in KINDS:
        raise GeoError("properties.kind", f"Zone kind {kind!r} is unknown; use one of {', '.join(KINDS)}.")
    status = props.get("status", "active")
    if status not in STATUSES:
        raise GeoError("properties.status", f"Zone status {status!r} is unknown; use active or proposed.")
    names = props.get("names")
    if not isinstance(names, Mapping) or not all(
        isinstance(names.get(lang), str) and names[lang] for lang in LANGUAGES
    ):
        raise GeoError("properties.names", "A zone needs its name in English, Hebrew and Arabic (en, he, ar).")
    binds = props.get("binds", [])
    if not isinstance(binds, list | tuple) or not all(isinstance(b, str) and b for b in binds):
        raise GeoError("properties.binds", 'binds must be a list of party ids such as ["isr", "syr"].')
    if status == "proposed" and binds:
        raise GeoError("properties.binds", "A proposed zone binds nobody; leave binds empty until it is agreed.")
    approximate = props.get("approximate", False)
    if not isinstance(approximate, bool):
        raise GeoError("properties.approximate", "approximate must be true or false.")
    note = props.get("note", "")
    if not isinstance(note, str):
        raise GeoError("properties.note", "note must be a string.")
    geom = geometry_from_geojson(
        feature.get("geometry"), "geometry", allowed=_GEOMETRY_TYPES[kind], max_vertices=max_vertices
    )
    return Zone(
        id=zid,
        kind=kind,
        names={k: str(v) for k, v in names.items()},
        geometry=geom,
        binds=tuple(binds),
        status=status,
        approximate=approximate,
        rules=_check_rules(kind, props.get("rules", {})),
        note=note,
    )


def zone_to_feature(zone: Zone) -> dict[str, Any]:
    """The GeoJSON Feature of a zone; ``zone_from_feature(zone_to_feature(z)) == z``."""
    validate_geometry(zone.geometry)
    props: dict[str, Any] = {
        "kind": zone.kind,
        "status": zone.status,
        "binds": list(zone.binds),
        "names": dict(zone.names),
        "approximate": zone.approximate,
        "rules": dict(zone.rules),
    }
    if zone.note:
        props["note"] = zone.note
    return {
        "type": "Feature",
        "id": zone.id,
        "geometry": geometry_to_geojson(zone.geometry),
        "properties": props,
    }
