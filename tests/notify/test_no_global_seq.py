"""No number syr reads reveals the isr-usa traffic between its own events (issue 16, item 5).

Between every one of syr's events of each kind (message, incident, dispute, notice, finding,
translation, escalation and its delivery log), isr and usa talk on their own channel. Every ``seq``
and ``*_seq`` syr then reads, in any answer, must be one of syr's own cursors (its gapless sequence,
as the events page numbers it); a ledger seq would be larger than any of them once isr-usa traffic
came in between.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .conftest import step

pytestmark = pytest.mark.anyio

@pytest.fixture
def with_zones() -> bool:
    return True  # a notice in the demo's zones raises a finding


ARABIC = "نقوم بدورية راجلة قرب القنيطرة من الساعة ١٤٠٠ حتى ١٦٠٠."


async def ok(api: Api, user: str, method: str, path: str, **kw: Any) -> Any:
    r = await api.as_(user, method, path, **kw)
    assert r.status_code in (200, 201), (path, r.text)
    return r.json()


async def isr_usa_talks(api: Api, n: int = 4) -> None:
    for i in range(n):
        r = await api.post_message("isr-duty", "isr-usa", subject=f"talks {i}", body="between us")
        assert r.status_code == 201, r.text


def seqs(value: Any, path: str = "") -> list[tuple[str, int]]:
    """Every integer named ``seq`` or ``*_seq`` at any depth, with where it was."""
    out: list[tuple[str, int]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "seq" or key.endswith("_seq")) and type(item) is int:
                out.append((f"{path}.{key}", item))
            else:
                out += seqs(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += seqs(item, f"{path}[{i}]")
    return out


async def test_no_number_syr_reads_counts_the_isr_usa_traffic(api: Api, service: Hotline, clock: FakeClock) -> None:
    await isr_usa_talks(api)
    message = await ok(api, "syr-duty", "POST", "/api/v1/channels/joint/messages",
                       json={"precedence": "ROUTINE", "subject": "Patrol", "body": "x"})
    await isr_usa_talks(api)
    await ok(api, "isr-duty", "POST", f"/api/v1/messages/{message['id']}/ack", json={})
    await isr_usa_talks(api)
    incident = await ok(api, "syr-duty", "POST", "/api/v1/incidents", json={
        "category": "uav_sighting", "occurred_from": "2026-11-25T19:10:00Z", "occurred_to": "2026-11-25T19:25:00Z",
        "location": {"lat": 33.1256, "lon": 35.8241, "uncertainty_m": 300}, "involved": ["isr"],
        "description": "A small UAV over the Area of Separation.", "language": "en",
        "casualties": {"killed": 0, "injured": 0}, "damage": "None observed."})
    await isr_usa_talks(api)
    await ok(api, "isr-duty", "POST", f"/api/v1/incidents/{incident['id']}/ack", json={})
    await isr_usa_talks(api)
    dispute = await ok(api, "isr-duty", "POST", "/api/v1/disputes",
                       json={"title": "UAV", "parties": ["syr"], "incident_ids": [incident["id"]]})
    await isr_usa_talks(api)
    await ok(api, "syr-duty", "POST", f"/api/v1/disputes/{dispute['id']}/positions", json={"text": "Not ours."})
    await isr_usa_talks(api)
    window = {"start": (clock.now + timedelta(hours=80)).isoformat(),
              "end": (clock.now + timedelta(hours=92)).isoformat()}
    notice = await ok(api, "syr-duty", "POST", "/api/v1/notices", json={
        "type": "ground_movement", "geometry": {"type": "Point", "coordinates": [35.82, 33.32]}, "window": window,
        "radius_m": 300, "forces": {"tanks": 14, "troops": 60}})  # a finding: tanks in the area of separation
    await isr_usa_talks(api)
    await ok(api, "isr-duty", "POST", f"/api/v1/notices/{notice['notice_id']}/ack", json={})
    await isr_usa_talks(api)
    arabic = await ok(api, "syr-duty", "POST", "/api/v1/channels/joint/messages",
                      json={"precedence": "ROUTINE", "subject": "دورية", "body": ARABIC, "language": "ar"})
    await isr_usa_talks(api)
    await ok(api, "isr-translator", "POST", f"/api/v1/messages/{arabic['id']}/translations", json={"text": "סיור"})
    await isr_usa_talks(api)
    flash = await ok(api, "isr-duty", "POST", "/api/v1/channels/joint/messages",
                     json={"precedence": "FLASH", "subject": "Flight", "body": "x"})
    await isr_usa_talks(api)
    await step(service, clock, 60)  # unacknowledged: escalated to syr, and the deliveries logged
    await isr_usa_talks(api)
    await step(service, clock, 30)
    await isr_usa_talks(api)

    events = (await ok(api, "syr-duty", "GET", "/api/v1/events?after=0&limit=1000"))["events"]
    cursors = [e["seq"] for e in events]
    assert cursors == list(range(1, len(cursors) + 1))
    [finding] = (await ok(api, "syr-duty", "GET", "/api/v1/findings"))["findings"]
    answers = {path: await ok(api, "syr-duty", "GET", path) for path in (
        "/api/v1/channels/joint/messages", f"/api/v1/messages/{message['id']}", "/api/v1/messages/awaiting",
        "/api/v1/incidents", f"/api/v1/incidents/{incident['id']}", "/api/v1/incidents/awaiting",
        "/api/v1/disputes", f"/api/v1/disputes/{dispute['id']}",
        "/api/v1/notices", f"/api/v1/notices/{notice['notice_id']}",
        "/api/v1/findings", f"/api/v1/findings/{finding['finding_id']}",
        f"/api/v1/messages/{arabic['id']}/translations", "/api/v1/deliveries",
        f"/api/v1/deliveries?item_id={flash['id']}", "/api/v1/zones", "/api/v1/sightings",
        "/api/v1/talks", "/api/v1/workstreams", "/api/v1/events?after=0&limit=1000")}
    assert answers["/api/v1/deliveries"]["deliveries"], "the escalation reached syr's delivery log"
    assert "message.escalation_step" in {e["type"] for e in events}
    found = [(path + where, n) for path, body in answers.items() for where, n in seqs(body)]
    kinds = {where.split("?")[0].split("/")[3] for where, _ in found}
    assert {"channels", "messages", "incidents", "disputes", "notices", "findings", "deliveries"} <= kinds
    leaks = [(where, n) for where, n in found if n not in set(cursors)]
    assert leaks == [], "a ledger seq syr could count isr-usa traffic by"

    # And each is the cursor of the very event that made it, as the events page numbers it.
    def cursor(kind: str, **match: str) -> int:
        return next(e["seq"] for e in events
                    if e["type"] == kind and all(e["payload"].get(k) == v for k, v in match.items()))

    assert answers[f"/api/v1/incidents/{incident['id']}"]["seq"] == cursor("incident.reported",
                                                                          incident_id=incident["id"])
    assert answers[f"/api/v1/disputes/{dispute['id']}"]["seq"] == cursor("dispute.opened",
                                                                        dispute_id=dispute["id"])
    assert answers[f"/api/v1/notices/{notice['notice_id']}"]["seq"] == cursor("notice.filed",
                                                                             notice_id=notice["notice_id"])
    delivery = answers[f"/api/v1/deliveries?item_id={flash['id']}"]["deliveries"][0]
    escalation = next(e for e in events if e["seq"] == delivery["event_seq"])
    assert escalation["type"] == delivery["event_type"] == "message.escalation_step"
    assert escalation["payload"]["message_id"] == flash["id"] and delivery["id"].startswith(f"{escalation['seq']}:")
    assert all("ledger seq" not in (entry.get("detail") or "") for d in answers["/api/v1/deliveries"]["deliveries"]
               for entry in d["log"])
