"""Zones, proposals, notices, findings and sightings as the CoT items a TAK client draws.

Shapes follow what ATAK/WinTAK/iTAK write themselves when a user draws:

- ``u-d-f`` (freehand/polygon): the vertices as ``<link point="lat,lon"/>`` in order; a closed area
  repeats its first vertex, a line does not. A multi-part zone is one event per part.
- ``u-d-r`` (rectangle): an axis-aligned four-cornered area, its four corners as links.
- ``u-d-c-c`` (circle): the centre in ``<point>``, ``<shape><ellipse major minor angle/></shape>`` in
  metres; a protected site given as a point is a circle of its buffer.
- style: ``<strokeColor>``/``<fillColor>`` as signed 32-bit ARGB integers, ``<strokeWeight>``,
  ``<strokeStyle value="solid|dashed"/>``, ``<labels_on>``; the name in ``<contact callsign>``.

A proposal is drawn dashed, in yellow with a faint fill, and its label says "proposed" in the
party's language, so nobody mistakes it for a line in force. Holes of a polygon are not drawn (TAK
shapes have none); the zone's outer ring is what a handset shows.

Markers (notices, findings, sightings) are points with a callsign, remarks and a stale time: TAK
drops an item once it is stale. An item that ends early (a notice withdrawn, a finding cleared, a
proposal closed) is removed with ``t-x-d-d``, the delete TAK clients send themselves.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - building only; parsing goes through defusedxml
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import shapely
from shapely.geometry import shape as geojson_shape

from hotline.domain.timefmt import parse_iso
from hotline.geo.zones import Zone

from .xml import _bytes, _event, cot_time, marker_event

__all__ = ["argb", "zone_shapes", "delete_event", "notice_marker", "finding_marker", "sighting_marker",
           "proposed_label", "ZONE_STALE"]

ZONE_STALE = timedelta(days=1)  # re-sent on every connection; a handset keeps it a day without one
_PROPOSED = {"en": "proposed", "he": "מוצע", "ar": "مقترح"}


def argb(a: int, r: int, g: int, b: int) -> int:
    """An ARGB colour as the signed 32-bit integer TAK writes (``-65536`` is opaque red)."""
    v = (a << 24) | (r << 16) | (g << 8) | b
    return v - (1 << 32) if v >= 1 << 31 else v


# Stroke colour by zone kind: separation red, limitation orange, airspace blue, protected sites
# green, corridors cyan, lines white (drawn on dark imagery).
_KIND_RGB = {"separation": (230, 30, 30), "limitation": (255, 140, 0), "airspace": (40, 110, 255),
             "protected_site": (30, 170, 60), "corridor": (0, 200, 200), "line": (255, 255, 255)}
_PROPOSAL_RGB = (255, 215, 0)


def proposed_label(lang: str) -> str:
    return _PROPOSED.get(lang, _PROPOSED["en"])


def _name(names: Mapping[str, str], lang: str, fallback: str) -> str:
    return names.get(lang) or names.get("en") or fallback


def _style(detail: ET.Element, kind: str, *, proposed: bool, area: bool) -> None:
    r, g, b = _PROPOSAL_RGB if proposed else _KIND_RGB.get(kind, (255, 255, 255))
    ET.SubElement(detail, "strokeColor", {"value": str(argb(255, r, g, b))})
    ET.SubElement(detail, "strokeWeight", {"value": "3.0"})
    ET.SubElement(detail, "strokeStyle", {"value": "dashed" if proposed else "solid"})
    if area:
        ET.SubElement(detail, "fillColor", {"value": str(argb(0x20 if proposed else 0x40, r, g, b))})
    ET.SubElement(detail, "labels_on", {"value": "true"})


def _is_rectangle(poly: Any) -> bool:
    ring = shapely.get_coordinates(poly.exterior)
    return len(ring) == 5 and not poly.interiors and bool(poly.equals(shapely.box(*poly.bounds)))


def _parts(geom: Any) -> list[Any]:
    return list(geom.geoms) if geom.geom_type.startswith("Multi") else [geom]


def zone_shapes(zone: Zone, uid: str, lang: str, now: datetime, *, proposed: bool = False) -> list[tuple[str, bytes]]:
    """(uid, event) for every part of ``zone``: the first part under ``uid``, the others ``uid.N``."""
    label = _name(zone.names, lang, zone.id)
    if proposed:
        label = f"{label} ({proposed_label(lang)})"
    remarks = f"{zone.kind}: {zone.note}".strip(": ") if zone.note else zone.kind
    out: list[tuple[str, bytes]] = []
    for i, part in enumerate(_parts(zone.geometry)):
        part_uid = uid if i == 0 else f"{uid}.{i}"
        out.append((part_uid, _shape(part_uid, part, zone, label, remarks, now, proposed)))
    return out


def _shape(uid: str, part: Any, zone: Zone, label: str, remarks: str, now: datetime, proposed: bool) -> bytes:
    time, stale = cot_time(now), cot_time(now + ZONE_STALE)
    kind = part.geom_type
    if kind == "Point":
        ev, detail = _event(uid, "u-d-c-c", time, stale, part.y, part.x, how="h-e")
        radius = float(zone.rules.get("buffer_m", 0.0))
        shape = ET.SubElement(detail, "shape")
        ET.SubElement(shape, "ellipse", {"major": f"{radius:.1f}", "minor": f"{radius:.1f}", "angle": "360"})
        area = True
    else:
        coords = shapely.get_coordinates(part.exterior if kind == "Polygon" else part)
        area = kind == "Polygon"
        rect = area and _is_rectangle(part)
        if rect:
            coords = coords[:4]  # a rectangle is its four corners, not a closed ring
        centre = part.representative_point() if area else part.interpolate(0.5, normalized=True)
        ev, detail = _event(uid, "u-d-r" if rect else "u-d-f", time, stale, centre.y, centre.x, how="h-e")
        for lon, lat in coords:
            ET.SubElement(detail, "link", {"point": f"{lat:.6f},{lon:.6f}"})
    ET.SubElement(detail, "contact", {"callsign": label})
    ET.SubElement(detail, "remarks").text = remarks
    _style(detail, zone.kind, proposed=proposed, area=area)
    ET.SubElement(detail, "_hotline", {"zone": zone.id, "status": "proposed" if proposed else "active"})
    return _bytes(ev)


def delete_event(uid: str, now: datetime) -> bytes:
    """``t-x-d-d``: the TAK delete of the item ``uid`` (``__forcedelete`` so a client drops it at once)."""
    ev, detail = _event(f"{uid}.delete", "t-x-d-d", cot_time(now), cot_time(now + timedelta(minutes=1)), 0.0, 0.0,
                        how="h-g-i-g-o")
    ET.SubElement(detail, "link", {"uid": uid, "relation": "none", "type": "none"})
    ET.SubElement(detail, "__forcedelete")
    return _bytes(ev)


def notice_marker(notice_id: str, party: str, channel: str, body: Mapping[str, Any], now: datetime) -> bytes | None:
    """An active notice as a marker at its geometry, stale when its window ends (None once ended)."""
    end = parse_iso(body["window"]["end"])
    if end <= now:
        return None
    where = geojson_shape(body["geometry"]).representative_point()
    name = f"NOTICE {party.upper()} {body.get('type', '')}".strip()
    remarks = f"{body['window']['start']} to {body['window']['end']}"
    if body.get("text"):
        remarks += f": {body['text']}"
    return marker_event(f"hotline-notice-{notice_id}", "b-m-p-s-m", now, end - now, where.y, where.x, name, remarks,
                        {"notice": notice_id, "party": party, "channel": channel})


def finding_marker(finding_id: str, finding: Mapping[str, Any], raised_at: str, channel: str) -> bytes | None:
    """A raised finding as a marker, stale an hour after it was raised."""
    where = finding.get("where") or {}
    if "lat" not in where:
        return None
    track = finding.get("track", {})
    name = f"FINDING {finding['rule']} {finding.get('zone') or ''}".strip()
    return marker_event(f"hotline-finding-{finding_id}", "b-m-p-s-p-i", parse_iso(raised_at),
                        timedelta(hours=1), where["lat"], where["lon"], name, finding["explanation"],
                        {"finding": finding_id, "rule": finding["rule"], "zone": str(finding.get("zone") or ""),
                         "track": str(track.get("uid", "")), "channel": channel})


def sighting_marker(p: Mapping[str, Any], channel: str) -> bytes:
    """A sighting (the ``sighting.reported`` payload) as a marker, stale an hour after it was seen."""
    seen = parse_iso(p["seen_at"])
    heading = "" if p.get("heading") is None else f", heading {p['heading']:.0f}"
    remarks = f"{p['grading']}: {p['count']} x {p['what']}{heading} (seen {p['seen_at']})"
    return marker_event(f"hotline-sighting-{p['sighting_id']}", "b-m-p-s-p-i", seen,
                        timedelta(hours=1), p["where"]["lat"], p["where"]["lon"], f"SIGHTING {p['grading']}",
                        remarks, {"sighting": p["sighting_id"], "channel": channel})
