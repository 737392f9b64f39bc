"""Every integer, date and nesting depth is bounded at the edge: out-of-range input is a 422 naming the
field (never a 500 from the driver, the calendar or the recursion limit), and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.api.params import CLOSE_INVALID
from hotline.service.hotline import Hotline
from hotline.store.ledger import read_events
from hotline.testing import Api, ServerProcess, login

pytestmark = pytest.mark.anyio

HUGE = str(2**64 + 7)  # beyond 64 bits: SQLite raised OverflowError on it
INCIDENT = {"category": "exchange_of_fire", "occurred_from": "2026-11-25T18:00:00Z",
            "location": {"lat": 33.1, "lon": 35.8}, "description": "Shots heard."}


async def count_events(hl: Hotline) -> int:
    async with hl.db.read() as conn:
        return len(await read_events(conn, after=0, channels=None, limit=100_000))


def assert_invalid(r, field: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json().get("errors", [])], r.json()


@pytest.mark.parametrize(("path", "field"), [
    (f"/api/v1/events?after={HUGE}", "after"),
    (f"/api/v1/incidents?before={HUGE}", "before"),
    (f"/api/v1/channels/joint/messages?before={HUGE}", "before"),
    (f"/api/v1/witness/channels/joint/checkpoints?after_size={HUGE}", "after_size"),
    (f"/api/v1/witness/channels/joint/consistency?first={HUGE}", "first"),
    (f"/api/v1/witness/channels/joint/consistency?first=1&second={HUGE}", "second"),
    (f"/api/v1/witness/events/{HUGE}/inclusion", "seq"),
    (f"/api/v1/witness/events/1/inclusion?size={HUGE}", "size"),
    (f"/api/v1/witness/events/{HUGE}/agreement", "seq"),
    (f"/api/v1/witness/events/-{HUGE}/agreement", "seq"),
])
async def test_integers_beyond_64_bits_are_a_422_naming_the_field(api: Api, path: str, field: str) -> None:
    assert_invalid(await api.as_("isr-duty", "GET", path), field)


async def test_the_largest_64_bit_cursor_is_accepted_and_finds_nothing(api: Api) -> None:
    r = await api.as_("isr-duty", "GET", f"/api/v1/events?after={2**63 - 1}")
    assert r.status_code == 200 and r.json()["events"] == []
    r = await api.as_("isr-duty", "GET", f"/api/v1/channels/joint/messages?before={2**63 - 1}")
    assert r.status_code == 200


async def test_a_finding_number_beyond_64_bits_is_a_422(api: Api, service: Hotline) -> None:
    before = await count_events(service)
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/i-1/findings/{HUGE}/agree")
    assert_invalid(r, "finding_id")
    assert await count_events(service) == before


@pytest.mark.parametrize("period", ["from=0001-01-01T00:00:00%2B14:00", "to=9999-12-31T23:59:59-14:00",
                                    "from=0001-01-01"])
async def test_a_report_period_out_of_range_is_a_422_naming_the_field(api: Api, period: str) -> None:
    r = await api.as_("isr-super", "GET", f"/api/v1/reports/summary?{period}")
    assert_invalid(r, period.split("=")[0])
    r = await api.as_("isr-super", "GET", f"/api/v1/reports/summary.csv?{period}")
    assert_invalid(r, period.split("=")[0])


async def test_an_incident_time_out_of_range_is_a_422_and_writes_nothing(api: Api, service: Hotline) -> None:
    before = await count_events(service)
    r = await api.as_("isr-duty", "POST", "/api/v1/incidents",
                      json={**INCIDENT, "occurred_from": "0001-01-01T00:00:00+14:00"})
    assert_invalid(r, "occurred_from")
    r = await api.as_("isr-duty", "POST", "/api/v1/incidents",
                      json={**INCIDENT, "casualties": {"killed": 2**70}})
    assert_invalid(r, "casualties.killed")
    assert await count_events(service) == before


def _nested(depth: int) -> str:
    return '{"type": "FeatureCollection", "features": ' + "[" * depth + "]" * depth + "}"


async def test_a_geojson_import_nested_100000_deep_is_a_422_naming_the_document(api: Api, service: Hotline) -> None:
    before = await count_events(service)
    r = await api.as_("isr-super", "POST", "/api/v1/zones/import",
                      json={"format": "geojson", "document": _nested(100_000)})
    assert_invalid(r, "document")
    # The same depth as the request body itself (not a string inside it) is refused too, never a 500.
    body = '{"format": "geojson", "document": ' + _nested(100_000) + "}"
    r = await api.as_("isr-super", "POST", "/api/v1/zones/import", content=body.encode(),
                      headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert await count_events(service) == before


async def test_a_moderately_nested_geojson_is_refused_by_depth_before_it_is_walked(api: Api) -> None:
    doc = json.loads(_nested(200))
    r = await api.as_("isr-super", "POST", "/api/v1/zones/import", json={"format": "geojson", "document": doc})
    assert_invalid(r, "document")
    assert "nested" in r.json()["detail"]


async def test_integers_no_json_reader_holds_inside_free_form_documents_are_a_422(api: Api, service: Hotline
                                                                                   ) -> None:
    before = await count_events(service)
    r = await api.as_("isr-duty", "POST", "/api/v1/witness/channels/joint/alarms",
                      json={"detail": "refused checkpoint", "evidence": {"size": 2**70}})
    assert_invalid(r, "evidence")  # a 500 from the canonical JSON encoder before
    feature = {"type": "Feature", "id": "z-big", "properties": {"name": "Big", "kind": "restricted", "n": -(2**60)},
               "geometry": {"type": "Point", "coordinates": [35.8, 33.1]}}
    assert_invalid(await api.as_("isr-super", "POST", "/api/v1/zones/proposals", json={"feature": feature}), "feature")
    assert await count_events(service) == before


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hotline.db'}", log=tmp_path / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


async def test_the_stream_closes_with_4022_for_a_cursor_beyond_64_bits(server: ServerProcess) -> None:
    import websockets

    with login(server.base_url, "syr-duty") as syr:
        token = syr.headers["authorization"]
    url = server.base_url.replace("http", "ws", 1)
    for bad in (HUGE, "-1", "abc"):
        async with websockets.connect(f"{url}/api/v1/stream?after={bad}",
                                      additional_headers={"authorization": token}) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == CLOSE_INVALID
        assert "after" in closed.value.rcvd.reason
    # A good cursor still streams.
    async with websockets.connect(f"{url}/api/v1/stream?after=0", additional_headers={"authorization": token}) as ws:
        assert json.loads(await ws.recv())["type"] in ("events", "ready")
