"""Grid conversions: UTM, MGRS and the Israeli Transverse Mercator (EPSG:2039).

MGRS is written here rather than taken from the ``mgrs`` package because that package accepts a wrong
band letter or a square far outside its zone silently (it only warns), and a hotline must refuse a
reference that names no real place. The letter scheme is the WGS84 one (AA pattern): column letters
cycle in three sets of eight by zone, row letters in twenty with an offset of five for even zones.
Zone exceptions of Norway and Svalbard (31V/32V, 31X–37X) and the polar UPS grid are not supported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

from .errors import GeoError

__all__ = [
    "ITM_BOUNDS",
    "MgrsSquare",
    "UtmPoint",
    "band_letter",
    "format_mgrs",
    "in_itm_area",
    "itm_to_latlon",
    "latlon_to_itm",
    "latlon_to_utm",
    "mgrs_to_square",
    "utm_to_latlon",
    "utm_zone",
]

BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8° bands from 80° S; X spans 72–84° N
_COLUMN_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
_ROWS = "ABCDEFGHJKLMNPQRSTUV"

# The EPSG area of use of ITM stops at 35.69° E, short of the Golan where Israeli units use the grid
# every day; we widen it east to 35.95° E and north to 33.45° N. Beyond that ITM is not offered.
ITM_BOUNDS = (34.17, 29.45, 35.95, 33.45)  # west, south, east, north


@dataclass(frozen=True, slots=True)
class UtmPoint:
    zone: int
    band: str
    easting: float
    northing: float

    @property
    def north(self) -> bool:
        return self.band >= "N"


@dataclass(frozen=True, slots=True)
class MgrsSquare:
    """The square an MGRS reference names: its south-west corner, centre and side length."""

    sw_lat: float
    sw_lon: float
    lat: float
    lon: float
    size_m: float
    zone: int
    band: str


@lru_cache(maxsize=128)
def _utm(zone: int, north: bool) -> tuple[Transformer, Transformer]:
    epsg = (32600 if north else 32700) + zone
    fwd = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    inv = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    return fwd, inv


@lru_cache(maxsize=1)
def _itm() -> tuple[Transformer, Transformer]:
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:2039", always_xy=True)
    inv = Transformer.from_crs("EPSG:2039", "EPSG:4326", always_xy=True)
    return fwd, inv


def utm_zone(lon: float) -> int:
    """The UTM zone of a longitude: 36 for 30–36° E, 37 for 36–42° E (36° E itself is in 37)."""
    return min(int((lon + 180.0) // 6.0) + 1, 60)


def band_letter(lat: float) -> str:
    if not -80.0 <= lat <= 84.0:
        raise GeoError(
            "location",
            f"Latitude {lat} is outside the UTM/MGRS bands (80° S to 84° N); use decimal degrees near the poles.",
        )
    return BANDS[min(int((lat + 80.0) // 8.0), len(BANDS) - 1)]


def _band_range(band: str) -> tuple[float, float]:
    i = BANDS.index(band)
    south = -80.0 + 8.0 * i
    return south, (84.0 if band == "X" else south + 8.0)


def latlon_to_utm(lat: float, lon: float) -> UtmPoint:
    zone = utm_zone(lon)
    band = band_letter(lat)
    e, n = _utm(zone, lat >= 0)[0].transform(lon, lat)
    return UtmPoint(zone, band, float(e), float(n))


def utm_to_latlon(zone: int, north: bool, easting: float, northing: float) -> tuple[float, float]:
    lon, lat = _utm(zone, north)[1].transform(easting, northing)
    return float(lat), float(lon)


def _check_in_zone(zone: int, band: str, corners: list[tuple[float, float]], field: str, text: str) -> None:
    """Refuse a square (or point) none of whose corners lies in its zone's longitudes and band's latitudes.

    A reference truncated from a point of the zone always keeps one corner inside it, so a square
    wholly outside names a place in another zone (or a mistyped letter).
    """
    west = -180.0 + 6.0 * (zone - 1)
    south, north = _band_range(band)
    eps = 1e-9
    if not any(west - eps <= lon <= west + 6.0 + eps for _, lon in corners):
        lons = ", ".join(f"{lon:.3f}" for _, lon in corners[:1])
        raise GeoError(
            field,
            f"'{text}' lies at longitude {lons}° E, outside zone {zone} ({west:g}° to "
            f"{west + 6:g}°); check the zone number and the easting (or column letter).",
        )
    if not any(south - eps <= lat <= north + eps for lat, _ in corners):
        lat0 = corners[0][0]
        raise GeoError(
            field,
            f"'{text}' lies at latitude {lat0:.3f}°, outside band {band} ({south:g}° to "
            f"{north:g}°); check the band letter and the northing (or row letter).",
        )


def check_utm(zone: int, band: str, easting: float, northing: float, field: str, text: str) -> tuple[float, float]:
    """Convert a UTM reference with a band letter to lat/lon, refusing one outside its zone or band."""
    if not 1 <= zone <= 60:
        raise GeoError(field, f"UTM zone {zone} does not exist; zones run from 1 to 60.")
    if band not in BANDS:
        raise GeoError(field, f"'{band}' is not a UTM latitude band; bands are C to X without I and O.")
    if not 100_000 <= easting <= 900_000:
        raise GeoError(
            field,
            f"Easting {easting:g} m is outside any UTM zone (100,000 to 900,000 m); "
            "check that easting and northing are not swapped.",
        )
    lat, lon = utm_to_latlon(zone, band >= "N", easting, northing)
    _check_in_zone(zone, band, [(lat, lon)], field, text)
    return lat, lon


def mgrs_to_square(zone: int, band: str, column: str, row: str, digits: str, field: str, text: str) -> MgrsSquare:
    """Resolve an MGRS reference to its square, refusing letters that do not fit the zone or band."""
    if not 1 <= zone <= 60:
        raise GeoError(field, f"MGRS zone {zone} does not exist; zones run from 1 to 60.")
    if band not in BANDS:
        raise GeoError(field, f"'{band}' is not an MGRS latitude band; bands are C to X without I and O.")
    columns = _COLUMN_SETS[(zone - 1) % 3]
    if column not in columns:
        raise GeoError(
            field,
            f"Column letter '{column}' is not used in zone {zone} (its columns are "
            f"{columns[0]}–{columns[-1]}); the reference is probably in the neighbouring zone.",
        )
    if row not in _ROWS:
        raise GeoError(field, f"'{row}' is not an MGRS row letter (A to V without I and O).")
    if len(digits) % 2 or len(digits) > 10:
        raise GeoError(
            field,
            f"An MGRS reference needs an even number of digits, at most ten; '{text}' "
            f"has {len(digits)}. Give as many easting digits as northing digits.",
        )
    half = len(digits) // 2
    size = 10.0 ** (5 - half)
    e_in = float(digits[:half]) * size if half else 0.0
    n_in = float(digits[half:]) * size if half else 0.0
    easting = (columns.index(column) + 1) * 100_000.0 + e_in
    row_index = (_ROWS.index(row) - (5 if zone % 2 == 0 else 0)) % 20
    north = band >= "N"
    south_lat, north_lat = _band_range(band)
    # The row letter repeats every 2,000 km of northing; the band letter says which repetition is meant.
    for k in range(5):
        northing = row_index * 100_000.0 + k * 2_000_000.0 + n_in
        lat, _ = utm_to_latlon(zone, north, easting + size / 2, northing + size / 2)
        if south_lat - 1.0 <= lat <= north_lat + 1.0:
            break
    else:
        raise GeoError(
            field,
            f"Row letter '{row}' of '{text}' never falls in band {band} ({south_lat:g}° to "
            f"{north_lat:g}°) of zone {zone}; check the band letter and the row letter.",
        )
    corners = [utm_to_latlon(zone, north, easting + de, northing + dn) for de in (0.0, size) for dn in (0.0, size)]
    _check_in_zone(zone, band, corners, field, text)
    clat, clon = utm_to_latlon(zone, north, easting + size / 2, northing + size / 2)
    sw_lat, sw_lon = corners[0]
    return MgrsSquare(sw_lat, sw_lon, clat, clon, size, zone, band)


def format_mgrs(lat: float, lon: float, digits: int = 5) -> str:
    """MGRS reference of the square containing the point, truncated (never rounded) to ``digits`` each."""
    if not 0 <= digits <= 5:
        raise GeoError("digits", f"MGRS precision must be 0 to 5 digits per axis, not {digits}.")
    u = latlon_to_utm(lat, lon)
    columns = _COLUMN_SETS[(u.zone - 1) % 3]
    e100, n100 = int(u.easting // 100_000), int(u.northing // 100_000)
    column = columns[e100 - 1]
    row = _ROWS[(n100 + (5 if u.zone % 2 == 0 else 0)) % 20]
    unit = 10 ** (5 - digits)
    e = int((u.easting - e100 * 100_000) // unit)
    n = int((u.northing - n100 * 100_000) // unit)
    head = f"{u.zone}{u.band}{column}{row}"
    return head if digits == 0 else f"{head} {e:0{digits}d} {n:0{digits}d}"


def in_itm_area(lat: float, lon: float) -> bool:
    west, south, east, north = ITM_BOUNDS
    return west <= lon <= east and south <= lat <= north


def latlon_to_itm(lat: float, lon: float) -> tuple[float, float] | None:
    """ITM easting/northing in metres, or None outside the (widened) ITM area."""
    if not in_itm_area(lat, lon):
        return None
    e, n = _itm()[0].transform(lon, lat)
    return float(e), float(n)


def itm_to_latlon(easting: float, northing: float, field: str, text: str) -> tuple[float, float]:
    lon, lat = _itm()[1].transform(easting, northing)
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)) or not in_itm_area(lat, lon):
        raise GeoError(
            field,
            f"'{text}' falls outside the Israeli grid's area (it would be at "
            f"{lat:.3f}, {lon:.3f}); ITM gives easting (about 100,000–300,000) before northing "
            "(about 350,000–800,000).",
        )
    return lat, lon
