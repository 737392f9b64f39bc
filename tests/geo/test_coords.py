"""Locations in every grid the parties use, and the mistakes the grids invite."""

from __future__ import annotations

import math

import mgrs
import pytest

from hotline.geo import GeoError, format_all, format_mgrs, parse_location
from hotline.geo.projection import lonlat_to_xy

QUNEITRA = (33.1256, 35.8241)


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    (x1, y1), (x2, y2) = lonlat_to_xy(a[1], a[0]), lonlat_to_xy(b[1], b[0])
    return math.hypot(x1 - x2, y1 - y2)


@pytest.mark.parametrize(
    "text",
    [
        "33.1256, 35.8241",
        "33.1256 35.8241",
        "N33.1256 E35.8241",
        "33.1256N 35.8241E",
        "35.8241E, 33.1256N",
        "33°07'32.2\"N 35°49'26.8\"E",
        "33 07 32.2 N 35 49 26.8 E",
        "N 33°07′32.2″ E 35°49′26.8″",
        "33°07.537'N 35°49.447'E",
        "36SYB 63484 68761",
        "36SYB6348468761",
        "36syb 63484 68761",
        "36S 763484 3668761",
        "36 north 763484 3668761",
        "ITM 277284 781316",
    ],
)
def test_every_grid_reads_quneitra_to_within_a_few_metres(text: str) -> None:
    loc = parse_location(text)
    assert metres_between((loc.lat, loc.lon), QUNEITRA) < 10
    assert loc.precision_m < 10


def test_format_all_writes_the_point_in_every_grid_and_each_reads_back() -> None:
    out = format_all(*QUNEITRA)
    assert out == {
        "dd": "33.125600, 35.824100",
        "dms": "33°07'32.2\"N 35°49'26.8\"E",
        "mgrs": "36SYB 63484 68761",
        "utm": "36S 763484 3668761",
        "itm": "ITM 277284 781316",
    }
    for grid, text in out.items():
        loc = parse_location(text or "")
        assert loc.grid == grid
        assert metres_between((loc.lat, loc.lon), QUNEITRA) < 5


def test_itm_is_absent_outside_its_area() -> None:
    assert format_all(33.5138, 36.2765)["itm"] is None  # Damascus


def test_mgrs_names_a_square_truncated_not_rounded() -> None:
    # 63484 68761 at 10 km precision is square 6/6 (not 6/7): truncated.
    assert format_mgrs(*QUNEITRA, digits=1) == "36SYB 6 6"
    loc = parse_location("36SYB66")
    assert loc.square_size_m == 10_000
    assert loc.square_sw is not None
    assert loc.square_sw[0] < QUNEITRA[0] < loc.lat + 0.05
    assert loc.precision_m == pytest.approx(10_000 / math.sqrt(2))
    # The centre agrees with the reference implementation of MGRS (which returns square centres).
    ref = mgrs.MGRS().toLatLon("36SYB66")
    assert metres_between((loc.lat, loc.lon), ref) < 1


@pytest.mark.parametrize("digits,size", [(5, 1), (4, 10), (3, 100), (2, 1_000), (1, 10_000)])
def test_mgrs_precision_follows_the_digit_count(digits: int, size: int) -> None:
    loc = parse_location(format_mgrs(*QUNEITRA, digits=digits))
    assert loc.square_size_m == size
    assert metres_between((loc.lat, loc.lon), QUNEITRA) <= loc.precision_m


@pytest.mark.parametrize("lon,zone", [(35.999, "36S"), (36.001, "37S")])
def test_mgrs_across_the_36_degree_zone_change_resolves_to_the_decimal_place(lon: float, zone: str) -> None:
    ref = format_mgrs(33.0, lon)
    assert ref.startswith(zone)
    loc = parse_location(ref)
    decimal = parse_location(f"33.0, {lon}")
    assert metres_between((loc.lat, loc.lon), (decimal.lat, decimal.lon)) <= loc.precision_m
    for digits in (1, 2, 3, 4):
        coarse = parse_location(format_mgrs(33.0, lon, digits=digits))
        assert metres_between((coarse.lat, coarse.lon), (33.0, lon)) <= coarse.precision_m


def test_points_a_metre_apart_across_the_meridian_land_in_different_zones() -> None:
    west, east = parse_location("36SYB 80206 55283"), parse_location("37SBS 19793 55283")
    assert west.lon < 36.0 < east.lon
    assert metres_between((west.lat, west.lon), (east.lat, east.lon)) < 200


@pytest.mark.parametrize(
    "text,match",
    [
        ("36SZB 90000 00000", "outside zone 36"),  # a 36S square 900 km east: really in zone 37
        ("37SYB 11111 11111", "not used in zone 37"),  # column letter of the neighbouring zone
        ("36TYB 63484 68761", "band T"),  # band letter that does not match the northing
        ("36S 963484 3668761", "outside any UTM zone"),
        ("36S 600000 4668761", "outside band S"),
        ("36SYB 1234 123", "even number of digits"),
        ("ITM 900000 100000", "outside the Israeli grid"),
        ("95.0, 35.0", "Latitude 95.0 is out of range"),
        ("33.1, 190", "Longitude 190.0 is out of range"),
        ("33.1N 35.2N", "two latitudes"),
        ("33°75'00\"N 35°49'26.8\"E", "Minutes"),
        ("somewhere near Quneitra", "Cannot read"),
        ("", "empty"),
    ],
)
def test_bad_locations_are_refused_with_the_reason(text: str, match: str) -> None:
    with pytest.raises(GeoError, match=match) as e:
        parse_location(text)
    assert e.value.field == "location"


def test_out_of_range_point_cannot_be_formatted() -> None:
    with pytest.raises(GeoError) as e:
        format_all(91.0, 35.0)
    assert e.value.field == "location"
