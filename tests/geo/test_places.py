"""The demo lines put well-known places on their documented sides of the 1974 lines.

Each place carries its position, the side its sources give (west of Line A, inside the Area of
Separation, east of Line B), the source of that side and how good the position is. docs/places.md lists
the same places with the sources in full. Grades: ``A`` position and side both from the cited source;
``B`` side from the cited source, position derived from a stated distance or taken from the demo
gazetteer; ``C`` position from general knowledge (rounded), not confirmed against a source, side beyond
doubt (the place lies kilometres from either line).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from shapely.geometry import LineString, Point

from hotline.demo.geography import load_gazetteer, load_zones
from hotline.geo import Zone
from hotline.geo.projection import to_metric

WEST, INSIDE, EAST = "west of Line A", "inside the Area of Separation", "east of Line B"


@dataclass(frozen=True)
class Researched:
    id: str  # the gazetteer id
    lat: float
    lon: float
    side: str
    grade: str
    source: str


PLACES = (
    # West of Line A: the Druze towns of the northern Golan, Israeli villages and positions.
    Researched("majdal-shams", 33.2692, 35.7706, WEST, "A", "Wikipedia 'Majdal Shams'; DOMAIN.md"),
    Researched("ein-qiniyye", 33.23694, 35.73083, WEST, "A", "Wikipedia 'Ein Qiniyye'"),
    Researched("buqata", 33.2, 35.783, WEST, "A", "Wikipedia 'Buq'ata' (arc-minute position)"),
    Researched("masade", 33.2331, 35.7542, WEST, "B", "Wikipedia 'Majdal Shams' (four Druze towns)"),
    Researched("neve-ativ", 33.26167, 35.74111, WEST, "A", "Wikipedia 'Neve Ativ'"),
    Researched("el-rom", 33.1794, 35.7714, WEST, "A", "Wikipedia 'El Rom'"),
    Researched("merom-golan", 33.1333, 35.7758, WEST, "A", "Wikipedia 'Merom Golan'"),
    Researched("mount-bental", 33.128, 35.785, WEST, "C", "general knowledge; overlooks Quneitra"),
    Researched("ein-zivan", 33.086, 35.787, WEST, "C", "general knowledge; Shafaq News 'Ain Ziwan'"),
    Researched("ramat-magshimim", 32.85, 35.813, WEST, "C", "general knowledge"),
    Researched("katzrin", 32.9925, 35.6914, WEST, "B", "demo gazetteer position"),
    Researched("tiberias", 32.7922, 35.5312, WEST, "B", "demo gazetteer position"),
    Researched("sea-of-galilee", 32.82, 35.59, WEST, "B", "demo gazetteer position"),
    Researched("hermon-israeli-position", 33.308, 35.786, WEST, "C", "general knowledge; Al-Monitor"),
    Researched("camp-ziouani", 33.106, 35.784, WEST, "B", "UNDOF; canadiansoldiers.com"),
    # Inside the Area of Separation.
    Researched("quneitra", 33.12556, 35.82389, INSIDE, "A", "Wikipedia 'Quneitra'"),
    Researched("hermon", 33.4164, 35.8572, INSIDE, "A", "UNDOF: its highest position, 2,814 m"),
    Researched("bir-ajam", 33.05324, 35.86712, INSIDE, "A", "Wikipedia 'Beer Ajam'; UNDOF map list"),
    Researched("bariqa", 33.04306, 35.87111, INSIDE, "A", "Wikipedia 'Bariqa'; Enab Baladi"),
    Researched("jubata-al-khashab", 33.226, 35.835, INSIDE, "B", "South Front; 6 km S of Hader"),
    Researched("turunjah", 33.234, 35.828, INSIDE, "B", "SOHR; UNDOF map list; 5 km S of Hader"),
    Researched("hamidiyah", 33.15, 35.815, INSIDE, "B", "golan.sy: 3 km N of Quneitra, by the line"),
    # East of Line B: the villages at the foot of Hermon, the Yarmouk basin, the Syrian interior.
    Researched("hader", 33.27944, 35.83028, EAST, "A", "Wikipedia 'Hader'; Majalla"),
    Researched("beit-jinn", 33.31056, 35.91889, EAST, "A", "Wikipedia 'Beit Jinn'"),
    Researched("mazraat-beit-jinn", 33.305, 35.965, EAST, "B", "Wikipedia 'Beit Jinn' (to its east)"),
    Researched("khan-arnabah", 33.1833, 35.8833, EAST, "B", "demo gazetteer; Wikipedia 'Madinat al-Baath'"),
    Researched("jamla", 32.80611, 35.85083, EAST, "A", "Wikipedia 'Jamla'"),
    Researched("maariya", 32.76417, 35.79833, EAST, "A", "Wikipedia 'Ma'ariya'; opposite side of the zone"),
    Researched("tell-al-hara", 33.06278, 35.99194, EAST, "A", "Wikipedia 'Tell al-Hara'"),
    Researched("nawa", 32.8897, 36.0433, EAST, "C", "general knowledge"),
    Researched("jasim", 32.9922, 36.06, EAST, "C", "general knowledge"),
    Researched("camp-faouar", 33.33, 35.965, EAST, "B", "UNDOF: Camp Faouar on the B-Side"),
    Researched("damascus", 33.5138, 36.2765, EAST, "B", "demo gazetteer position"),
    Researched("daraa", 32.6189, 36.1021, EAST, "B", "demo gazetteer position"),
    Researched("suwayda", 32.7089, 36.5695, EAST, "B", "demo gazetteer position"),
)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Zone]:
    return {z.id: z for z in load_zones()}


def line_lon_at(line: LineString, lat: float) -> float:
    """The longitude where a north-to-south line crosses ``lat``; beyond its ends, the nearer end's."""
    coords = list(line.coords)
    if lat >= coords[0][1]:
        return float(coords[0][0])
    if lat <= coords[-1][1]:
        return float(coords[-1][0])
    for (x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False):
        if y1 <= lat <= y0:
            return float(x0 + (x1 - x0) * (y0 - lat) / (y0 - y1))
    raise AssertionError(f"line does not run north to south at {lat}")  # pragma: no cover


def side_of(shipped: dict[str, Zone], lat: float, lon: float) -> str:
    if shipped["aos"].geometry.contains(Point(lon, lat)):
        return INSIDE
    if lon < line_lon_at(shipped["line-a"].geometry, lat):
        return WEST
    if lon > line_lon_at(shipped["line-b"].geometry, lat):
        return EAST
    return "between the lines but outside the area"


def test_at_least_thirty_places_from_every_side() -> None:
    assert len(PLACES) >= 30 and len({p.id for p in PLACES}) == len(PLACES)
    assert {p.side for p in PLACES} == {WEST, INSIDE, EAST}
    assert all(p.grade in "ABC" and p.source for p in PLACES)


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.id)
def test_place_lies_on_its_documented_side(shipped: dict[str, Zone], place: Researched) -> None:
    assert side_of(shipped, place.lat, place.lon) == place.side


def test_every_researched_place_is_in_the_gazetteer_at_the_same_position() -> None:
    gazetteer = {p.id: p for p in load_gazetteer()}
    for place in PLACES:
        g = gazetteer[place.id]
        assert (g.lat, g.lon) == (place.lat, place.lon), place.id
        assert all(g.names[lang] for lang in ("en", "he", "ar")), place.id


def test_the_lines_run_north_to_south_and_the_area_has_the_documented_size(shipped: dict[str, Zone]) -> None:
    for zid in ("line-a", "line-b"):
        lats = [y for _, y in shipped[zid].geometry.coords]
        assert lats == sorted(lats, reverse=True), zid
    aos = shipped["aos"].geometry
    assert 220 < to_metric(aos).area / 1e6 < 260  # about 235 km²
    south, north = aos.bounds[1], aos.bounds[3]
    assert 75 < (north - south) * 111.2 < 85  # about 80 km long
