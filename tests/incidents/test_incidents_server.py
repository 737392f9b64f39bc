"""The incident workflow over a real server (uvicorn in a subprocess, SQLite file), seen on the stream too."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hotline.testing import ServerProcess, StreamReader, login

from .helpers import PNG, report_body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("incidents")
    srv = ServerProcess(f"sqlite:///{base / 'hotline.db'}", log=Path(base / "server.log"))
    srv.prepare()
    with srv.start():
        yield srv


@pytest.fixture(scope="module")
def users(server: ServerProcess) -> Iterator[dict[str, httpx.Client]]:
    clients = {u: login(server.base_url, u) for u in ("syr-duty", "syr-super", "isr-duty", "isr-super", "usa-duty",
                                                       "usa-super")}
    yield clients
    for c in clients.values():
        c.close()


def _now_report(**fields: object) -> dict[str, object]:
    # The real server runs on the real clock: report something that happened just now.
    start = datetime.now(UTC) - timedelta(minutes=20)
    return report_body(occurred_from=start.isoformat(), occurred_to=None, **fields)


def test_syrian_report_with_photo_is_acknowledged_by_israel_and_the_mediator(
        server: ServerProcess, users: dict[str, httpx.Client]) -> None:
    syr, isr, usa = users["syr-duty"], users["isr-duty"], users["usa-duty"]
    r = syr.post("/api/v1/incidents", json=_now_report())
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    r = syr.post(f"/api/v1/incidents/{iid}/evidence", files={"file": ("op12.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    sha = hashlib.sha256(PNG).hexdigest()
    assert r.json()["evidence"][0]["sha256"] == sha
    assert [i["id"] for i in isr.get("/api/v1/incidents/awaiting").json()["incidents"]] == [iid]
    assert isr.post(f"/api/v1/incidents/{iid}/ack").status_code == 201
    r = usa.post(f"/api/v1/incidents/{iid}/ack", json={"note": "Seen by the mediator."})
    assert r.status_code == 201 and r.json()["status"] == "acknowledged" and r.json()["awaiting"] == []
    got = isr.get(f"/api/v1/incidents/{iid}/evidence/{sha}")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == got.headers["x-content-sha256"] == sha
    events = [e for e in usa.get("/api/v1/events?limit=1000").json()["events"]
              if e["payload"].get("incident_id") == iid]
    assert [e["type"] for e in events] == ["incident.reported", "evidence.attached", "incident.acknowledged",
                                           "incident.acknowledged"]
    assert events[1]["payload"]["sha256"] == sha and events[1]["channel"] == "joint"


def test_clarification_round_trip_over_the_server(users: dict[str, httpx.Client]) -> None:
    syr, isr = users["syr-duty"], users["isr-duty"]
    iid = syr.post("/api/v1/incidents", json=_now_report(category="civilian_detention")).json()["id"]
    r = isr.post(f"/api/v1/incidents/{iid}/questions", json={"text": "How many civilians, and where are they held?"})
    assert r.status_code == 201 and r.json()["status"] == "clarification"
    assert syr.post(f"/api/v1/incidents/{iid}/questions/q2/answer", json={"text": "?"}).status_code == 404
    r = syr.post(f"/api/v1/incidents/{iid}/questions/q1/answer", json={"text": "Two shepherds, in Quneitra."})
    assert r.status_code == 201
    q = r.json()["questions"][0]
    assert q["answer"]["text"] == "Two shepherds, in Quneitra." and q["answer"]["by"] == "syr-duty"


def test_dispute_opened_escalated_and_referred_over_the_server(users: dict[str, httpx.Client]) -> None:
    syr, isr, isr_super = users["syr-duty"], users["isr-duty"], users["isr-super"]
    iid = syr.post("/api/v1/incidents", json=_now_report(category="exchange_of_fire")).json()["id"]
    r = isr.post("/api/v1/disputes", json={"title": "Fire near Hader", "parties": ["syr"], "incident_ids": [iid]})
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    assert syr.post(f"/api/v1/disputes/{did}/positions", json={"text": "Return fire only."}).status_code == 201
    r = isr.post(f"/api/v1/disputes/{did}/escalate")
    assert r.status_code == 201 and r.json()["level"] == "supervisor"
    r = isr.post(f"/api/v1/disputes/{did}/escalate", json={"to": "negotiators"})
    assert r.status_code == 403  # a duty officer may not take it to the negotiators
    r = isr_super.post(f"/api/v1/disputes/{did}/refer", json={"round_id": "round-6", "text": "For the next round."})
    assert r.status_code == 201
    d = r.json()
    assert d["status"] == "referred_to_talks" and list(d["levels_reached"]) == ["duty", "supervisor", "negotiators"]


def test_transitions_refused_for_role_or_party(users: dict[str, httpx.Client]) -> None:
    syr, isr, usa_super = users["syr-duty"], users["isr-duty"], users["usa-super"]
    iid = syr.post("/api/v1/incidents", json=_now_report()).json()["id"]
    assert syr.post(f"/api/v1/incidents/{iid}/ack").status_code == 403  # its own report
    isr.post(f"/api/v1/incidents/{iid}/ack")
    users["usa-duty"].post(f"/api/v1/incidents/{iid}/ack")
    r = isr.post(f"/api/v1/incidents/{iid}/review")
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    before = usa_super.get(f"/api/v1/incidents/{iid}").json()
    assert users["isr-super"].post(f"/api/v1/incidents/{iid}/review").status_code == 201
    usa_super.post(f"/api/v1/incidents/{iid}/findings", json={"text": "Unknown operator."})
    assert usa_super.post(f"/api/v1/incidents/{iid}/findings/1/agree").status_code == 403  # mediator, not a party
    assert before["status"] == "acknowledged"


def test_evidence_of_a_channel_israel_is_not_in_is_refused(users: dict[str, httpx.Client]) -> None:
    syr, isr, usa = users["syr-duty"], users["isr-duty"], users["usa-duty"]
    r = syr.post("/api/v1/incidents", json=_now_report(involved=[]))
    iid = r.json()["id"]
    assert r.json()["channel"] == "syr-usa"
    data = b"%PDF-1.4\n" + b"x" * 500 + b"\n%%EOF\n"
    syr.post(f"/api/v1/incidents/{iid}/evidence", files={"file": ("statement.pdf", data, "application/pdf")})
    sha = hashlib.sha256(data).hexdigest()
    ok = usa.get(f"/api/v1/incidents/{iid}/evidence/{sha}")
    assert ok.status_code == 200 and hashlib.sha256(ok.content).hexdigest() == sha
    refused = isr.get(f"/api/v1/incidents/{iid}/evidence/{sha}")
    assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
    assert refused.content.find(data[:20]) == -1


@pytest.mark.anyio
async def test_stream_carries_incident_events_to_the_parties(server: ServerProcess,
                                                             users: dict[str, httpx.Client]) -> None:
    token = users["isr-duty"].headers["authorization"].split(" ", 1)[1]
    last = users["isr-duty"].get("/api/v1/events?limit=1000").json()["last_seq"]
    async with StreamReader(server.base_url, token, after=last) as reader:
        iid = users["syr-duty"].post("/api/v1/incidents", json=_now_report()).json()["id"]
        ev = await reader.until(lambda e: e["type"] == "incident.reported")
        assert ev["payload"]["incident_id"] == iid and ev["party"] == "syr"
