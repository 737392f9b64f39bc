"""The disputes register, the talks and commitments, and the summary report, through the API."""

from __future__ import annotations

import csv
import io

import pytest

from hotline.demo.talks import seed_talks
from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .helpers import count_events, event_types, report_body

pytestmark = pytest.mark.anyio


async def _incident(api: Api, user: str = "syr-duty", **fields: object) -> str:
    r = await api.as_(user, "POST", "/api/v1/incidents", json=report_body(**fields))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _dispute(api: Api, iid: str) -> dict[str, object]:
    r = await api.as_("isr-duty", "POST", "/api/v1/disputes",
                      json={"title": "UAV over Quneitra", "parties": ["syr"], "incident_ids": [iid]})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_dispute_opened_escalated_and_referred_to_talks(api: Api, service: Hotline, clock: FakeClock) -> None:
    iid = await _incident(api)
    d = await _dispute(api, iid)
    did = d["id"]
    assert (d["status"], d["level"], d["parties"], d["channel"]) == ("open", "duty", ["isr", "syr"], "joint")
    assert d["awaiting"] == ["isr", "syr"]  # neither party has stated its position yet
    for user, text in (("isr-duty", "The UAV came from the east."), ("syr-duty", "No Syrian UAV was airborne.")):
        r = await api.as_(user, "POST", f"/api/v1/disputes/{did}/positions", json={"text": text})
        assert r.status_code == 201
    assert set(r.json()["positions"]) == {"isr", "syr"}
    clock.advance(hours=2)
    r = await api.as_("syr-duty", "POST", f"/api/v1/disputes/{did}/escalate")
    assert r.status_code == 201 and r.json()["level"] == "supervisor"
    assert r.json()["levels_reached"]["supervisor"] == "2026-11-25T21:30:00.000000Z"
    r = await api.as_("usa-duty", "POST", f"/api/v1/disputes/{did}/proposals", json={"text": "Joint inspection."})
    assert r.json()["status"] == "under_negotiation"
    clock.advance(hours=3)
    r = await api.as_("isr-super", "POST", f"/api/v1/disputes/{did}/refer", json={"round_id": "round-6"})
    body = r.json()
    assert r.status_code == 201 and body["status"] == "referred_to_talks" and body["level"] == "negotiators"
    assert body["levels_reached"]["negotiators"] == "2026-11-26T00:30:00.000000Z"
    assert body["referred"]["round_id"] == "round-6"
    types = await event_types(service)
    assert types[-2:] == ["dispute.escalated", "dispute.referred"]
    r = await api.as_("usa-duty", "GET", "/api/v1/disputes")
    assert r.status_code == 200, r.text
    listed = r.json()["disputes"]
    assert [x["id"] for x in listed] == [did]


REFUSED = [
    ("isr-duty", "escalate", {"to": "negotiators"}, 403),  # duty officers go to their supervisors, not further
    ("isr-duty", "refer", {}, 403),                       # only supervisors refer to the talks
    ("observer", "positions", {"text": "x"}, 403),
    ("usa-duty", "positions", {"text": "x"}, 403),        # the mediator proposes; it holds no position
    ("isr-super", "escalate", {"to": "supervisor"}, 409),  # already there after the first escalation
    ("isr-super", "proposals/p9/accept", None, 404),
]


@pytest.mark.parametrize(("user", "action", "body", "status"), REFUSED, ids=[f"{u}-{a}" for u, a, _, _ in REFUSED])
async def test_dispute_step_not_allowed_is_refused_and_writes_nothing(
        api: Api, service: Hotline, user: str, action: str, body: dict[str, object] | None, status: int) -> None:
    did = (await _dispute(api, await _incident(api)))["id"]
    await api.as_("isr-duty", "POST", f"/api/v1/disputes/{did}/escalate")
    before = await count_events(service)
    r = await api.as_(user, "POST", f"/api/v1/disputes/{did}/{action}", json=body)
    assert r.status_code == status, r.text
    assert await count_events(service) == before


async def test_proposal_accepted_by_every_party_settles_the_dispute(api: Api) -> None:
    did = (await _dispute(api, await _incident(api)))["id"]
    await api.as_("usa-super", "POST", f"/api/v1/disputes/{did}/proposals", json={"text": "Joint patrol log."})
    r = await api.as_("isr-super", "POST", f"/api/v1/disputes/{did}/proposals/p1/accept")
    assert r.json()["status"] == "under_negotiation"
    r = await api.as_("syr-super", "POST", f"/api/v1/disputes/{did}/proposals/p1/accept")
    assert r.json()["status"] == "settled" and r.json()["settled"]["terms"] == "Joint patrol log."


async def test_dispute_cannot_link_an_incident_its_parties_do_not_share(api: Api, service: Hotline) -> None:
    hidden = await _incident(api, involved=[])  # syr-usa channel
    before = await count_events(service)
    r = await api.as_("isr-duty", "POST", "/api/v1/disputes",
                      json={"title": "t", "parties": ["syr"], "incident_ids": [hidden]})
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "incident_ids"
    r = await api.as_("isr-duty", "POST", "/api/v1/disputes", json={"title": "t", "parties": []})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parties"
    assert await count_events(service) == before


async def test_demo_talks_are_recorded_once_with_the_civilian_track(api: Api, service: Hotline) -> None:
    assert await seed_talks(service) > 0
    before = await count_events(service)
    assert await seed_talks(service) == 0 and await count_events(service) == before
    talks = (await api.as_("syr-duty", "GET", "/api/v1/talks")).json()["rounds"]
    assert [(r["number"], r["place"]) for r in talks] == [(5, "Paris")]
    titles = [u["title"] for u in talks[0]["understandings"]]
    assert "Joint deconfliction mechanism and hotline" in titles and "More frequent meetings" in titles
    ws = (await api.as_("isr-duty", "GET", "/api/v1/workstreams")).json()["workstreams"]
    assert set(ws) == {"energy", "health", "agriculture"}
    assert ws["energy"]["understandings"][0]["items"] and ws["health"]["commitments"][0]["owner"] == "syr"
    delivered = (await api.as_("isr-duty", "GET", "/api/v1/commitments/c5-hotline-staffed")).json()
    assert delivered["status"] == "delivered" and delivered["updates"][0]["note"]


async def test_commitment_status_rules_and_overdue(api: Api, service: Hotline, clock: FakeClock) -> None:
    await seed_talks(service)
    before = await count_events(service)
    r = await api.as_("syr-super", "POST", "/api/v1/commitments/c5-isr-roster/status", json={"status": "delivered",
                                                                                           "note": "done"})
    assert r.status_code == 403  # only the owner reports on its commitment
    r = await api.as_("isr-duty", "POST", "/api/v1/commitments/c5-isr-roster/status", json={"status": "delivered"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence"
    r = await api.as_("isr-duty", "POST", "/api/v1/commitments/c5-isr-roster/status", json={"status": "cancelled"})
    assert r.status_code == 403
    r = await api.as_("usa-super", "POST", "/api/v1/commitments/c5-hotline-staffed/status",
                      json={"status": "in_progress"})
    assert r.status_code == 409
    assert await count_events(service) == before
    # The fake clock stands in November 2026: every seeded commitment still open is past due.
    assert await service.timers.run_due() == 7
    r = await api.as_("isr-duty", "POST", "/api/v1/commitments/c5-isr-roster/status",
                      json={"status": "delivered", "note": "Rosters exchanged.", "evidence": ["ab" * 32]})
    assert r.status_code == 201 and r.json()["overdue"] and r.json()["updates"][-1]["late"] is True


async def test_summary_report_counts_times_disputes_and_commitments(api: Api, service: Hotline,
                                                                     clock: FakeClock) -> None:
    await seed_talks(service)
    a = await _incident(api)
    b = await _incident(api, user="isr-duty", category="exchange_of_fire", involved=["syr"],
                        location={"lat": 33.30, "lon": 35.77, "uncertainty_m": 50})
    clock.advance(seconds=60)
    await api.as_("isr-duty", "POST", f"/api/v1/incidents/{a}/ack")
    clock.advance(seconds=120)
    await api.as_("usa-duty", "POST", f"/api/v1/incidents/{a}/ack")
    await api.as_("syr-duty", "POST", f"/api/v1/incidents/{b}/ack")
    await api.as_("isr-super", "POST", f"/api/v1/incidents/{a}/review")
    await api.as_("usa-super", "POST", f"/api/v1/incidents/{a}/findings", json={"text": "Unknown operator."})
    clock.advance(seconds=600)
    await api.as_("isr-super", "POST", f"/api/v1/incidents/{a}/findings/1/agree")
    await api.as_("syr-super", "POST", f"/api/v1/incidents/{a}/findings/1/agree")
    await _dispute(api, b)
    r = await api.as_("usa-duty", "GET", "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31")
    rep = r.json()
    assert r.status_code == 200 and rep["incidents"]["total"] == 2
    assert rep["incidents"]["by_category"]["uav_sighting"] == 1 and rep["incidents"]["by_category"]["other"] == 0
    assert rep["incidents"]["by_sector"] == {"central": 1, "north": 1}
    assert rep["time_to_acknowledge"]["isr"] == {"count": 1, "median_s": 60.0, "p95_s": 60.0}
    assert rep["time_to_acknowledge"]["usa"] == {"count": 1, "median_s": 180.0, "p95_s": 180.0}
    assert rep["time_to_resolve"]["syr"] == {"count": 1, "median_s": 780.0, "p95_s": 780.0}
    assert [d["status"] for d in rep["open_disputes"]] == ["open"]
    # all eight are late in November 2026: seven still open, and one delivered after its due date
    assert rep["commitments"]["due"] == 8 and rep["commitments"]["late"] == 8
    r = await api.as_("usa-duty", "GET", "/api/v1/reports/summary.csv?from=2026-01-01&to=2026-12-31")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="hotline-summary-20260101-20261231.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["incidents_by_category", "exchange_of_fire", "count", "1"] in rows
    assert ["time_to_acknowledge", "usa", "median_s", "180.0"] in rows
    r = await api.as_("usa-duty", "GET", "/api/v1/reports/summary?from=2026-12-31&to=2026-01-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"
    # Israel does not see the Syria–US channel: an incident there does not enter its report.
    await _incident(api, involved=[])
    isr = (await api.as_("isr-duty", "GET", "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31")).json()
    usa = (await api.as_("usa-duty", "GET", "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31")).json()
    assert (isr["incidents"]["total"], usa["incidents"]["total"]) == (2, 3)
