"""Parse a location written in any grid the parties use, and write one point in all of them.

Accepted (case and spacing are free):

- decimal degrees ``33.1256, 35.8241`` (latitude first), or with hemisphere letters before or after
  each number (``N33.1256 E35.8241``, ``33.1256N 35.8241E``; S and W make it negative);
- degrees-minutes-seconds ``33°07'32.2"N 35°49'26.8"E``, also ``33 07 32.2 N 35 49 26.8 E`` and
  degrees-decimal-minutes ``33°07.537'N 35°49.447'E``;
- MGRS ``36SYB 63484 68761`` (or ``36SYB6348468761``): a square, truncated, 1 m to 100 km;
- UTM ``36S 763484 3668761``: a letter written against the zone is the latitude band (MGRS style,
  so S is 32–40° N, not "south"); ``36 north 763484 3668761`` / ``36 south ...`` name a hemisphere;
- ITM ``ITM 271234 771234``: Israeli Transverse Mercator (EPSG:2039), easting then northing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from .errors import GeoError
from .grids import (
    band_letter,
    check_utm,
    format_mgrs,
    itm_to_latlon,
    latlon_to_itm,
    latlon_to_utm,
    mgrs_to_square,
    utm_to_latlon,
)

__all__ = [
    "Grid",
    "Location",
    "check_latlon",
    "format_all",
    "format_dd",
    "format_dms",
    "format_itm",
    "format_utm",
    "parse_location",
]

Grid = Literal["dd", "dms", "mgrs", "utm", "itm"]
_M_PER_DEG = 111_320.0  # one degree of latitude, near enough for an uncertainty radius


@dataclass(frozen=True, slots=True)
class Location:
    """A parsed location: the best point, how far the true place may be from it, and where it came from.

    For MGRS, ``lat``/``lon`` is the centre of the named square, ``square_sw`` its south-west corner
    (lat, lon) and ``square_size_m`` its side; ``precision_m`` is the half-diagonal of the square.
    """

    lat: float
    lon: float
    precision_m: float
    grid: Grid
    text: str
    square_sw: tuple[float, float] | None = None
    square_size_m: float | None = None


def check_latlon(lat: float, lon: float, field: str = "location") -> None:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise GeoError(
            field,
            f"Latitude {lat} is out of range; it must lie between -90 and 90 degrees "
            "(did you swap latitude and longitude?).",
        )
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise GeoError(field, f"Longitude {lon} is out of range; it must lie between -180 and 180 degrees.")


_ITM = re.compile(r"^ITM[\s:]*E?\s*(\d{5,6}(?:\.\d+)?)[\s,/]+N?\s*(\d{5,6}(?:\.\d+)?)$")
_MGRS = re.compile(r"^(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])([A-HJ-NP-V])\s*(\d*)\s*(\d*)$")
_UTM = re.compile(
    r"^(?:UTM\s*)?(\d{1,2})\s*(?:([C-HJ-NP-X])|\s+(NORTH|SOUTH|N|S))?[\s,]+E?\s*(\d{5,7}(?:\.\d+)?)"
    r"(?:\s*M?E)?[\s,/]+N?\s*(\d{5,8}(?:\.\d+)?)(?:\s*M?N)?$"
)
_NUM = r"(\d+(?:\.\d+)?)"
# One angle: optional leading hemisphere, degrees, optional minutes, optional seconds, optional hemisphere.
_ANGLE = re.compile(
    rf"^([NSEW])?\s*([+-]?\d+(?:\.\d+)?)\s*(?:°|D|DEG|\s)?\s*(?:{_NUM}\s*(?:'|M|\s)?\s*)?"
    rf"(?:{_NUM}\s*(?:\"|''|S(?=\s*[NSEW]?$)|\s)?\s*)?([NSEW])?$"
)


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _angle(part: str, text: str) -> tuple[float, str | None, float, bool]:
    """(value, axis letter or None, precision in degrees, written as DMS?) of one half of a pair."""
    m = _ANGLE.match(part.strip())
    if not m:
        raise GeoError(
            "location",
            f"Cannot read '{part.strip()}' in '{text}' as an angle; write decimal "
            "degrees (33.1256) or degrees, minutes and seconds (33°07'32.2\"N).",
        )
    pre, deg, mins, secs, post = m.groups()
    if pre and post:
        raise GeoError("location", f"'{part.strip()}' has two hemisphere letters; give one, before or after.")
    hemi = pre or post
    value = float(deg)
    if mins is None and secs is not None:
        mins, secs = secs, None
    unit = 10.0 ** -_decimals(deg)
    dms = mins is not None
    if mins is not None:
        if "." in deg or float(mins) >= 60:
            raise GeoError("location", f"Minutes in '{part.strip()}' must be below 60 and follow whole degrees.")
        value = abs(value) + float(mins) / 60.0
        unit = 10.0 ** -_decimals(mins) / 60.0
        if secs is not None:
            if "." in mins or float(secs) >= 60:
                raise GeoError("location", f"Seconds in '{part.strip()}' must be below 60 and follow whole minutes.")
            value += float(secs) / 3600.0
            unit = 10.0 ** -_decimals(secs) / 3600.0
        if deg.startswith("-"):
            value = -value
    if hemi in ("S", "W"):
        if value < 0:
            raise GeoError("location", f"'{part.strip()}' is both negative and {hemi}; use one or the other.")
        value = -value
    axis = None if hemi is None else ("lat" if hemi in "NS" else "lon")
    return value, axis, unit, dms


def _split_pair(s: str) -> tuple[str, str] | None:
    if "," in s:
        a, _, b = s.partition(",")
        return a, b
    letters = [i for i, c in enumerate(s) if c in "NSEW"]
    if len(letters) == 2:
        if letters[0] == 0:  # prefixes: "N33.1 E35.8": split before the second letter
            return s[: letters[1]], s[letters[1] :]
        if letters[1] == len(s) - 1:  # suffixes: "33.1N 35.8E": split after the first letter
            return s[: letters[0] + 1], s[letters[0] + 1 :]
    tokens = s.split()
    if len(tokens) % 2 == 0 and tokens:  # "33 07 32.2 35 49 26.8": halves of equal length
        h = len(tokens) // 2
        return " ".join(tokens[:h]), " ".join(tokens[h:])
    return None


def _parse_geographic(s: str, text: str) -> Location:
    pair = _split_pair(s)
    if pair is None:
        raise GeoError(
            "location",
            f"Cannot read '{text}' as a location; write '33.1256, 35.8241', "
            "'33°07'32.2\"N 35°49'26.8\"E', an MGRS reference '36SYB 63484 68761', UTM "
            "'36S 763484 3668761' or 'ITM 271234 771234'.",
        )
    (v1, ax1, u1, d1), (v2, ax2, u2, d2) = _angle(pair[0], text), _angle(pair[1], text)
    if ax1 == "lon" or ax2 == "lat":
        if ax1 == ax2:
            raise GeoError("location", f"'{text}' gives two {ax1}itudes; give a latitude and a longitude.")
        v1, v2, u1, u2 = v2, v1, u2, u1
    elif ax1 is not None and ax1 == ax2:
        raise GeoError("location", f"'{text}' gives two latitudes; give a latitude and a longitude.")
    check_latlon(v1, v2)
    precision = max(u1, u2 * math.cos(math.radians(v1))) * _M_PER_DEG / 2
    return Location(v1, v2, precision, "dms" if (d1 or d2) else "dd", text)


def parse_location(text: str) -> Location:
    """Parse ``text`` in any supported grid; raise GeoError(field='location') naming the fix."""
    if not isinstance(text, str) or not text.strip():
        raise GeoError("location", "The location is empty; give coordinates such as '33.1256, 35.8241'.")
    s = text.strip().upper()
    for a, b in (("′", "'"), ("’", "'"), ("‘", "'"), ("″", '"'), ("”", '"'), ("“", '"'), ("º", "°")):
        s = s.replace(a, b)
    s = re.sub(r"\s+", " ", s)
    if m := _ITM.match(s):
        e, n = float(m.group(1)), float(m.group(2))
        lat, lon = itm_to_latlon(e, n, "location", text)
        return Location(lat, lon, 0.5 * 10.0 ** -min(_decimals(m.group(1)), _decimals(m.group(2))), "itm", text)
    if s.startswith("ITM"):
        raise GeoError(
            "location",
            f"Cannot read '{text}' as ITM; write 'ITM 271234 771234' (easting, then northing, in metres).",
        )
    if m := _MGRS.match(s):
        zone, band, col, row, d1, d2 = m.groups()
        sq = mgrs_to_square(int(zone), band, col, row, d1 + d2, "location", text)
        return Location(sq.lat, sq.lon, sq.size_m * math.sqrt(0.5), "mgrs", text, (sq.sw_lat, sq.sw_lon), sq.size_m)
    if m := _UTM.match(s):
        zone, band, hemi, e_text, n_text = m.groups()
        easting, northing = float(e_text), float(n_text)
        if band is None:
            # Without a band letter, find it from the hemisphere; check_utm then refuses a wrong zone.
            north = hemi is None or hemi.startswith("N")
            band = band_letter(_hemisphere_lat(int(zone), north, easting, northing, text))
        lat, lon = check_utm(int(zone), band, easting, northing, "location", text)
        unit = 10.0 ** -min(_decimals(e_text), _decimals(n_text))
        return Location(lat, lon, unit / 2, "utm", text)
    return _parse_geographic(s, text)


def _hemisphere_lat(zone: int, north: bool, easting: float, northing: float, text: str) -> float:
    if not 1 <= zone <= 60:
        raise GeoError("location", f"UTM zone {zone} does not exist; zones run from 1 to 60.")
    lat, _ = utm_to_latlon(zone, north, easting, northing)
    if not math.isfinite(lat) or not -80 <= lat <= 84:
        raise GeoError("location", f"'{text}' does not name a place in UTM zone {zone}; check the northing.")
    return lat


def _dms(value: float, pos: str, neg: str, width: int) -> str:
    tenths = round(abs(value) * 36000)  # integer tenths of a second, so 59.96" carries into the minute
    d, rem = divmod(tenths, 36000)
    m, t = divmod(rem, 600)
    return f"{d:0{width}d}°{m:02d}'{t / 10:04.1f}\"{pos if value >= 0 else neg}"


def format_dd(lat: float, lon: float) -> str:
    return f"{lat:.6f}, {lon:.6f}"


def format_dms(lat: float, lon: float) -> str:
    return f"{_dms(lat, 'N', 'S', 2)} {_dms(lon, 'E', 'W', 2)}"


def format_utm(lat: float, lon: float) -> str:
    u = latlon_to_utm(lat, lon)
    return f"{u.zone}{u.band} {int(u.easting)} {int(u.northing)}"


def format_itm(lat: float, lon: float) -> str | None:
    itm = latlon_to_itm(lat, lon)
    return None if itm is None else f"ITM {int(itm[0])} {int(itm[1])}"


def format_all(lat: float, lon: float, mgrs_digits: int = 5) -> dict[str, str | None]:
    """One point in every grid: keys dd, dms, mgrs, utm, itm (itm is None outside the ITM area)."""
    check_latlon(lat, lon)
    return {
        "dd": format_dd(lat, lon),
        "dms": format_dms(lat, lon),
        "mgrs": format_mgrs(lat, lon, mgrs_digits),
        "utm": format_utm(lat, lon),
        "itm": format_itm(lat, lon),
    }
