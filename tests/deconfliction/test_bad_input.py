"""Bad input is refused with a 422 naming the field, and nothing is written to the ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio


def good(clock: FakeClock) -> dict[str, Any]:
    return {"type": "ground_movement", "geometry": {"type": "Point", "coordinates": [35.60, 32.90]}, "radius_m": 200,
            "window": {"start": (clock.now + timedelta(hours=60)).isoformat(),
                       "end": (clock.now + timedelta(hours=70)).isoformat()},
            "forces": {"troops": 10}}


def square(*ring: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


BOWTIE = square((35.6, 32.9), (35.7, 33.0), (35.7, 32.9), (35.6, 33.0), (35.6, 32.9))
MANY = {"type": "LineString", "coordinates": [[35.6 + i * 1e-5, 32.9] for i in range(6000)]}


def past(clock: FakeClock) -> dict[str, str]:
    return {"start": (clock.now - timedelta(hours=5)).isoformat(), "end": (clock.now - timedelta(hours=1)).isoformat()}


def backwards(clock: FakeClock) -> dict[str, str]:
    later, sooner = clock.now + timedelta(hours=70), clock.now + timedelta(hours=60)
    return {"start": later.isoformat(), "end": sooner.isoformat()}


CASES: list[tuple[str, Any, str]] = [
    ("self-intersecting polygon", lambda c: {"geometry": BOWTIE}, "geometry"),
    ("empty geometry", lambda c: {"geometry": {"type": "Polygon", "coordinates": []}}, "geometry"),
    ("latitude out of range", lambda c: {"geometry": {"type": "Point", "coordinates": [35.6, 95.0]}}, "geometry"),
    ("window ends before it starts", lambda c: {"window": backwards(c)}, "window.end"),
    ("window in the past", lambda c: {"window": past(c)}, "window.end"),
    ("negative tanks", lambda c: {"forces": {"tanks": -3}}, "forces.tanks"),
    ("absurd troops", lambda c: {"forces": {"troops": 10_000_000}}, "forces.troops"),
    ("too many vertices", lambda c: {"geometry": MANY, "width_m": 100}, "geometry"),
    ("air without altitude", lambda c: {"type": "air"}, "altitude"),
    ("party in the body", lambda c: {"party": "syr"}, "party"),
]


async def _seq(api: Api) -> int:
    r = await api.as_("usa-duty", "GET", "/api/v1/events?after=0&limit=1000")
    return max(e["seq"] for e in r.json()["events"])


@pytest.mark.parametrize(("case", "change", "field"), CASES, ids=[c[0] for c in CASES])
async def test_bad_notice_is_refused_naming_the_field_and_nothing_is_written(
        api: Api, clock: FakeClock, case: str, change: Any, field: str) -> None:
    before = await _seq(api)
    r = await api.as_("isr-duty", "POST", "/api/v1/notices", json={**good(clock), **change(clock)})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(f.startswith(field) for f in fields), fields
    assert await _seq(api) == before
    r = await api.as_("isr-duty", "GET", "/api/v1/notices?status=all")
    assert r.json()["notices"] == []


async def test_wrong_grid_zone_in_a_reference_is_refused(api: Api) -> None:
    # Zone 36 easting far east of its band (this square lies in zone 37's territory): the wrong zone.
    r = await api.as_("isr-duty", "GET", "/api/v1/geo/convert", params={"q": "36S 950000 3660000"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"


async def test_bad_zone_proposal_is_refused_and_nothing_is_written(api: Api) -> None:
    before = await _seq(api)
    feature = {"type": "Feature", "id": "bad", "geometry": BOWTIE,
               "properties": {"kind": "separation", "binds": ["isr"], "names": {"en": "x", "he": "x", "ar": "x"}}}
    r = await api.as_("isr-super", "POST", "/api/v1/zones/proposals", json={"feature": feature})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("feature.geometry")
    r = await api.as_("isr-super", "POST", "/api/v1/zones/import", json={"format": "kml", "document": "<kml"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("document")
    assert await _seq(api) == before


async def test_observer_may_not_file(api: Api, clock: FakeClock) -> None:
    r = await api.as_("observer", "POST", "/api/v1/notices", json=good(clock))
    assert r.status_code == 403
