"""Sightings over the API: any grid, Admiralty grading, releasability, link to an incident, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio


def sighting(clock: FakeClock, **kw: Any) -> dict[str, Any]:
    return {"what": "Two armoured vehicles <b>moving</b> south", "location": {"text": "36S YB 53720 54320"},
            "seen_at": clock.now.isoformat(), "count": 2, "heading": 180, "reliability": "B", "credibility": 2, **kw}


async def test_a_sighting_in_mgrs_is_recorded_graded_and_shared_in_its_channel(api: Api, clock: FakeClock) -> None:
    r = await api.as_("isr-duty", "POST", "/api/v1/sightings", json=sighting(clock, id="sgt-isr-1"))
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["grading"] == "B2" and s["where"]["grid"] == "mgrs" and 32.5 < s["where"]["lat"] < 33.5
    assert s["what"] == "Two armoured vehicles <b>moving</b> south"  # kept as written; never rendered as HTML
    again = await api.as_("isr-duty", "POST", "/api/v1/sightings", json=sighting(clock, id="sgt-isr-1"))
    assert again.status_code == 200  # a retry writes nothing
    r = await api.as_("syr-duty", "GET", "/api/v1/sightings/sgt-isr-1")
    assert r.status_code == 200


async def test_a_sighting_for_the_mediator_only_is_not_syrs_to_read(api: Api, clock: FakeClock) -> None:
    r = await api.as_("isr-duty", "POST", "/api/v1/sightings",
                      json=sighting(clock, id="sgt-isr-2", channel="isr-usa"))
    assert r.status_code == 201, r.text
    assert (await api.as_("syr-duty", "GET", "/api/v1/sightings/sgt-isr-2")).status_code == 404
    assert "sgt-isr-2" not in (await api.as_("syr-duty", "GET", "/api/v1/sightings")).text
    assert (await api.as_("usa-duty", "GET", "/api/v1/sightings/sgt-isr-2")).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"reliability": "G"}, "reliability"),
    ({"credibility": 7}, "credibility"),
    ({"location": {"text": "somewhere"}}, "location.text"),
    ({"channel": "syr-usa"}, "channel"),
    ({"seen_at": "2030-01-01T00:00:00Z"}, "seen_at"),
    ({"incident": "inc-nope"}, "incident"),
    ({"evidence": "not-a-hash"}, "evidence"),
])
async def test_bad_sightings_are_refused_naming_the_field(api: Api, clock: FakeClock, change: dict[str, Any],
                                                          field: str) -> None:
    r = await api.as_("isr-duty", "POST", "/api/v1/sightings", json=sighting(clock, id="sgt-bad", **change))
    assert r.status_code in (404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text
    assert "sgt-bad" not in (await api.as_("isr-duty", "GET", "/api/v1/sightings")).text


async def test_a_sighting_links_to_an_incident_and_is_shared_no_wider_than_it(api: Api, clock: FakeClock) -> None:
    incident = {"id": "inc-uav-1", "category": "uav_sighting", "occurred_from": "2026-11-25T19:10:00Z",
                "location": {"lat": 33.1256, "lon": 35.8241}, "involved": ["isr"],
                "description": "A small UAV crossed over the Area of Separation.", "language": "en"}
    r = await api.as_("syr-duty", "POST", "/api/v1/incidents", json=incident)
    assert r.status_code == 201, r.text
    channel = r.json()["channel"]
    r = await api.as_("isr-duty", "POST", "/api/v1/sightings",
                      json=sighting(clock, id="sgt-linked", incident="inc-uav-1", channel=channel))
    assert r.status_code == 201, r.text
    assert r.json()["incident"] == "inc-uav-1"
    if channel != "isr-usa":  # the incident is shared with syr: a sighting for the mediator only may still link
        r = await api.as_("isr-duty", "POST", "/api/v1/sightings",
                          json=sighting(clock, id="sgt-narrow", incident="inc-uav-1", channel="isr-usa"))
        assert r.status_code == 201, r.text
