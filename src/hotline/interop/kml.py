"""Zones to and from KML 2.2, without loss.

Each zone is a Placemark: ``id`` attribute = zone id, ``<name>`` = English name, the Hebrew and Arabic
names and every property (kind, status, binds, approximate, note, rules as JSON) in ``ExtendedData``.
Coordinates are written with ``repr`` so they read back as the same doubles. Altitudes are not written:
zone geometry is 2-D (an airspace band lives in its rules).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - only builds documents; parsing goes through defusedxml
from collections.abc import Iterable
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)

from hotline.geo.errors import GeoError
from hotline.geo.geometry import validate_geometry
from hotline.geo.zones import Zone, zone_from_feature

__all__ = ["KML_NS", "zones_from_kml", "zones_to_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"
ET.register_namespace("", KML_NS)


def _coords(seq: Iterable[tuple[float, ...]]) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in seq)


def _geom(parent: ET.Element, g: Any) -> None:
    t = g.geom_type
    if t == "Point":
        ET.SubElement(ET.SubElement(parent, f"{_K}Point"), f"{_K}coordinates").text = _coords(g.coords)
    elif t == "LineString":
        ET.SubElement(ET.SubElement(parent, f"{_K}LineString"), f"{_K}coordinates").text = _coords(g.coords)
    elif t == "Polygon":
        poly = ET.SubElement(parent, f"{_K}Polygon")
        for tag, rings in (("outerBoundaryIs", [g.exterior]), ("innerBoundaryIs", list(g.interiors))):
            for ring in rings:
                lr = ET.SubElement(ET.SubElement(poly, f"{_K}{tag}"), f"{_K}LinearRing")
                ET.SubElement(lr, f"{_K}coordinates").text = _coords(ring.coords)
    else:  # Multi*: KML's MultiGeometry; the kind is kept so the import rebuilds the same type
        multi = ET.SubElement(parent, f"{_K}MultiGeometry")
        for part in g.geoms:
            _geom(multi, part)


def zones_to_kml(zones: Iterable[Zone], name: str = "hotline zones") -> str:
    root = ET.Element(f"{_K}kml")
    doc = ET.SubElement(root, f"{_K}Document")
    ET.SubElement(doc, f"{_K}name").text = name
    for z in zones:
        validate_geometry(z.geometry)
        pm = ET.SubElement(doc, f"{_K}Placemark", id=z.id)
        ET.SubElement(pm, f"{_K}name").text = z.names.get("en", z.id)
        ext = ET.SubElement(pm, f"{_K}ExtendedData")
        data = {f"name_{lang}": text for lang, text in z.names.items()}
        data |= {
            "kind": z.kind,
            "status": z.status,
            "binds": json.dumps(list(z.binds)),
            "approximate": json.dumps(z.approximate),
            "note": z.note,
            "rules": json.dumps(dict(z.rules), ensure_ascii=False),
            "geometry_type": z.geometry.geom_type,
        }
        for key, value in data.items():
            ET.SubElement(ET.SubElement(ext, f"{_K}Data", name=key), f"{_K}value").text = value
        _geom(pm, z.geometry)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _read_coords(el: ET.Element | None, field: str) -> list[tuple[float, float]]:
    if el is None or not (el.text or "").strip():
        raise GeoError(field, "A KML geometry has no coordinates.")
    out = []
    for tup in el.text.split():  # type: ignore[union-attr]
        parts = tup.split(",")
        try:
            out.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError) as e:
            raise GeoError(field, f"KML coordinate {tup!r} is not 'lon,lat[,alt]'.") from e
    return out


def _parse_geom(el: ET.Element, field: str) -> list[Any]:
    """Shapely parts of one KML geometry element."""
    tag = el.tag.removeprefix(_K)
    if tag == "Point":
        return [Point(_read_coords(el.find(f"{_K}coordinates"), field)[0])]
    if tag == "LineString":
        return [LineString(_read_coords(el.find(f"{_K}coordinates"), field))]
    if tag == "Polygon":
        outer = _read_coords(el.find(f"{_K}outerBoundaryIs/{_K}LinearRing/{_K}coordinates"), field)
        holes = [_read_coords(c, field) for c in el.findall(f"{_K}innerBoundaryIs/{_K}LinearRing/{_K}coordinates")]
        return [Polygon(outer, holes)]
    if tag == "MultiGeometry":
        return [p for child in el for p in _parse_geom(child, field)]
    raise GeoError(field, f"KML geometry <{tag}> is not supported; use Point, LineString, Polygon or MultiGeometry.")


_GEOMS = ("Point", "LineString", "Polygon", "MultiGeometry")
_MULTI = {"MultiPoint": MultiPoint, "MultiLineString": MultiLineString, "MultiPolygon": MultiPolygon}


def zones_from_kml(text: str) -> list[Zone]:
    """Zones from a KML document written by ``zones_to_kml`` (or by hand with the same ExtendedData)."""
    try:
        # defusedxml refuses a DTD's entities (billion laughs, quadratic blow-up) and external references
        # outright; a zone document never needs them.
        root = SafeET.fromstring(text, forbid_dtd=True)
    except ET.ParseError as e:
        raise GeoError("body", f"The document is not well-formed XML ({e}).") from e
    except DefusedXmlException as e:
        raise GeoError("body", f"The document declares a DTD or entities, which zone KML never needs ({e}).") from e
    out = []
    for i, pm in enumerate(root.iter(f"{_K}Placemark")):
        field = f"placemarks[{i}]"
        data = {d.get("name", ""): (d.findtext(f"{_K}value") or "") for d in pm.iter(f"{_K}Data")}
        geom_el = next((c for c in pm if c.tag.removeprefix(_K) in _GEOMS), None)
        if geom_el is None:
            raise GeoError(f"{field}.geometry", "A Placemark has no geometry.")
        parts = _parse_geom(geom_el, f"{field}.geometry")
        gtype = data.get("geometry_type", parts[0].geom_type if len(parts) == 1 else "")
        geom = _MULTI[gtype](parts) if gtype in _MULTI else parts[0]
        try:
            feature = {
                "type": "Feature",
                "id": pm.get("id"),
                "geometry": geom.__geo_interface__,
                "properties": {
                    "kind": data.get("kind"),
                    "status": data.get("status", "active"),
                    "binds": json.loads(data.get("binds", "[]")),
                    "approximate": json.loads(data.get("approximate", "false")),
                    "note": data.get("note", ""),
                    "rules": json.loads(data.get("rules", "{}")),
                    "names": {k.removeprefix("name_"): v for k, v in data.items() if k.startswith("name_")},
                },
            }
        except json.JSONDecodeError as e:
            raise GeoError(f"{field}.extended_data", f"ExtendedData holds invalid JSON ({e.msg}).") from e
        try:
            out.append(zone_from_feature(feature))
        except GeoError as e:
            raise GeoError(f"{field}.{e.field}", e.detail) from e
    return out
