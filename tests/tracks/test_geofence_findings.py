"""Server-side geofences: a track entering a zone without a notice is a finding for the parties concerned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.testing import Api, FakeClock

from .test_tracks_api import IN_AOS, pos, post

pytestmark = pytest.mark.anyio


async def fly(api: Api, clock: FakeClock, user: str, uid: str, *, seconds: int = 12, **kw: Any) -> None:
    for _ in range(0, seconds, 3):
        r = await post(api, user, pos(clock, uid, *IN_AOS, **kw))
        assert r.status_code == 202, r.text
        clock.advance(seconds=3)


async def events(api: Api, user: str, type_: str) -> list[dict[str, Any]]:
    r = await api.as_(user, "GET", "/api/v1/events", params={"after": 0, "limit": 1000})
    return [e for e in r.json()["events"] if e["type"] == type_]


async def test_a_syrian_uav_in_the_area_of_separation_is_a_finding_for_isr_and_the_mediator(
        api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "syr-duty", "syr-uav-1", type="a-f-A-M-F-Q", hae=2500.0, callsign="HAWK 1")
    for user in ("isr-duty", "usa-duty", "syr-duty"):
        raised = [e for e in await events(api, user, "finding.raised")
                  if e["payload"]["finding"]["rule"] == "geofence.entered"]
        assert {e["payload"]["finding"]["zone"] for e in raised} == {"aos", "aos-airspace"}, user
    f = raised[0]["payload"]
    assert f["addressees"] == ["isr", "syr"]
    assert "HAWK 1" in f["finding"]["explanation"] and "syr-uav-1" in f["finding"]["explanation"]
    assert f["finding"]["track"]["uid"] == "syr-uav-1"
    # acknowledged like a FLASH
    r = await api.as_("isr-duty", "POST", f"/api/v1/findings/{f['finding_id']}/ack", json={"note": "seen"})
    assert r.status_code in (200, 201), r.text


async def test_a_ground_track_passing_along_only_briefly_raises_nothing(api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "syr-duty", "syr-jeep", seconds=3)
    await post(api, "syr-duty", pos(clock, "syr-jeep", 33.0, 36.2))
    assert await events(api, "isr-duty", "finding.raised") == []


async def test_a_notified_flight_through_restricted_airspace_raises_no_finding(api: Api, clock: FakeClock) -> None:
    notice = {"id": "ntc-isr-heli", "type": "air", "radius_m": 3000,
              "geometry": {"type": "Point", "coordinates": [IN_AOS[1], IN_AOS[0]]},
              "altitude": {"min_m": 0, "max_m": 3000},
              "window": {"start": (clock.now + timedelta(seconds=30)).isoformat(),
                         "end": (clock.now + timedelta(hours=2)).isoformat()},
              "forces": {"aircraft": 1}, "text": "Medevac helicopter"}
    r = await api.as_("isr-duty", "POST", "/api/v1/notices", json=notice)
    assert r.status_code == 201, r.text
    clock.advance(minutes=1)
    await fly(api, clock, "isr-duty", "isr-heli-1", type="a-f-A-M-H", hae=1200.0)
    geofence = [e for e in await events(api, "usa-duty", "finding.raised")
                if e["payload"]["finding"]["rule"] == "geofence.entered"]
    assert geofence == []
    notified = await events(api, "usa-duty", "track.zone_entered")
    assert {(e["payload"]["zone"], e["payload"]["notice"]) for e in notified} == {
        ("aos", "ntc-isr-heli"), ("aos-airspace", "ntc-isr-heli")}


async def test_a_track_released_to_the_mediator_only_raises_its_finding_out_of_syrs_sight(
        api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "isr-duty", "isr-recce", type="a-f-G-U-C-R", channel="isr-usa")
    assert [e["payload"]["finding"]["zone"] for e in await events(api, "usa-duty", "finding.raised")] == ["aos"]
    assert [e["channel"] for e in await events(api, "isr-duty", "finding.raised")] == ["isr-usa"]
    assert await events(api, "syr-duty", "finding.raised") == []
    r = await api.as_("syr-duty", "GET", "/api/v1/findings")
    assert "isr-recce" not in r.text


async def test_leaving_the_zone_is_recorded_with_how_long_the_track_was_inside(api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "syr-duty", "syr-uav-2", type="a-f-A-M-F-Q", hae=2500.0, seconds=30)
    await post(api, "syr-duty", pos(clock, "syr-uav-2", 33.0, 36.2, type="a-f-A-M-F-Q", hae=2500.0))
    exits = await events(api, "isr-duty", "track.zone_exited")
    assert {e["payload"]["zone"] for e in exits} == {"aos", "aos-airspace"}
    assert all(e["payload"]["inside_s"] == 30 for e in exits)
