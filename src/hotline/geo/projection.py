"""One metric projection for all distance work, built once.

Buffers, distances and the spatial index are computed in a transverse Mercator centred on the demo
area (36° E, 33° N, scale 1): across the whole Golan and southern Syria (35.5–37° E) the scale error
stays under 0.02 %, better than UTM 36N whose central meridian (33° E) is 3° away. A world with a
different border passes another ``crs`` when it builds its engine; the default is only a default.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from pyproj import Transformer

__all__ = ["METRIC_CRS", "to_metric", "to_lonlat", "lonlat_to_xy", "xy_to_lonlat"]

METRIC_CRS = "+proj=tmerc +lat_0=33 +lon_0=36 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"


@lru_cache(maxsize=8)
def _forward(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


@lru_cache(maxsize=8)
def _inverse(crs: str) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def lonlat_to_xy(lon: Any, lat: Any, crs: str = METRIC_CRS) -> tuple[Any, Any]:
    """Project longitudes/latitudes (scalars or arrays) to metres."""
    return _forward(crs).transform(lon, lat)


def xy_to_lonlat(x: Any, y: Any, crs: str = METRIC_CRS) -> tuple[Any, Any]:
    """Unproject metres (scalars or arrays) back to longitudes/latitudes."""
    return _inverse(crs).transform(x, y)


def _apply(transformer: Transformer, geom: Any) -> Any:
    def fn(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    # shapely.transform hands every coordinate of an array of geometries to one call: vectorised.
    return shapely.transform(geom, fn)


def to_metric(geom: Any, crs: str = METRIC_CRS) -> Any:
    """Lon/lat geometry (or array of geometries) -> metric geometry."""
    return _apply(_forward(crs), geom)


def to_lonlat(geom: Any, crs: str = METRIC_CRS) -> Any:
    """Metric geometry (or array of geometries) -> lon/lat geometry."""
    return _apply(_inverse(crs), geom)
