"""GeoJSON geometry in, validated shapely geometry out.

Every check names the field at fault so the API can point at it: a geometry that is empty, of a type
the caller does not accept, with a coordinate out of range or not finite, with too many vertices (a
cheap denial of service otherwise: one 10-million-vertex polygon stalls every check), or invalid
(a polygon whose ring crosses itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from shapely.geometry import mapping, shape  # type: ignore[import-untyped]

from .errors import GeoError

__all__ = ["DEFAULT_MAX_VERTICES", "geometry_from_geojson", "geometry_to_geojson", "validate_geometry"]

DEFAULT_MAX_VERTICES = 5_000
_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _depth_ok(coords: Any, depth: int) -> bool:
    """Coordinates nest to the depth the type demands, ending in [lon, lat] pairs of real numbers."""
    if depth == 0:
        return (
            isinstance(coords, list | tuple)
            and len(coords) in (2, 3)
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        )
    return isinstance(coords, list | tuple) and all(_depth_ok(c, depth - 1) for c in coords)


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def geometry_from_geojson(
    obj: Any,
    field: str = "geometry",
    *,
    allowed: Iterable[str] = _TYPES,
    max_vertices: int = DEFAULT_MAX_VERTICES,
) -> Any:
    """Build and validate a shapely geometry (lon/lat WGS84) from a GeoJSON geometry mapping."""
    allowed = tuple(allowed)
    if not isinstance(obj, Mapping):
        raise GeoError(field, "The geometry must be a GeoJSON object with 'type' and 'coordinates'.")
    kind = obj.get("type")
    if kind not in allowed:
        raise GeoError(
            f"{field}.type", f"Geometry type {kind!r} is not accepted here; use one of {', '.join(allowed)}."
        )
    coords = obj.get("coordinates")
    if not _depth_ok(coords, _DEPTH[kind]):
        raise GeoError(
            f"{field}.coordinates",
            f"The coordinates do not have the shape a {kind} needs; "
            "GeoJSON writes every position as [longitude, latitude].",
        )
    try:
        geom = shape({"type": kind, "coordinates": coords})
    except (ValueError, TypeError, shapely.errors.GEOSException) as e:
        raise GeoError(f"{field}.coordinates", f"The coordinates do not make a {kind}: {e}.") from e
    validate_geometry(geom, field, max_vertices=max_vertices)
    return geom


def validate_geometry(geom: Any, field: str = "geometry", *, max_vertices: int = DEFAULT_MAX_VERTICES) -> None:
    """Raise GeoError unless ``geom`` is non-empty, within range, under the vertex cap and valid."""
    if geom is None or geom.is_empty:
        raise GeoError(field, "The geometry is empty; give at least one position.")
    xy = shapely.get_coordinates(geom)
    if len(xy) > max_vertices:
        raise GeoError(
            f"{field}.coordinates",
            f"The geometry has {len(xy):,} vertices, more than the {max_vertices:,} allowed; simplify it.",
        )
    if not np.isfinite(xy).all():
        raise GeoError(f"{field}.coordinates", "A coordinate is not a finite number.")
    bad_lon = np.abs(xy[:, 0]) > 180.0
    bad_lat = np.abs(xy[:, 1]) > 90.0
    if bad_lon.any() or bad_lat.any():
        i = int(np.argmax(bad_lon | bad_lat))
        lon, lat = float(xy[i, 0]), float(xy[i, 1])
        raise GeoError(
            f"{field}.coordinates",
            f"Position {i} [{lon}, {lat}] is out of range: longitude must be within ±180 and latitude within "
            "±90; GeoJSON writes [longitude, latitude], so the two may be swapped.",
        )
    if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise GeoError(
            field,
            f"The polygon is not valid ({reason}); a ring must not cross itself and holes must lie inside "
            "their shell. Redraw it without crossing edges.",
        )
    if geom.geom_type in ("Polygon", "MultiPolygon") and geom.area == 0.0:
        raise GeoError(field, "The polygon has no area; give at least three distinct corners.")


def geometry_to_geojson(geom: Any) -> dict[str, Any]:
    """GeoJSON geometry with lists (not tuples) and the coordinates exactly as stored."""

    def lists(x: Any) -> Any:
        return [lists(v) for v in x] if isinstance(x, list | tuple) else x

    m = mapping(geom)
    return {"type": m["type"], "coordinates": lists(m["coordinates"])}
