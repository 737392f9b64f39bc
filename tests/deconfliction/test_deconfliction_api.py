"""Known situations through the API and the ledger: each yields exactly the findings a duty officer should see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio


def at(clock: FakeClock, hours: float) -> str:
    return (clock.now + timedelta(hours=hours)).isoformat()


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def route(*lonlat: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in lonlat]}


def body(clock: FakeClock, geometry: dict[str, Any], start_h: float = 80, end_h: float = 92, **extra: Any
         ) -> dict[str, Any]:
    return {"type": "ground_movement", "geometry": geometry,
            "window": {"start": at(clock, start_h), "end": at(clock, end_h)}, **extra}


async def file(api: Api, user: str, notice: dict[str, Any]) -> dict[str, Any]:
    r = await api.as_(user, "POST", "/api/v1/notices", json=notice)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def findings(api: Api, user: str, status: str = "open") -> list[dict[str, Any]]:
    r = await api.as_(user, "GET", f"/api/v1/findings?status={status}")
    assert r.status_code == 200, r.text
    return r.json()["findings"]  # type: ignore[no-any-return]


async def ledger(api: Api, user: str = "usa-duty") -> list[dict[str, Any]]:
    r = await api.as_(user, "GET", "/api/v1/events?after=0&limit=1000")
    return r.json()["events"]  # type: ignore[no-any-return]


def rules(items: list[dict[str, Any]]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return sorted((f["finding"]["rule"], f["finding"]["zone"], tuple(f["finding"]["notices"])) for f in items)


async def test_demo_zones_are_seeded_as_active_zones_through_the_ledger(api: Api) -> None:
    r = await api.as_("syr-duty", "GET", "/api/v1/zones")
    feats = {f["id"]: f["properties"] for f in r.json()["features"]}
    assert feats["aos"]["status"] == "active" and feats["aos"]["binds"] == ["isr", "syr"]
    assert feats["proposed-corridor-suwayda"]["status"] == "proposed"
    assert feats["proposed-corridor-suwayda"]["binds"] == []
    events = await ledger(api)
    assert sum(e["type"] == "zone.activated" for e in events) == 22
    assert all(e["channel"] == "joint" for e in events if e["type"].startswith("zone."))
    kml = await api.as_("isr-duty", "GET", "/api/v1/zones?format=kml")
    assert kml.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    assert "Area of Separation" in kml.text


async def test_tank_company_in_the_area_of_separation(api: Api, clock: FakeClock) -> None:
    n = await file(api, "syr-duty", body(clock, point(35.82, 33.32), radius_m=300,
                                         forces={"tanks": 14, "troops": 60}))
    assert n["statement"].startswith("This notice is information, not a permission")
    assert n["lead_time"]["late"] is False and n["lead_time"]["required_s"] == 48 * 3600
    [f] = await findings(api, "syr-duty")
    assert rules([f]) == [("separation.forces", "aos", (n["notice_id"],))]
    assert f["channel"] == "joint" and f["finding"]["by_how_much"]["tanks"] == 14
    assert sorted(f["addressees"]) == ["isr", "syr"]
    events = await ledger(api)
    filed = next(e for e in events if e["type"] == "notice.filed")
    raised = next(e for e in events if e["type"] == "finding.raised")
    assert raised["seq"] == filed["seq"] + 1 and raised["ts"] == filed["ts"]  # one commit


async def test_two_notices_break_the_tank_cap_only_while_both_are_active(api: Api, clock: FakeClock) -> None:
    a = await file(api, "isr-duty", body(clock, point(35.80, 33.00), 80, 92, radius_m=1000, forces={"tanks": 50},
                                         id="isr-a"))
    assert await findings(api, "isr-duty") == []
    b = await file(api, "isr-duty", body(clock, point(35.81, 32.98), 86, 98, radius_m=1000, forces={"tanks": 40},
                                         id="isr-b"))
    [f] = await findings(api, "isr-duty")
    assert rules([f]) == [("limitation.tanks", "lim-isr-0-10", (a["notice_id"], b["notice_id"]))]
    assert f["finding"]["when"] == {"start": at(clock, 86).replace("+00:00", "Z"),
                                    "end": at(clock, 92).replace("+00:00", "Z")}
    assert f["finding"]["by_how_much"] == {"cap": 75, "declared": 90, "excess": 15}
    assert f["channel"] == "isr-usa"  # the zone binds Israel only: Israel and the mediator
    # Withdrawing one of them clears the finding, in the record.
    r = await api.as_("isr-duty", "POST", f"/api/v1/notices/{a['notice_id']}/withdraw", json={"text": "cancelled"})
    assert r.status_code == 201 and r.json()["status"] == "withdrawn"
    assert await findings(api, "isr-duty") == []
    [cleared] = await findings(api, "isr-duty", "all")
    assert cleared["status"] == "cleared" and "withdrawn" in cleared["cleared"]["reason"]


async def test_air_activities_crossing_within_a_kilometre_and_their_altitude_bands(api: Api, clock: FakeClock) -> None:
    air = {"type": "air", "width_m": 500, "forces": {"aircraft": 2}}
    i = await file(api, "isr-duty", body(clock, route((36.0, 33.05), (36.2, 33.05)), 30, 40,
                                         altitude={"min_m": 1000, "max_m": 3000}, **air))
    s = await file(api, "syr-duty", body(clock, route((36.1, 32.95), (36.1, 33.15)), 32, 34,
                                         altitude={"min_m": 2000, "max_m": 4000}, **air))
    [f] = await findings(api, "syr-duty")
    assert rules([f]) == [("notice.overlap", None, tuple(sorted([i["notice_id"], s["notice_id"]])))]
    assert f["finding"]["by_how_much"]["altitude_overlap_m"] == [2000.0, 3000.0]
    assert f["channel"] == "joint" and sorted(f["addressees"]) == ["isr", "syr"]
    # Above the other's band: no clash.
    await file(api, "syr-duty", body(clock, route((36.1, 32.95), (36.1, 33.15)), 32, 34,
                                     altitude={"min_m": 5000, "max_m": 7000}, **air))
    assert len(await findings(api, "isr-duty")) == 1


async def test_convoy_route_passing_a_protected_village(api: Api, clock: FakeClock) -> None:
    n = await file(api, "isr-duty", body(clock, route((35.748, 33.20), (35.748, 33.26)), width_m=100,
                                         forces={"troops": 200}))
    [f] = await findings(api, "syr-duty")
    assert rules([f]) == [("protected_site.buffer", "site-masade", (n["notice_id"],))]
    assert 450 < f["finding"]["by_how_much"]["distance_m"] < 600


async def test_a_late_notice_is_recorded_as_late_with_both_times(api: Api, clock: FakeClock) -> None:
    n = await file(api, "isr-duty", body(clock, point(35.60, 32.90), 2, 10, radius_m=200))
    lead = n["lead_time"]
    assert lead["late"] is True and lead["required_s"] == 48 * 3600 and lead["actual_s"] == 2 * 3600
    assert lead["filed_at"] == n["filed_at"]  # the server's clock, the envelope's timestamp
    [f] = await findings(api, "isr-duty")
    assert rules([f]) == [("notice.late", None, (n["notice_id"],))]
    assert f["finding"]["by_how_much"]["short_by_h"] == 46
    # The filer and the mediator get the finding; the other side reads the late flag on the notice.
    assert f["channel"] == "isr-usa"
    assert await findings(api, "syr-duty") == []
    r = await api.as_("syr-duty", "GET", f"/api/v1/notices/{n['notice_id']}")
    assert r.json()["lead_time"]["late"] is True


async def test_findings_are_visible_to_the_concerned_parties_and_the_mediator_only(api: Api, clock: FakeClock) -> None:
    await file(api, "isr-duty", body(clock, point(35.60, 32.90), 2, 10, radius_m=200))
    [f] = await findings(api, "usa-duty")
    assert [g["finding_id"] for g in await findings(api, "isr-duty")] == [f["finding_id"]]
    assert await findings(api, "syr-duty") == []
    r = await api.as_("syr-duty", "GET", f"/api/v1/findings/{f['finding_id']}")
    assert r.status_code == 404
    r = await api.as_("syr-duty", "POST", f"/api/v1/findings/{f['finding_id']}/ack", json={})
    assert r.status_code == 404
    r = await api.as_("syr-duty", "GET", "/api/v1/events?after=0&limit=1000")
    assert not any(e["type"].startswith("finding.") for e in r.json()["events"])


async def test_a_finding_is_acknowledged_like_a_flash(api: Api, clock: FakeClock, service: Hotline) -> None:
    await file(api, "syr-duty", body(clock, point(35.82, 33.32), radius_m=300, forces={"tanks": 14}))
    [f] = await findings(api, "isr-duty")
    fid = f["finding_id"]
    window = service.world.deadlines["FLASH"]
    assert f["ack_window_s"] == window
    r = await api.as_("isr-duty", "POST", f"/api/v1/findings/{fid}/ack", json={"note": "seen"})
    assert r.status_code == 201 and r.json()["addressees"]["isr"]["ack"]["late"] is False
    r = await api.as_("isr-duty", "POST", f"/api/v1/findings/{fid}/ack", json={})
    assert r.status_code == 200  # a repeat writes nothing
    r = await api.as_("usa-duty", "POST", f"/api/v1/findings/{fid}/ack", json={})
    assert r.status_code == 409  # the mediator is told, not asked
    clock.advance(seconds=window + 1)
    assert await service.timers.run_due() == 1
    clock.advance(seconds=window)
    assert await service.timers.run_due() == 1
    assert await service.timers.run_due() == 0  # recorded once
    types = [e["type"] for e in await ledger(api) if e["type"].startswith("finding.")]
    assert types == ["finding.raised", "finding.acknowledged", "finding.ack_overdue", "finding.ack_escalated"]
    state = (await api.as_("syr-duty", "GET", f"/api/v1/findings/{fid}")).json()
    assert state["addressees"]["syr"]["overdue"] == 2 and state["addressees"]["isr"]["overdue"] == 0
    r = await api.as_("syr-duty", "POST", f"/api/v1/findings/{fid}/ack", json={})
    assert r.json()["addressees"]["syr"]["ack"]["late"] is True


async def test_a_zone_change_is_active_only_after_every_bound_party_accepts(api: Api, clock: FakeClock) -> None:
    # A tank company just outside today's Area of Separation; Syria proposes to widen the area over it.
    n = await file(api, "isr-duty", body(clock, point(35.70, 33.45), radius_m=300, forces={"tanks": 10}))
    assert await findings(api, "isr-duty") == []
    feature = {"type": "Feature", "id": "aos-north-ext", "geometry": {"type": "Polygon", "coordinates": [[
        [35.68, 33.43], [35.72, 33.43], [35.72, 33.47], [35.68, 33.47], [35.68, 33.43]]]},
        "properties": {"kind": "separation", "binds": ["isr", "syr"], "names": {
            "en": "Northern extension", "he": "הרחבה צפונית", "ar": "الامتداد الشمالي"}}}
    r = await api.as_("syr-super", "POST", "/api/v1/zones/proposals", json={"feature": feature})
    assert r.status_code == 201, r.text
    prop = r.json()["proposal"]
    assert prop["required"] == ["isr", "syr"] and list(prop["accepted"]) == ["syr"]
    zones = (await api.as_("isr-duty", "GET", "/api/v1/zones")).json()["features"]
    shown = next(f for f in zones if f["id"] == "aos-north-ext")
    assert shown["properties"]["status"] == "proposed" and shown["properties"]["binds"] == []
    assert await findings(api, "isr-duty") == []  # a proposal binds nobody
    r = await api.as_("usa-super", "POST", f"/api/v1/zones/aos-north-ext/proposals/{prop['proposal_id']}/accept")
    assert r.status_code == 409  # the mediator is not bound by it
    r = await api.as_("isr-super", "POST", f"/api/v1/zones/aos-north-ext/proposals/{prop['proposal_id']}/accept")
    assert r.status_code == 201 and r.json()["active"]["properties"]["status"] == "active"
    [f] = await findings(api, "syr-duty")
    assert rules([f]) == [("separation.forces", "aos-north-ext", (n["notice_id"],))]
    types = [e["type"] for e in await ledger(api) if e["type"].startswith("zone.") and e["payload"]["zone_id"]
             == "aos-north-ext"]
    assert types == ["zone.proposed", "zone.accepted", "zone.accepted", "zone.activated"]


async def test_a_rejected_zone_proposal_changes_nothing(api: Api) -> None:
    zone = (await api.as_("isr-duty", "GET", "/api/v1/zones/site-masade")).json()["active"]
    zone["properties"]["rules"]["buffer_m"] = 100
    r = await api.as_("isr-super", "POST", "/api/v1/zones/proposals", json={"feature": zone})
    pid = r.json()["proposal"]["proposal_id"]
    r = await api.as_("syr-super", "POST", f"/api/v1/zones/site-masade/proposals/{pid}/reject",
                      json={"reason": "The village needs its kilometre."})
    assert r.status_code == 201 and r.json()["proposal"] is None
    assert r.json()["active"]["properties"]["rules"]["buffer_m"] == 1000


async def test_mgrs_across_the_36_37_zone_change_resolves_to_its_decimal_place(api: Api) -> None:
    # Just east of 36 E: zone 37S. The same point written in zone 36 is refused as the wrong zone? No:
    # MGRS squares of 36S extend a little past the meridian; the reference must land where its decimal form is.
    dd = (await api.as_("isr-duty", "GET", "/api/v1/geo/convert", params={"q": "33.1000, 36.0500"})).json()
    mgrs = dd["grids"]["mgrs"]
    assert mgrs.startswith("37S")
    back = (await api.as_("syr-duty", "GET", "/api/v1/geo/convert", params={"q": mgrs})).json()
    assert back["grid"] == "mgrs" and back["square"]["size_m"] == 1
    assert abs(back["lat"] - 33.1) < 1e-4 and abs(back["lon"] - 36.05) < 1e-4
    west = (await api.as_("syr-duty", "GET", "/api/v1/geo/convert", params={"q": "33.1000, 35.9500"})).json()
    assert west["grids"]["mgrs"].startswith("36S")
    assert set(dd["grids"]) == {"dd", "dms", "mgrs", "utm", "itm"}
    r = await api.as_("syr-duty", "GET", "/api/v1/geo/convert", params={"q": "36SZZ 1 1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"


async def test_gazetteer_names_places_in_three_languages(api: Api) -> None:
    places = (await api.as_("syr-duty", "GET", "/api/v1/gazetteer")).json()["places"]
    hermon = next(p for p in places if p["id"] == "hermon")
    assert hermon["names"]["ar"] == "جبل الشيخ" and hermon["grids"]["mgrs"]


async def test_not_our_forces_is_a_formal_answer_in_the_record(api: Api, clock: FakeClock) -> None:
    n = await file(api, "isr-duty", body(clock, point(35.95, 33.05), type="engineering", radius_m=500))
    nid = n["notice_id"]
    r = await api.as_("isr-duty", "POST", f"/api/v1/notices/{nid}/query",
                      json={"text": "Armed men reported at the site; yours?", "to": "syr", "about_forces": True})
    qid = r.json()["queries"][0]["query_id"]
    r = await api.as_("syr-duty", "POST", f"/api/v1/notices/{nid}/answer", json={"query_id": qid,
                                                                                 "not_our_forces": True})
    assert r.json()["queries"][0]["answer"]["kind"] == "not_our_forces"
    r = await api.as_("syr-duty", "POST", f"/api/v1/notices/{nid}/ack")
    assert r.status_code == 201 and r.json()["statement"].startswith("This notice is information, not a permission")
    r = await api.as_("syr-duty", "POST", f"/api/v1/notices/{nid}/object", json={"text": "Too close to Jubata."})
    assert r.json()["objections"][0]["party"] == "syr"
    types = [e["type"] for e in await ledger(api) if e["type"].startswith("notice.")]
    assert types == ["notice.filed", "notice.queried", "notice.not_our_forces", "notice.acknowledged",
                     "notice.objected"]
