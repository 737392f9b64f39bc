"""Handover and alert level on a real server (a subprocess on a SQLite file): what the in-process tests
show, seen through HTTP as a console sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from hotline.testing import ServerProcess, login

from .conftest import quick_world


def _post(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"precedence": "FLASH", "subject": "Test", "body": "Body", "language": "en", **fields}
    r = client.post("/api/v1/channels/joint/messages", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def test_a_handover_with_three_open_items_is_acknowledged_by_the_incoming_officer(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=quick_world(tmp_path), log=tmp_path / "server.log")
    server.prepare()
    with server.start():
        users = ("usa-duty", "isr-duty", "isr-super", "syr-duty")
        usa, isr, isr_super, syr = (login(server.base_url, u) for u in users)
        subjects = ["Patrol near post 12", "Convoy at Quneitra crossing", "Drone sighting"]
        for subject in subjects:
            _post(usa, subject=subject, precedence="PRIORITY")
        assert isr.post("/api/v1/desks/isr/sign-on").status_code == 201
        r = isr.post("/api/v1/desks/isr/handover", json={"note": "Quiet night; watch post 12."})
        assert r.status_code == 201, r.text
        r = isr_super.post("/api/v1/desks/isr/sign-on")
        assert r.status_code == 201, r.text
        handover = r.json()["handover"]
        assert (handover["from"], handover["to"]) == ("isr-duty", "isr-super")
        assert sorted(i["label"] for i in handover["items"]) == sorted(subjects)
        # Another party sees who now holds the desk.
        desks = {d["id"]: d for d in syr.get("/api/v1/desks").json()["desks"]}
        assert desks["isr"]["officer"]["username"] == "isr-super"
        # The outgoing officer cannot acknowledge for the incoming one; the incoming one does, whole.
        url = f"/api/v1/desks/isr/handover/{handover['id']}/ack"
        assert isr.post(url, json={}).status_code == 403
        r = isr_super.post(url, json={})
        assert r.status_code in (200, 201), r.text
        assert r.json()["handover"]["complete"]
        events = isr_super.get("/api/v1/events?after=0&limit=1000").json()["events"]
        acks = [e for e in events if e["type"] == "handover.acknowledged"]
        assert [len(a["payload"]["items"]) for a in acks] == [3]


def test_crisis_halves_the_flash_deadline_of_messages_posted_after_it(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=quick_world(tmp_path), log=tmp_path / "server.log")
    server.prepare()
    with server.start():
        isr, usa, syr = (login(server.base_url, u) for u in ("isr-duty", "usa-duty", "syr-duty"))
        before = _post(isr)
        r = usa.post("/api/v1/line/level", json={"level": "crisis", "reason": "shots fired"})
        assert r.status_code == 200, r.text
        after = _post(isr)
        assert after["ack_window_s"] * 2 == before["ack_window_s"] > 0
        overview = syr.get("/api/v1/desks").json()
        assert (overview["level"], overview["level_reason"]) == ("crisis", "shots fired")
