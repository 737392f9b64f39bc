"""Known situations on the demo map, each with exactly the findings a duty officer should see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.geo import ConflictEngine, Finding, Notice, Zone, conflicts_pairwise, late_finding

from .conftest import at, notice, point, route


def check(zones: list[Zone], new: Notice, active: list[Notice]) -> list[Finding]:
    found = ConflictEngine(zones, active).check(new)
    assert found == conflicts_pairwise(new, zones, active)  # the index never changes the answer
    return found


def test_tank_company_in_the_area_of_separation_is_one_finding(zones: list[Zone]) -> None:
    tanks = notice("syr-1", "syr", point(35.82, 33.32), 48, 60, radius_m=300, forces={"tanks": 14, "troops": 60})
    [f] = check(zones, tanks, [])
    assert (f.rule, f.zone, f.notices, f.parties) == ("separation.forces", "aos", ("syr-1",), ("syr",))
    assert f.by_how_much == {"cap": 0, "troops": 60, "tanks": 14, "artillery": 0, "sam": 0}
    assert f.when == (at(48), at(60))
    assert abs(f.where[0] - 33.32) < 0.01 and abs(f.where[1] - 35.82) < 0.01
    assert "14 tanks" in f.explanation and "Area of Separation" in f.explanation


def test_humanitarian_convoy_without_forces_may_cross_the_area_of_separation(zones: list[Zone]) -> None:
    aid = notice("syr-2", "syr", point(35.82, 33.32), 48, 60, type="humanitarian", radius_m=300)
    assert check(zones, aid, []) == []


def test_two_notices_break_the_tank_cap_only_while_both_are_active(zones: list[Zone]) -> None:
    first = notice("isr-1", "isr", point(35.80, 33.00), 48, 60, radius_m=1000, forces={"tanks": 50})
    second = notice("isr-2", "isr", point(35.81, 32.98), 54, 66, radius_m=1000, forces={"tanks": 40})
    [f] = check(zones, second, [first])
    assert (f.rule, f.zone, f.notices) == ("limitation.tanks", "lim-isr-0-10", ("isr-1", "isr-2"))
    assert f.when == (at(54), at(60))  # exactly the overlap of the two windows
    assert f.by_how_much == {"cap": 75, "declared": 90, "excess": 15}
    [g] = ConflictEngine(zones, [first, second]).all_findings()
    assert g.when == f.when and g.notices == f.notices


def test_the_tank_cap_binds_only_the_party_on_its_side(zones: list[Zone]) -> None:
    first = notice("isr-1", "isr", point(35.80, 33.00), 48, 60, radius_m=1000, forces={"tanks": 50})
    other_side = notice("syr-9", "syr", point(35.81, 32.98), 54, 66, radius_m=1000, forces={"tanks": 40})
    # Syrian tanks on the Israeli side sum with nobody's; what remains is the clash between the two parties.
    assert [f.rule for f in check(zones, other_side, [first])] == ["notice.overlap"]


def test_long_range_artillery_in_the_10_to_20_km_area_is_found(zones: list[Zone]) -> None:
    guns = notice("syr-3", "syr", point(36.06, 33.10), 48, 60, radius_m=500,
                  forces={"artillery": [{"count": 100, "range_km": 18}, {"count": 70, "range_km": 30}]})
    found = check(zones, guns, [])
    assert [(f.rule, f.zone) for f in found] == [
        ("limitation.artillery", "lim-syr-10-20"),
        ("limitation.artillery_range", "lim-syr-10-20"),
    ]
    assert found[0].by_how_much == {"cap": 162, "declared": 170, "excess": 8}
    assert found[1].by_how_much == {"max_range_km": 20, "declared_range_km": 30.0, "pieces": 70}


def test_sam_battery_inside_the_25_km_band_is_found(zones: list[Zone]) -> None:
    sam = notice("syr-4", "syr", point(36.10, 33.00), 48, 60, radius_m=500, forces={"sam": 2})
    [f] = check(zones, sam, [])
    assert (f.rule, f.zone, f.by_how_much) == ("sam.band", "sam-syr-25", {"cap": 0, "declared": 2, "excess": 2})


def air(nid: str, geometry: dict[str, Any], start_h: float, end_h: float, band_m: tuple[float, float],
        **extra: Any) -> Notice:
    """An air activity of the party its id starts with, flying ``geometry`` within the altitude ``band_m``."""
    return notice(nid, nid.split("-")[0], geometry, start_h, end_h, type="air",
                  altitude={"min_m": band_m[0], "max_m": band_m[1]}, **extra)


EAST_WEST = route((36.0, 33.05), (36.2, 33.05))
NORTH_SOUTH = route((36.1, 32.95), (36.1, 33.15))  # crosses EAST_WEST at (36.1, 33.05)


def test_air_activities_crossing_within_their_altitude_bands_clash(zones: list[Zone]) -> None:
    isr = air("isr-5", EAST_WEST, 48, 60, (1000, 3000), width_m=500, forces={"aircraft": 2})
    syr = air("syr-5", NORTH_SOUTH, 50, 52, (2000, 4000), width_m=500, forces={"aircraft": 2})
    [f] = check(zones, syr, [isr])
    assert (f.rule, f.notices, f.parties) == ("notice.overlap", ("isr-5", "syr-5"), ("isr", "syr"))
    assert f.when == (at(50), at(52))
    assert f.by_how_much == {"distance_m": 0.0, "buffer_m": 1000.0, "altitude_overlap_m": [2000.0, 3000.0]}
    assert abs(f.where[0] - 33.05) < 0.001 and abs(f.where[1] - 36.1) < 0.001


# Another party's flight against Israel's on EAST_WEST at 1,000-3,000 m from +48 h to +60 h.
AIR_CASES = {
    "parallel-700m-away-overlapping-band": (air("syr-6", route((36.0, 33.057), (36.2, 33.057)), 48, 60,
                                                (2500, 4000), width_m=200), True),
    "crossing-far-above": (air("syr-7", NORTH_SOUTH, 48, 60, (5000, 7000), width_m=200), False),
    # the windows touch, end to start: no instant is shared
    "crossing-as-israel-lands": (air("syr-8", NORTH_SOUTH, 60, 70, (1000, 3000), width_m=200), False),
}


@pytest.mark.parametrize(("other", "clash"), AIR_CASES.values(), ids=AIR_CASES.keys())
def test_air_activities_within_a_kilometre_clash_but_not_when_altitudes_or_times_are_apart(
        zones: list[Zone], other: Notice, clash: bool) -> None:
    found = check(zones, other, [air("isr-6", EAST_WEST, 48, 60, (1000, 3000), width_m=200)])
    assert len(found) == (1 if clash else 0)
    if clash:
        assert 500 < found[0].by_how_much["distance_m"] < 1000


def test_a_partys_own_notices_never_clash_with_each_other(zones: list[Zone]) -> None:
    a = air("isr-8", point(36.1, 33.0), 48, 60, (0, 900), radius_m=500)
    b = air("isr-9", point(36.1, 33.0), 48, 60, (0, 900), radius_m=500)
    assert check(zones, b, [a]) == []


def test_convoy_route_passing_a_protected_village_is_found(zones: list[Zone]) -> None:
    convoy = notice("isr-7", "isr", route((35.748, 33.20), (35.748, 33.26)), 48, 60, width_m=100,
                    forces={"troops": 200})
    [f] = check(zones, convoy, [])
    assert (f.rule, f.zone) == ("protected_site.buffer", "site-masade")
    assert f.by_how_much["buffer_m"] == 1000.0 and 450 < f.by_how_much["distance_m"] < 600
    assert abs(f.where[0] - 33.2331) < 0.001  # the closest point of the route, level with the village


def test_air_activity_in_the_restricted_airspace_band_is_found(zones: list[Zone]) -> None:
    flight = air("isr-10", point(35.82, 33.31), 48, 50, (8000, 14000), radius_m=500)
    [f] = check(zones, flight, [])
    assert (f.rule, f.zone, f.by_how_much["overlap_m"]) == ("airspace.restricted", "aos-airspace", [8000.0, 12000.0])


def test_proposed_zones_never_produce_findings(zones: list[Zone]) -> None:
    # Tanks in the proposed demilitarised south and on the proposed corridor, outside every active zone.
    tanks = notice("syr-11", "syr", point(36.6, 32.8), 48, 60, radius_m=1000, forces={"tanks": 200, "sam": 3})
    assert check(zones, tanks, []) == []


def test_a_late_notice_is_a_finding_with_its_lead_time() -> None:
    convoy = notice("isr-7", "isr", route((35.748, 33.20), (35.748, 33.26)), 48, 60, width_m=100)
    f = late_finding(convoy, filed_at=at(46))
    assert f is not None and f.rule == "notice.late" and f.notices == ("isr-7",)
    assert f.by_how_much["required_h"] == 48 and f.by_how_much["actual_h"] == 2 and f.by_how_much["short_by_h"] == 46
    assert late_finding(convoy, filed_at=at(0)) is None
    assert late_finding(convoy, filed_at=at(47), min_lead=timedelta(minutes=30)) is None


def test_finding_serialises_for_the_ledger(zones: list[Zone]) -> None:
    tanks = notice("syr-1", "syr", point(35.82, 33.32), 48, 60, radius_m=300, forces={"tanks": 14})
    d = ConflictEngine(zones, []).check(tanks)[0].to_dict()
    assert d["when"] == {"start": "2026-11-27T06:00:00Z", "end": "2026-11-27T18:00:00Z"}
    assert set(d) == {"rule", "parties", "notices", "zone", "where", "when", "by_how_much", "explanation"}
