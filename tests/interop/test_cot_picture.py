"""What TAK clients are shown besides tracks: zones and proposals as shapes, notices as markers, and
TAK protocol v1 (protobuf) for a client that negotiates it. Real gateway, real service, pytak clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
import takproto
from takproto.constants import TAKProtoVer
from takproto.functions import msg2proto
from takproto.proto import TakMessage

import hotline.demo.geography as geography
import hotline.domain.notices as ntc
import hotline.domain.zones_agreed as zag
from hotline.domain.access import Principal
from hotline.domain.timefmt import parse_iso
from hotline.interop.cot.gateway import Gateway
from hotline.interop.cot.xml import cot_time
from hotline.service import deconfliction
from hotline.service.hotline import Hotline
from hotline.testing import FakeClock

from .cot_client import Tak, connect
from .test_cot_bad_input import event, until

pytestmark = pytest.mark.anyio

ZONES = {f["id"]: f for f in json.loads((Path(geography.__file__).parent / "zones.geojson").read_text("utf-8"))
         ["features"]}


@pytest.fixture
def demo_seed() -> dict[str, bool]:
    return {"zones": True}


@pytest.fixture
async def gw(service: Hotline) -> AsyncIterator[tuple[Gateway, dict[str, int]]]:
    g = Gateway(service)
    ports = {p: await g.start_tcp("127.0.0.1", 0, p) for p in ("isr", "syr", "usa")}
    try:
        yield g, ports
    finally:
        await g.stop()


async def collect(tak: Tak, *uids: str, timeout: float = 5.0) -> dict[str, Element]:  # noqa: ASYNC109
    """Read events until every one of ``uids`` arrived; the last event of each uid, parsed."""
    got: dict[str, Element] = {}

    async def read() -> None:
        while not set(uids) <= set(got):
            data = await tak.rx.readcot()
            if data is None:
                raise ConnectionError("the gateway closed the connection")
            tak.seen.append(bytes(data))
            root = SafeET.fromstring(data)
            got[root.get("uid")] = root
            link = root.find("detail/link")
            if root.get("type") == "t-x-d-d" and link is not None:
                got[f"deleted:{link.get('uid')}"] = root

    await asyncio.wait_for(read(), timeout)
    return got


def links(ev: Element) -> list[tuple[float, float]]:
    return [tuple(map(float, str(el.get("point")).split(","))) for el in ev.findall("detail/link")]  # type: ignore[misc]


def value(ev: Element, tag: str) -> str | None:
    el = ev.find(f"detail/{tag}")
    return None if el is None else el.get("value")


async def test_zones_and_proposals_arrive_as_the_shapes_tak_draws_named_in_the_partys_language(
        gw: tuple[Gateway, dict[str, int]]) -> None:
    _, ports = gw
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    isr = await connect(f"tcp://127.0.0.1:{ports['isr']}")
    want = ("hotline-zone-aos", "hotline-zone-line-b", "hotline-zone-site-quneitra",
            "hotline-proposal-proposed-corridor-suwayda")
    got = await collect(syr, *want)
    aos, line, site, proposal = (got[u] for u in want)

    assert aos.get("type") == "u-d-f"
    ring = ZONES["aos"]["geometry"]["coordinates"][0]
    flat = [c for lat, lon in links(aos) for c in (lon, lat)]
    assert flat == pytest.approx([c for v in ring for c in v], abs=1e-6)  # closed: the first vertex again
    assert value(aos, "strokeStyle") == "solid" and value(aos, "fillColor") is not None
    assert aos.find("detail/contact").get("callsign") == ZONES["aos"]["properties"]["names"]["ar"]  # type: ignore[union-attr]
    assert parse_iso(aos.get("stale")) - parse_iso(aos.get("time")) == timedelta(days=1)  # type: ignore[arg-type]

    assert line.get("type") == "u-d-f" and value(line, "fillColor") is None
    assert links(line)[0] != links(line)[-1]  # a line is not closed

    assert site.get("type") == "u-d-c-c"
    ellipse = site.find("detail/shape/ellipse")
    assert ellipse is not None
    assert float(ellipse.get("major", "0")) == ZONES["site-quneitra"]["properties"]["rules"]["buffer_m"]
    lon, lat = ZONES["site-quneitra"]["geometry"]["coordinates"]
    assert float(site.find("point").get("lat")) == pytest.approx(lat)  # type: ignore[union-attr, arg-type]

    assert value(proposal, "strokeStyle") == "dashed"
    assert value(proposal, "strokeColor") != value(got["hotline-zone-aos"], "strokeColor")
    assert "مقترح" in proposal.find("detail/contact").get("callsign")  # type: ignore[union-attr, operator]
    assert "hotline-zone-proposed-corridor-suwayda" not in got  # not in force: drawn as a proposal only

    isr_aos = (await collect(isr, "hotline-zone-aos"))["hotline-zone-aos"]
    assert isr_aos.find("detail/contact").get("callsign") == ZONES["aos"]["properties"]["names"]["he"]  # type: ignore[union-attr]
    syr.close()
    isr.close()


async def propose(service: Hotline, zone_id: str, ring: list[list[float]], properties: dict[str, Any],
                  names: dict[str, str]) -> dict[str, Any]:
    """isr's supervisor proposes a polygon zone binding isr and syr; the zone's state."""
    feature = {"type": "Feature", "id": zone_id, "geometry": {"type": "Polygon", "coordinates": [ring]},
               "properties": {**properties, "binds": ["isr", "syr"], "names": names}}
    [state], _ = await deconfliction.propose_zone(service, Principal("isr-super", "isr", "supervisor"), [feature], "t")
    return state


async def test_a_proposed_rectangle_is_drawn_dashed_and_deleted_when_it_is_rejected(
        gw: tuple[Gateway, dict[str, int]], service: Hotline) -> None:
    _, ports = gw
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    await collect(syr, "hotline-zone-aos")
    box = [[36.0, 33.0], [36.1, 33.0], [36.1, 33.1], [36.0, 33.1], [36.0, 33.0]]
    state = await propose(service, "box-test", box, {"kind": "limitation", "rules": {"max_tanks": 0}},
                          {"en": "Test box", "he": "ריבוע", "ar": "مربع"})
    got = await collect(syr, "hotline-proposal-box-test")
    rect = got["hotline-proposal-box-test"]
    assert rect.get("type") == "u-d-r" and len(links(rect)) == 4
    assert value(rect, "strokeStyle") == "dashed"
    await deconfliction.zone_action(service, Principal("syr-super", "syr", "supervisor"),
                                    zag.RejectZone("box-test", state["proposal"]["proposal_id"], "no"))
    gone = await collect(syr, "deleted:hotline-proposal-box-test")
    assert gone["deleted:hotline-proposal-box-test"].find("detail/__forcedelete") is not None
    syr.close()


async def test_a_notice_is_a_marker_stale_at_its_end_for_the_other_party_and_deleted_when_withdrawn(
        gw: tuple[Gateway, dict[str, int]], service: Hotline, clock: FakeClock) -> None:
    _, ports = gw
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    await collect(syr, "hotline-zone-aos")
    end = clock.now + timedelta(hours=70)
    body: dict[str, Any] = {
        "id": "ntc-tak-1", "type": "ground_movement", "radius_m": 200, "forces": {"troops": 10},
        "geometry": {"type": "Point", "coordinates": [35.60, 32.90]}, "text": "<b>convoy</b> & escort",
        "window": {"start": (clock.now + timedelta(hours=60)).isoformat(), "end": end.isoformat()}}
    isr = Principal("isr-duty", "isr", "operator")
    await deconfliction.file_notice(service, isr, body)
    marker = (await collect(syr, "hotline-notice-ntc-tak-1"))["hotline-notice-ntc-tak-1"]
    assert marker.get("stale") == cot_time(end)
    assert float(marker.find("point").get("lat")) == pytest.approx(32.90)  # type: ignore[union-attr, arg-type]
    assert "<b>convoy</b> & escort" in (marker.find("detail/remarks").text or "")  # type: ignore[union-attr]
    assert marker.find("detail/_hotline").get("party") == "isr"  # type: ignore[union-attr]
    # a new connection gets it in its snapshot
    late = await connect(f"tcp://127.0.0.1:{ports['usa']}")
    await collect(late, "hotline-notice-ntc-tak-1")
    await deconfliction.withdraw_notice(service, isr, ntc.WithdrawNotice("ntc-tak-1", "cancelled"))
    await collect(syr, "deleted:hotline-notice-ntc-tak-1")
    syr.close()
    late.close()


async def _read_xml(reader: asyncio.StreamReader, typ: bytes) -> bytes:
    while True:
        data = await reader.readuntil(b"</event>")
        if typ in data:
            return data


async def _frames_until(reader: asyncio.StreamReader, uid: str) -> Any:
    while True:
        head = await reader.readexactly(1)
        assert head == b"\xbf"
        raw = bytearray()
        while True:
            b = await reader.readexactly(1)
            raw += b
            if not b[0] & 0x80:
                break
        length = 0
        for i, b8 in enumerate(raw):
            length |= (b8 & 0x7F) << (7 * i)
        msg = takproto.parse_proto(bytearray(head + raw + await reader.readexactly(length)))
        if msg.cotEvent.uid == uid:
            return msg


async def _negotiate(ports: dict[str, int], party: str, clock: FakeClock
                     ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", ports[party])
    await asyncio.wait_for(_read_xml(reader, b"t-x-takp-v"), 5)
    now = cot_time(clock.now)
    writer.write(f'<event version="2.0" uid="{party}-proto" type="t-x-takp-q" time="{now}" start="{now}" '
                 f'stale="{now}" how="m-g"><point lat="0" lon="0" hae="0" ce="999999" le="999999"/><detail>'
                 '<TakControl><TakRequest version="1"/></TakControl></detail></event>'.encode())
    await writer.drain()
    assert b'status="true"' in await asyncio.wait_for(_read_xml(reader, b"t-x-takp-r"), 5)
    return reader, writer


async def test_bad_protobuf_is_refused_and_a_broken_frame_closes_only_that_connection(
        gw: tuple[Gateway, dict[str, int]], clock: FakeClock) -> None:
    g, ports = gw
    _, writer = await _negotiate(ports, "isr", clock)
    writer.write(b"\xbf\x05garba")  # framed, but no TakMessage
    msg = TakMessage()
    msg.cotEvent.uid, msg.cotEvent.type, msg.cotEvent.sendTime = "isr-x", "a-f-G", 2**62  # a time of no calendar
    writer.write(bytes(msg2proto(msg, TAKProtoVer.STREAM)))
    writer.write(b"\x00\x01\x02")  # not a frame at all: the stream is out of step
    await writer.drain()
    await until(lambda: g.counters["refused_bad_frame"] == 1)
    assert g.counters["refused_malformed"] == 2, g.counters
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")  # the gateway still serves the others
    await collect(syr, "hotline-zone-aos")
    syr.close()
    writer.close()


async def test_a_client_that_negotiates_tak_protocol_v1_gets_and_sends_protobuf(
        gw: tuple[Gateway, dict[str, int]], clock: FakeClock) -> None:
    g, ports = gw
    reader, writer = await asyncio.open_connection("127.0.0.1", ports["isr"])
    offer = await asyncio.wait_for(_read_xml(reader, b't-x-takp-v'), 5)
    assert b'<TakProtocolSupport version="1"' in offer
    now = cot_time(clock.now)
    writer.write(f'<event version="2.0" uid="isr-proto-1" type="t-x-takp-q" time="{now}" start="{now}" stale="{now}" '
                 'how="m-g"><point lat="0" lon="0" hae="0" ce="999999" le="999999"/><detail><TakControl>'
                 '<TakRequest version="1"/></TakControl></detail></event>'.encode())
    await writer.drain()
    answer = await asyncio.wait_for(_read_xml(reader, b"t-x-takp-r"), 5)
    assert b'<TakResponse status="true"' in answer

    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    await syr.send(event(clock, uid="syr-uav-proto"))
    track = await asyncio.wait_for(_frames_until(reader, "syr-uav-proto"), 5)
    assert track.cotEvent.type == "a-f-A-M-F-Q"
    assert track.cotEvent.lat == pytest.approx(33.1)

    # what it sends as protobuf goes through the same checks (the bad one first: read in order)
    writer.write(bytes(takproto.xml2proto(event(clock, uid="isr-bad", lat=95.0), TAKProtoVer.STREAM)))
    writer.write(bytes(takproto.xml2proto(event(clock, uid="isr-proto-uav", lat=33.2, lon=35.7), TAKProtoVer.STREAM)))
    await writer.drain()
    await syr.until(b'uid="isr-proto-uav"')
    assert g.counters["takproto_v1"] == 1 and g.counters["refused_invalid"] == 1
    writer.close()
    syr.close()


async def test_an_accepted_proposal_is_redrawn_solid_in_force_and_its_dashed_proposal_deleted(
        gw: tuple[Gateway, dict[str, int]], service: Hotline) -> None:
    _, ports = gw
    isr = await connect(f"tcp://127.0.0.1:{ports['isr']}")
    await collect(isr, "hotline-zone-aos")
    ring = [[36.0, 33.0], [36.1, 33.05], [36.0, 33.1], [36.0, 33.0]]
    state = await propose(service, "tri-test", ring, {"kind": "separation"},
                          {"en": "Triangle", "he": "משולש", "ar": "مثلث"})
    await collect(isr, "hotline-proposal-tri-test")
    await deconfliction.zone_action(service, Principal("syr-super", "syr", "supervisor"),
                                    zag.AcceptZone("tri-test", state["proposal"]["proposal_id"]))
    got = await collect(isr, "hotline-zone-tri-test", "deleted:hotline-proposal-tri-test")
    zone = got["hotline-zone-tri-test"]
    assert zone.get("type") == "u-d-f" and value(zone, "strokeStyle") == "solid"
    assert zone.find("detail/contact").get("callsign") == "משולש"  # type: ignore[union-attr]
    isr.close()


async def test_the_snapshot_on_connect_holds_only_what_the_party_may_see(
        gw: tuple[Gateway, dict[str, int]], service: Hotline, clock: FakeClock) -> None:
    from hotline.service import sightings

    _, ports = gw
    who = Principal("isr-duty", "isr", "operator")
    body = {"what": "Convoy", "location": {"lat": 33.1, "lon": 35.8}, "seen_at": clock.now.isoformat(),
            "reliability": "C", "credibility": 3}
    await sightings.report(service, who, {**body, "id": "sgt-snap-private", "channel": "isr-usa"})
    await sightings.report(service, who, {**body, "id": "sgt-snap-joint"})
    usa = await connect(f"tcp://127.0.0.1:{ports['usa']}")
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    await collect(usa, "hotline-sighting-sgt-snap-private", "hotline-sighting-sgt-snap-joint")
    await collect(syr, "hotline-sighting-sgt-snap-joint", "hotline-zone-aos")
    # the snapshot is queued in one go; a track sent after part of it arrived comes after all of it
    await usa.send(event(clock, uid="usa-probe"))
    await syr.until(b'uid="usa-probe"')
    assert any(b"hotline-sighting-sgt-snap-joint" in d for d in syr.seen)
    assert not any(b"sgt-snap-private" in d for d in syr.seen)
    usa.close()
    syr.close()
