"""Tracks over the API: positions in, history by window, batches sealed and verified, releasability."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import orjson
import pytest

from hotline.ledger.offline import verify_export
from hotline.service import tracks
from hotline.service.export import export_ledger
from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio

OUTSIDE_ISR = (33.00, 35.70)  # west of the Area of Separation
IN_AOS = (33.005, 35.8675)


def pos(clock: FakeClock, uid: str, lat: float, lon: float, **kw: Any) -> dict[str, Any]:
    return {"uid": uid, "type": "a-f-G-U-C", "callsign": uid.upper(), "lat": lat, "lon": lon, "hae": 400.0,
            "time": clock.now.isoformat(), "stale": (clock.now + timedelta(minutes=2)).isoformat(), **kw}


async def post(api: Api, user: str, *positions: dict[str, Any]) -> Any:
    return await api.as_(user, "POST", "/api/v1/tracks/positions", json={"positions": list(positions)})


async def test_positions_are_stored_and_read_back_by_time_window(api: Api, clock: FakeClock) -> None:
    start = clock.now
    for i in range(3):
        r = await post(api, "isr-duty", pos(clock, "isr-patrol-1", OUTSIDE_ISR[0] + i * 0.001, OUTSIDE_ISR[1]))
        assert r.status_code == 202, r.text
        clock.advance(seconds=10)
    r = await api.as_("syr-duty", "GET", "/api/v1/tracks/history",
                      params={"start": start.isoformat(), "end": (start + timedelta(seconds=15)).isoformat()})
    assert r.status_code == 200, r.text
    points = r.json()["points"]
    assert [p["lat"] for p in points] == [33.0, 33.001]
    assert points[0]["party"] == "isr" and points[0]["callsign"] == "ISR-PATROL-1"
    r = await api.as_("usa-duty", "GET", "/api/v1/tracks")
    assert [t["uid"] for t in r.json()["tracks"]] == ["isr-patrol-1"]


async def test_a_track_released_to_the_mediator_only_is_not_seen_by_syr(api: Api, clock: FakeClock) -> None:
    r = await post(api, "isr-duty", pos(clock, "isr-secret", *IN_AOS, channel="isr-usa"))
    assert r.status_code == 202, r.text
    window = {"start": (clock.now - timedelta(minutes=1)).isoformat()}
    for user, seen in (("syr-duty", []), ("usa-duty", ["isr-secret"]), ("isr-duty", ["isr-secret"])):
        r = await api.as_(user, "GET", "/api/v1/tracks/history", params=window)
        assert [p["uid"] for p in r.json()["points"]] == seen, user
        r = await api.as_(user, "GET", "/api/v1/tracks")
        assert [p["uid"] for p in r.json()["tracks"]] == seen, user


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": 91.0}, "positions[0].lat"),
    ({"lon": "east"}, "positions[0].lon"),
    ({"uid": "bad uid <script>"}, "positions[0].uid"),
    ({"type": "b-m-p-s-p-i"}, "positions[0].type"),
    ({"party": "syr"}, "positions[0].party"),
    ({"channel": "syr-usa"}, "positions[0].channel"),
    ({"time": "2030-01-01T00:00:00Z"}, "positions[0].time"),
    ({"stale": "2020-01-01T00:00:00Z"}, "positions[0].stale"),
])
async def test_bad_positions_are_refused_naming_the_field_and_nothing_is_written(
        api: Api, clock: FakeClock, service: Hotline, change: dict[str, Any], field: str) -> None:
    good = pos(clock, "isr-ok", *OUTSIDE_ISR)
    r = await post(api, "isr-duty", {**good, **change}, good)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text
    assert await tracks.history(service, "isr", uid=None, start=clock.now - timedelta(days=1),
                                end=clock.now + timedelta(days=1)) == []


async def test_sealed_batches_verify_and_a_changed_point_is_detected(api: Api, clock: FakeClock,
                                                                      service: Hotline) -> None:
    for i in range(5):
        await post(api, "isr-duty", pos(clock, "isr-patrol-1", OUTSIDE_ISR[0] + i * 0.001, OUTSIDE_ISR[1]))
        await post(api, "syr-duty", pos(clock, "syr-patrol-1", 33.0 + i * 0.001, 36.05, channel="syr-usa"))
        clock.advance(seconds=5)
    batches = await tracks.seal(service)
    assert len(batches) == 2
    assert await tracks.seal(service) == []  # each point is sealed once
    r = await api.as_("isr-duty", "GET", "/api/v1/events", params={"after": 0, "limit": 1000})
    sealed = [e for e in r.json()["events"] if e["type"] == "track.batch_sealed"]
    assert [(e["party"], e["payload"]["count"]) for e in sealed] == [("isr", 5)]  # syr's batch is not isr's to see

    buf = io.BytesIO()
    await export_ledger(service, buf)
    good = buf.getvalue()
    report = verify_export(good.splitlines(keepends=True))
    assert report.ok, report.problems

    lines = good.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if b'"kind":"track_point"' in line)
    rec = orjson.loads(lines[i])
    rec["point"]["lat"] = rec["point"]["lat"] + 0.01  # move one point by a kilometre
    from hotline.ledger.envelope import canonical
    lines[i] = canonical(rec) + b"\n"
    bad = verify_export(lines)
    assert not bad.ok
    assert any("a track point was changed" in p for p in bad.problems), bad.problems
