"""`hotline simulate`: believable routes; only the stray aircraft enters restricted airspace."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hotline.demo.geography import load_zones
from hotline.demo.simulate import ACTORS, positions, run
from hotline.geo.geofence import Fences
from hotline.interop.cot.gateway import Gateway
from hotline.service import tracks
from hotline.service.hotline import Hotline


def zones_entered(uid: str, minutes: int = 30) -> set[str]:
    fences = Fences(load_zones())
    now = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    pts = [p for t in range(0, minutes * 60, 5) for p in positions(t, now) if p["uid"] == uid]
    inside, _ = fences.hits([p["lon"] for p in pts], [p["lat"] for p in pts], [p["hae"] for p in pts],
                            [p["type"].split("-")[2] == "A" for p in pts])
    return {fences.zones[int(z)].id for z in inside[1]}


def test_only_the_stray_aircraft_enters_restricted_airspace() -> None:
    assert "aos-airspace" in zones_entered("syr-stray")
    for actor in ACTORS:
        if actor.uid != "syr-stray":
            assert not {"aos", "aos-airspace"} & zones_entered(actor.uid), actor.uid


def test_actors_move_at_their_speed_and_turn_back_at_the_end_of_the_route() -> None:
    convoy = next(a for a in ACTORS if a.uid == "isr-convoy")
    a, b = convoy.at(0), convoy.at(100)
    assert a[:2] == convoy.route[0]
    assert a != b
    total = sum(convoy._legs())
    end = convoy.at(total / convoy.speed_mps)
    assert end[0] == pytest.approx(convoy.route[-1][0]) and end[1] == pytest.approx(convoy.route[-1][1])
    back = convoy.at(2 * total / convoy.speed_mps)
    assert back[0] == pytest.approx(convoy.route[0][0])


@pytest.fixture
def demo_seed() -> dict[str, bool]:
    return {"zones": True}


@pytest.fixture
def clock() -> object:
    return lambda: datetime.now(UTC)  # the simulator stamps positions with the real time


@pytest.mark.anyio
async def test_the_simulator_drives_tracks_through_the_gateway(service: Hotline) -> None:
    gw = Gateway(service)
    ports = {"isr": await gw.start_tcp("127.0.0.1", 0, "isr"), "syr": await gw.start_tcp("127.0.0.1", 0, "syr")}
    try:
        sent = await run(ports, seconds=1.5, say=lambda _msg: None)
        await asyncio.sleep(0.2)
    finally:
        await gw.stop()
    assert sent == 2 * len(ACTORS)
    now = datetime.now(UTC)
    seen = await tracks.history(service, "usa", uid=None, start=now - timedelta(minutes=1), end=now)
    assert {p["uid"] for p in seen} == {a.uid for a in ACTORS}
