"""Bad CoT input is refused with a counter and a log line naming the connection; nothing is written."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from hotline.interop.cot.gateway import Gateway
from hotline.interop.cot.xml import cot_time
from hotline.service import tracks
from hotline.service.hotline import Hotline
from hotline.testing import FakeClock

pytestmark = pytest.mark.anyio


@pytest.fixture
def demo_seed() -> dict[str, bool]:
    return {"zones": True}


@pytest.fixture
async def gw(service: Hotline) -> AsyncIterator[tuple[Gateway, int, int]]:
    g = Gateway(service, rate=50, burst=50)
    syr = await g.start_tcp("127.0.0.1", 0, "syr")
    isr = await g.start_tcp("127.0.0.1", 0, "isr")
    try:
        yield g, syr, isr
    finally:
        await g.stop()


def event(clock: FakeClock, uid: str = "syr-uav-1", *, lat: float = 33.1, lon: float = 36.1, time_s: float = 0,
          stale_s: float = 120, detail: str = "") -> bytes:
    t = clock.now + timedelta(seconds=time_s)
    return (f'<event version="2.0" uid="{uid}" type="a-f-A-M-F-Q" time="{cot_time(t)}" start="{cot_time(t)}" '
            f'stale="{cot_time(t + timedelta(seconds=stale_s))}" how="m-g"><point lat="{lat}" lon="{lon}" '
            f'hae="2000" ce="10" le="10"/><detail><contact callsign="X"/>{detail}</detail></event>').encode()


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><event uid="b" type="a-f-G" time="x" stale="y"><point '
        b'lat="1" lon="1"/><detail><remarks>&lol3;</remarks></detail></event>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><event uid="x" '
       b'type="a-f-G" time="x" stale="y"><point lat="1" lon="1"/><detail><remarks>&xxe;</remarks></detail></event>')


async def until(predicate: object, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    async def wait() -> None:
        while not predicate():  # type: ignore[operator]  # noqa: ASYNC110 - polls counters, no event to wait on
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), timeout)


async def test_each_kind_of_bad_event_is_refused_and_counted_and_nothing_is_written(
        gw: tuple[Gateway, int, int], service: Hotline, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    g, syr_port, _ = gw
    cases = {
        "malformed": b"<event uid='a'><point lat='1'></event>",
        "xml_attack": BOMB,
        "foreign_party": event(clock, detail='<_hotline party="isr"/>'),
        "invalid": event(clock, lat=95.0),
    }
    _, w = await asyncio.open_connection("127.0.0.1", syr_port)
    with caplog.at_level(logging.WARNING, logger="hotline.cot"):
        for data in cases.values():
            w.write(data)
        w.write(XXE + event(clock, time_s=3600) + event(clock, stale_s=-10))  # XXE; far future; stale before time
        await w.drain()
        await until(lambda: sum(v for k, v in g.counters.items() if k.startswith("refused_")) == 7)
    for reason in cases:
        assert g.counters[f"refused_{reason}"] >= 1, (reason, g.counters)
    assert g.counters["refused_xml_attack"] == 2
    assert g.counters["refused_invalid"] == 3
    assert all("syr@127.0.0.1:" in r.getMessage() for r in caplog.records if "refused" in r.getMessage())
    await asyncio.sleep(0.1)
    assert await tracks.history(service, "usa", uid=None, start=clock.now - timedelta(days=1),
                                end=clock.now + timedelta(days=1)) == []
    w.close()


async def test_a_flood_from_one_connection_is_dropped_and_the_others_are_still_served(
        gw: tuple[Gateway, int, int], clock: FakeClock) -> None:
    g, syr_port, isr_port = gw
    isr_r, isr_w = await asyncio.open_connection("127.0.0.1", isr_port)
    await isr_r.readuntil(b"hotline-zone-aos")
    _, flood = await asyncio.open_connection("127.0.0.1", syr_port)
    one = event(clock, uid="syr-flood")
    flood.write(one * 10_000)
    await flood.drain()
    await until(lambda: g.counters["accepted"] + g.counters["dropped_rate"] >= 10_000, timeout=30)
    assert g.counters["dropped_rate"] > 9_000
    _, other = await asyncio.open_connection("127.0.0.1", syr_port)
    other.write(event(clock, uid="syr-other"))
    await other.drain()
    await asyncio.wait_for(isr_r.readuntil(b'uid="syr-other"'), 5)
    for w in (isr_w, flood, other):
        w.close()


async def test_a_sighting_reaches_the_tak_clients_of_its_channel_only(
        gw: tuple[Gateway, int, int], service: Hotline, clock: FakeClock) -> None:
    from hotline.domain.access import Principal
    from hotline.service import sightings

    g, syr_port, isr_port = gw
    usa_port = await g.start_tcp("127.0.0.1", 0, "usa")
    syr_r, syr_w = await asyncio.open_connection("127.0.0.1", syr_port)
    usa_r, usa_w = await asyncio.open_connection("127.0.0.1", usa_port)
    await syr_r.readuntil(b"hotline-zone-aos")
    await usa_r.readuntil(b"hotline-zone-aos")
    who = Principal("isr-duty", "isr", "operator")
    body = {"what": "Convoy", "location": {"lat": 33.1, "lon": 35.8}, "seen_at": clock.now.isoformat(),
            "reliability": "C", "credibility": 3}
    await sightings.report(service, who, {**body, "id": "sgt-private", "channel": "isr-usa"})
    await sightings.report(service, who, {**body, "id": "sgt-joint"})
    got = await asyncio.wait_for(usa_r.readuntil(b"hotline-sighting-sgt-joint"), 5)
    assert b"hotline-sighting-sgt-private" in got and b"SIGHTING C3" in got
    seen_by_syr = await asyncio.wait_for(syr_r.readuntil(b"hotline-sighting-sgt-joint"), 5)
    assert b"sgt-private" not in seen_by_syr
    for w in (syr_w, usa_w):
        w.close()
