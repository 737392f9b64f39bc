"""Regenerate ``zones.geojson`` from the hand-drawn lines below (run: python -m hotline.demo.geography._build).

Everything here is APPROXIMATE: no UN map of the area and no copy of the agreement's map could be read
offline, so the lines are traced by hand to put some thirty well-known places on their documented sides
(tests/geo/test_places.py, docs/places.md), good to a few hundred metres at best. They make a sane demo,
not a legal map. The areas of limitation are not drawn: they are computed as buffers of the lines in the
metric projection, clipped to the right side of the line and to the demo box, exactly as the agreement
measures them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon, box, mapping

from hotline.geo.projection import to_lonlat, to_metric

NOTE = "Approximate, hand-traced for the demo; not an authoritative map of the 1974 lines."
BINDS = ["isr", "syr"]

# (lon, lat), north to south. Traced so that the places in tests/geo/test_places.py (and docs/places.md)
# fall on their documented sides: Line A runs just east of the Druze towns of the northern Golan, west of
# Quneitra and of the Circassian villages of Bir Ajam and Bariqa, then down the Wadi Ruqqad to the
# Yarmouk; Line B runs just west of Hader and Beit Jinn at the foot of Hermon, west of Khan Arnabah, and
# closes on Line A along the Ruqqad, west of Jamla and Ma'ariya in the Yarmouk basin.
LINE_A = [
    (35.7980, 33.3480),  # on the Hermon ridge, where the Lebanese border turns south-west
    (35.7935, 33.3250),
    (35.7920, 33.3050),  # east of the Israeli Hermon position
    (35.7860, 33.2850),
    (35.7840, 33.2690),  # east edge of Majdal Shams ("Shouting Hill")
    (35.7920, 33.2500),
    (35.7990, 33.2300),  # east of Mas'ade and Buq'ata
    (35.8000, 33.2000),
    (35.8010, 33.1800),  # east of El Rom
    (35.8040, 33.1600),
    (35.8060, 33.1500),
    (35.8090, 33.1250),
    (35.8120, 33.1000),
    (35.8220, 33.0800),
    (35.8320, 33.0550),  # about 3 km west of Bir Ajam and Bariqa
    (35.8430, 33.0200),
    (35.8520, 32.9800),
    (35.8560, 32.9400),
    (35.8520, 32.9000),
    (35.8460, 32.8600),
    (35.8410, 32.8300),
    (35.8390, 32.8060),  # Wadi Ruqqad below Jamla
    (35.8200, 32.7850),
    (35.7880, 32.7640),  # Ruqqad, west of Ma'ariya
    (35.7810, 32.7400),
    (35.7770, 32.7200),
    (35.7760, 32.7060),  # Ruqqad meets the Yarmouk (the Jordanian border)
]
LINE_B = [
    (35.8970, 33.4380),  # on the Hermon ridge north-east of the summit
    (35.8840, 33.4000),
    (35.8680, 33.3600),
    (35.8580, 33.3300),
    (35.8520, 33.3050),  # below the summit, west of Beit Jinn
    (35.8380, 33.2950),
    (35.8230, 33.2830),  # just west of Hader
    (35.8300, 33.2650),
    (35.8420, 33.2450),
    (35.8520, 33.2250),  # east of Jubata al-Khashab
    (35.8560, 33.2000),
    (35.8600, 33.1800),  # west of Khan Arnabah
    (35.8600, 33.1500),
    (35.8580, 33.1250),
    (35.8600, 33.1000),
    (35.8680, 33.0800),
    (35.8840, 33.0550),  # east of Bir Ajam and Bariqa
    (35.8840, 33.0300),
    (35.8740, 33.0000),
    (35.8680, 32.9600),
    (35.8610, 32.9200),
    (35.8570, 32.8800),
    (35.8490, 32.8400),
    (35.8450, 32.8080),  # west of Jamla, on the eastern slope of the Ruqqad
    (35.8260, 32.7880),
    (35.7910, 32.7650),  # west of Ma'ariya
    (35.7830, 32.7405),
    (35.7790, 32.7205),
    (35.7780, 32.7060),
]
# The Lebanese–Syrian border along the Hermon crest, from Line B's north end to Line A's: it closes the
# Area of Separation around the summit (2,814 m), whose UN positions lie inside the area.
HERMON_CREST = [(35.8800, 33.4300), (35.8600, 33.4210), (35.8400, 33.4050), (35.8200, 33.3800), (35.8050, 33.3600)]
# Around Quneitra Israeli forces stay west of A-1, a short line bowing west of the town.
LINE_A1 = [(35.8060, 33.1500), (35.8000, 33.1350), (35.8000, 33.1150), (35.8120, 33.1000)]
DEMO_BOX = box(35.55, 32.68, 36.35, 33.44)  # Lebanon to the north, the Yarmouk / Jordan to the south


def names(en: str, he: str, ar: str) -> dict[str, str]:
    return {"en": en, "he": he, "ar": ar}


def feature(
    zid: str,
    kind: str,
    nm: dict[str, str],
    geom: Any,
    *,
    binds: list[str] | None = None,
    status: str = "active",
    rules: dict[str, Any] | None = None,
) -> dict[str, Any]:
    g = shapely.set_precision(geom, 1e-6) if geom.geom_type != "Point" else geom
    g = shapely.transform(g, lambda xy: xy.round(6))
    m = json.loads(json.dumps(mapping(g)))
    return {
        "type": "Feature",
        "id": zid,
        "geometry": m,
        "properties": {
            "kind": kind,
            "status": status,
            "binds": [] if status == "proposed" else (binds or BINDS),
            "names": nm,
            "approximate": True,
            "note": NOTE,
            "rules": rules or {},
        },
    }


def side(line: list[tuple[float, float]], west: bool) -> Any:
    """The half of the demo area west (or east) of a line, closed far away from it."""
    lon0, lon1 = line[0][0], line[-1][0]
    far = 34.0 if west else 38.0
    ring = [(lon0, 34.5), *line, (lon1, 32.0), (far, 32.0), (far, 34.5)]
    return Polygon(ring)


def bands(line: list[tuple[float, float]], west: bool) -> dict[str, Any]:
    m_line = to_metric(LineString(line))
    half = to_metric(side(line, west)).intersection(to_metric(DEMO_BOX))
    aos_m = to_metric(aos())

    def ring(lo_km: float, hi_km: float) -> Any:
        outer = m_line.buffer(hi_km * 1000, quad_segs=8)
        inner = m_line.buffer(lo_km * 1000, quad_segs=8) if lo_km else aos_m
        g = outer.difference(inner).intersection(half).simplify(50).difference(aos_m)
        return to_lonlat(shapely.make_valid(g))

    return {"0_10": ring(0, 10), "10_20": ring(10, 20), "sam": ring(0, 25)}


def aos() -> Any:
    return Polygon([*LINE_A, *reversed(LINE_B), *HERMON_CREST])


def largest(g: Any) -> Any:
    if g.geom_type == "MultiPolygon":
        return max(g.geoms, key=lambda p: p.area)
    return g


def build() -> dict[str, Any]:
    feats = [
        feature("line-a", "line", names("Line A (1974)", "קו A (1974)", "الخط ألف (1974)"), LineString(LINE_A)),
        feature("line-b", "line", names("Line B (1974)", "קו B (1974)", "الخط باء (1974)"), LineString(LINE_B)),
        feature(
            "line-a1",
            "line",
            names("Line A-1 (Quneitra)", "קו A-1 (קוניטרה)", "الخط ألف-1 (القنيطرة)"),
            LineString(LINE_A1),
        ),
        feature("aos", "separation", names("Area of Separation", "אזור ההפרדה", "منطقة الفصل"), aos()),
        feature(
            "aos-airspace",
            "airspace",
            names(
                "Restricted airspace over the Area of Separation",
                "מרחב אווירי מוגבל מעל אזור ההפרדה",
                "مجال جوي مقيد فوق منطقة الفصل",
            ),
            aos(),
            rules={"min_m": 0, "max_m": 12000},
        ),
    ]
    for party, line, west, he_side, ar_side, en_side in (
        ("isr", LINE_A, True, "צד ישראל", "الجانب الإسرائيلي", "Israeli side"),
        ("syr", LINE_B, False, "צד סוריה", "الجانب السوري", "Syrian side"),
    ):
        b = bands(line, west)
        feats += [
            feature(
                f"lim-{party}-0-10",
                "limitation",
                names(
                    f"Area of limitation 0–10 km ({en_side})",
                    f'אזור הגבלה 0–10 ק"מ ({he_side})',
                    f"منطقة التحديد 0–10 كم ({ar_side})",
                ),
                largest(b["0_10"]),
                binds=[party],
                rules={"max_troops": 6000, "max_tanks": 75, "max_artillery": 36, "max_artillery_range_km": 12},
            ),
            feature(
                f"lim-{party}-10-20",
                "limitation",
                names(
                    f"Area of limitation 10–20 km ({en_side})",
                    f'אזור הגבלה 10–20 ק"מ ({he_side})',
                    f"منطقة التحديد 10–20 كم ({ar_side})",
                ),
                largest(b["10_20"]),
                binds=[party],
                rules={"max_artillery": 162, "max_artillery_range_km": 20},
            ),
            feature(
                f"sam-{party}-25",
                "limitation",
                names(
                    f"SAM exclusion band 25 km ({en_side})",
                    f'רצועת איסור טק"א 25 ק"מ ({he_side})',
                    f"نطاق حظر صواريخ أرض-جو 25 كم ({ar_side})",
                ),
                largest(b["sam"]),
                binds=[party],
                rules={"sam_banned": True},
            ),
        ]
    sites = [
        ("site-majdal-shams", "town", 35.7706, 33.2697, 1000, names("Majdal Shams", "מג'דל שמס", "مجدل شمس")),
        ("site-masade", "town", 35.7542, 33.2331, 1000, names("Mas'ade", "מסעדה", "مسعدة")),
        ("site-hader", "town", 35.8303, 33.2794, 1000, names("Hader", "חאדר", "حضر")),
        ("site-khan-arnabah", "town", 35.8833, 33.1833, 1000, names("Khan Arnabah", "ח'אן ארנבה", "خان أرنبة")),
        ("site-jubata", "town", 35.8350, 33.2260, 1000, names("Jubata al-Khashab", "ג'ובתא אל-ח'שב", "جباتا الخشب")),
        ("site-quneitra", "town", 35.8239, 33.1256, 1500, names("Quneitra", "קוניטרה", "القنيطرة")),
        (
            "site-quneitra-hospital",
            "hospital",
            35.8700,
            33.0830,
            500,
            names("Quneitra hospital (approx.)", "בית החולים בקוניטרה (משוער)", "مشفى القنيطرة (تقريبي)"),
        ),
        (
            "site-camp-faouar",
            "un_position",
            35.9650,
            33.3300,
            1000,
            names("UNDOF Camp Faouar", 'מחנה פאוואר (אונדו"ף)', "معسكر الفوار (أندوف)"),
        ),
        (
            "site-camp-ziouani",
            "un_position",
            35.7840,
            33.1060,
            1000,
            names("UNDOF Camp Ziouani", 'מחנה זיואני (אונדו"ף)', "معسكر زيواني (أندوف)"),
        ),
        (
            "site-hermon-un",
            "un_position",
            35.8572,
            33.4164,
            500,
            names("UN position, Hermon summit", 'עמדת האו"ם, פסגת החרמון', "موقع الأمم المتحدة، قمة جبل الشيخ"),
        ),
        (
            "site-hermon-isr",
            "military_post",
            35.7860,
            33.3080,
            300,
            names("Hermon position (Israeli side)", "מוצב החרמון", "موقع جبل الشيخ (الجانب الإسرائيلي)"),
        ),
    ]
    for zid, site, lon, lat, buf, nm in sites:
        # A protected site binds both parties: neither may bring activity inside its buffer.
        feats.append(feature(zid, "protected_site", nm, Point(lon, lat), rules={"buffer_m": buf, "site": site}))
    south_syria = Polygon(
        [*LINE_B[2:], (35.96, 32.68), (36.30, 32.62), (36.85, 32.55), (36.90, 33.05), (36.45, 33.38), (35.93, 33.30)]
    )
    south_syria = south_syria.difference(aos()).buffer(0)
    feats.append(
        feature(
            "proposed-demil-south-syria",
            "limitation",
            names(
                "Demilitarised southern Syria (proposed)", "דרום סוריה מפורז (הצעה)", "جنوب سوريا منزوع السلاح (مقترح)"
            ),
            largest(south_syria),
            status="proposed",
            rules={"max_tanks": 0, "max_artillery": 0, "sam_banned": True},
        )
    )
    route = LineString([(35.85, 33.16), (36.00, 33.05), (36.20, 32.90), (36.40, 32.78), (36.566, 32.709)])
    corridor = to_lonlat(to_metric(route).buffer(2000, quad_segs=4).simplify(50))
    feats.append(
        feature(
            "proposed-corridor-suwayda",
            "corridor",
            names("Corridor to Jabal al-Druze (proposed)", "מסדרון לג'בל א-דרוז (הצעה)", "ممر إلى جبل الدروز (مقترح)"),
            corridor,
            status="proposed",
            rules={"width_m": 4000},
        )
    )
    return {"type": "FeatureCollection", "features": feats}


if __name__ == "__main__":
    out = Path(__file__).with_name("zones.geojson")
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
