"""Every escalation policy kind acted on, in-process on a fake clock with a real SMTP server and a real
webhook receiver: an incident awaiting Syria's acknowledgement, a link test Israel's desk missed and
Syria's desk left empty in a planned shift each walk their world-file policy. Each step comes at its
delay from the trigger and is written once, its e-mail arrives in the supervisors' language and its
webhook reaches the mediator; the trigger clearing (acknowledged, the next test answered, the desk
manned again) stops the rest; a party sees only the deliveries that concern it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hotline.domain.timefmt import iso
from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .conftest import step
from .receivers import Mailbox, WebhookReceiver
from .worlds import kinds_world

pytestmark = pytest.mark.anyio


@pytest.fixture
def world_path(tmp_path: Path, receiver: WebhookReceiver) -> str:
    return kinds_world(tmp_path, receiver.url)


async def events(api: Api, user: str, *types: str) -> list[dict[str, Any]]:
    r = await api.as_(user, "GET", "/api/v1/events?after=0&limit=1000")
    assert r.status_code == 200, r.text
    return [e for e in r.json()["events"] if e["type"] in types]


async def deliveries(api: Api, user: str, item_id: str | None = None) -> list[dict[str, Any]]:
    query = f"?item_id={item_id}" if item_id else ""
    r = await api.as_(user, "GET", f"/api/v1/deliveries{query}")
    assert r.status_code == 200, r.text
    return r.json()["deliveries"]  # type: ignore[no-any-return]


async def report(api: Api) -> dict[str, Any]:
    """Israel reports an incident involving Syria: Syria (and the mediator) must acknowledge it."""
    r = await api.as_("isr-duty", "POST", "/api/v1/incidents", json={
        "category": "uav_sighting", "occurred_from": "2026-11-25T19:10:00Z", "occurred_to": "2026-11-25T19:25:00Z",
        "location": {"lat": 33.1256, "lon": 35.8241, "uncertainty_m": 300}, "involved": ["syr"],
        "description": "A small UAV crossed west to east near Quneitra.", "language": "en",
        "casualties": {"killed": 0, "injured": 0}, "damage": "None observed."})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


INCIDENT_STEPS = ("incident.ack_overdue", "incident.ack_escalated", "incident.escalation_step")


async def incident_steps(api: Api, iid: str) -> list[tuple[str, int | None]]:
    return [(e["type"], e["payload"].get("step")) for e in await events(api, "syr-duty", *INCIDENT_STEPS)
            if e["payload"]["incident_id"] == iid and e["payload"]["party"] == "syr"]


async def test_an_unacknowledged_incident_walks_console_email_webhook_each_once(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int],
        receiver: WebhookReceiver) -> None:
    box, _ = mailbox
    inc = await report(api)
    iid = inc["id"]
    window = 600  # the demo's IMMEDIATE deadline, which incidents take

    await step(service, clock, window - 1)
    assert await incident_steps(api, iid) == []
    await step(service, clock, 1)  # the deadline: step 1, Syria's desk on the console
    assert await incident_steps(api, iid) == [("incident.ack_overdue", 1)]
    assert box.messages == []
    await step(service, clock, 29)
    assert len(await incident_steps(api, iid)) == 1
    await step(service, clock, 1)  # 30 s on: step 2, Syria's supervisors by e-mail, in Arabic
    mail = box.wait(1)[0]
    assert box.recipients[0] == ["syr-supervisors@syr.example"]
    assert mail["Content-Language"] == "ar"
    assert mail["Subject"] == f"[FLASH] لم يُؤكَّد الاستلام: {iid}: رصد طائرة مسيّرة"
    assert "خطوة التصعيد 2 من 3" in mail.get_content()
    assert "near Quneitra" not in mail.get_content()  # the report's text stays on the console

    await step(service, clock, 30)  # step 3: the mediator's webhook (500, 500, then 200)
    await step(service, clock, 2)
    await step(service, clock, 3)
    hook = receiver.wait(1)[0]
    assert (hook["type"], hook["item"], hook["step"]) == ("incident.ack_escalated", {"kind": "incident", "id": iid}, 3)
    assert hook["summary"] == f"{iid}: UAV sighting" and receiver.bad_signatures == 0
    for _ in range(3):
        await step(service, clock, 60)  # nothing more is due: no step and no delivery again
    assert await incident_steps(api, iid) == [
        ("incident.ack_overdue", 1), ("incident.escalation_step", 2), ("incident.ack_escalated", 3)]
    assert len(box.messages) == 1 and len(receiver.accepted) == 1

    # The mediator has no policy: its one step is the default, exactly as before.
    usa = [e["payload"] for e in await events(api, "usa-duty", *INCIDENT_STEPS) if e["payload"]["party"] == "usa"]
    assert usa == [{"incident_id": iid, "party": "usa", "deadline": usa[0]["deadline"], "escalated_to": "supervisors"}]

    log = await deliveries(api, "syr-super", iid)
    assert sorted((d["step"], d["medium"], d["status"]) for d in log if d["party"] == "syr") == [
        (1, "console", "delivered"), (2, "email", "delivered"), (3, "webhook", "delivered")]
    # Israel reported it and reads its channel, but Syria's escalation is not Israel's to see.
    assert [d for d in await deliveries(api, "isr-super", iid) if d["party"] == "syr"] == []
    assert [(d["step"], d["target"]) for d in await deliveries(api, "usa-super", iid) if d["party"] == "syr"] == [
        (3, "usa/mediator")]


async def test_acknowledging_the_incident_stops_the_rest_of_its_policy(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int],
        receiver: WebhookReceiver) -> None:
    box, _ = mailbox
    iid = (await report(api))["id"]
    await step(service, clock, 600)  # step 1 on the console
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/ack")
    assert r.status_code == 201, r.text
    for _ in range(4):
        await step(service, clock, 30)
    assert await incident_steps(api, iid) == [("incident.ack_overdue", 1)]
    assert box.messages == [] and receiver.accepted == [] and receiver.attempts == {}


async def test_a_missed_link_test_walks_its_policy_until_the_next_test_is_answered(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int],
        receiver: WebhookReceiver) -> None:
    box, _ = mailbox
    assert (await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")).status_code == 201
    await step(service, clock, 600)  # the test goes out; answered within 300 s or missed
    test = (await events(api, "isr-duty", "linktest.sent"))[0]["payload"]
    await step(service, clock, 299)
    assert await events(api, "usa-super", "linktest.escalation_step") == []
    await step(service, clock, 1)  # missed: step 1, Israel's supervisors on the console and by e-mail (Hebrew)
    missed = await events(api, "usa-super", "linktest.missed")
    assert len(missed) == 1 and "escalated_to" not in missed[0]["payload"]  # the policy, not the fixed alert
    mail = box.wait(1)[0]
    assert box.recipients[0] == ["isr-supervisors@isr.example"]
    assert mail["Content-Language"] == "he"
    assert mail["Subject"] == f"[FLASH] בדיקת קשר לא נענתה: עמדת התורן – ישראל: {test['test_id']}"
    assert "שלב הסלמה 1 מתוך 3" in mail.get_content()

    await step(service, clock, 60)  # step 2: the mediator's webhook, retried after two 500s
    await step(service, clock, 2)
    await step(service, clock, 3)
    hook = receiver.wait(1)[0]
    assert (hook["type"], hook["item"], hook["step"]) == (
        "linktest.escalation_step", {"kind": "linktest", "id": "desk:isr"}, 2)
    assert hook["summary"] == f"Israel duty desk: {test['test_id']}"

    # The next test (10 minutes after the first went out) is answered: step 3 (20 min on) never comes.
    await step(service, clock, 240)
    nxt = (await api.as_("isr-duty", "GET", "/api/v1/desks")).json()["desks"][0]["linktest"]["open"]
    assert nxt is not None and nxt["id"] != test["test_id"]
    r = await api.as_("isr-duty", "POST", f"/api/v1/desks/isr/linktests/{nxt['id']}/answer")
    assert r.status_code == 201, r.text
    for _ in range(5):
        await step(service, clock, 300)  # the later tests are answered too
        opened = (await api.as_("isr-duty", "GET", "/api/v1/desks")).json()["desks"][0]["linktest"]["open"]
        if opened:
            await api.as_("isr-duty", "POST", f"/api/v1/desks/isr/linktests/{opened['id']}/answer")
    steps = await events(api, "usa-super", "linktest.escalation_step")
    assert [(e["payload"]["step"], e["payload"]["targets"]) for e in steps] == [
        (1, ["supervisors"]), (2, ["mediator"])]
    assert len(box.messages) == 1 and len(receiver.accepted) == 1

    # Israel sees these deliveries, the mediator the one to it, Syria none.
    isr = await deliveries(api, "isr-super", "desk:isr")
    assert sorted((d["step"], d["target"], d["medium"], d["status"]) for d in isr) == [
        (1, "isr/supervisors", "console", "delivered"), (1, "isr/supervisors", "email", "delivered"),
        (2, "usa/mediator", "webhook", "delivered")]
    assert [(d["step"], d["target"]) for d in await deliveries(api, "usa-super", "desk:isr")] == [
        (2, "usa/mediator")]
    assert await deliveries(api, "syr-super") == []


async def test_a_desk_empty_in_its_shift_walks_its_policy_until_manned(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int],
        receiver: WebhookReceiver) -> None:
    box, _ = mailbox
    shift = {"officer": "syr-duty", "start": iso(clock.now + timedelta(minutes=5)),
             "end": iso(clock.now + timedelta(hours=8))}
    assert (await api.as_("syr-super", "POST", "/api/v1/desks/syr/shifts", json=shift)).status_code == 201
    await step(service, clock, 300 + 59)
    assert await events(api, "isr-duty", "desk.escalation_step") == []
    await step(service, clock, 1)  # a minute into the shift: its desk and supervisors, by e-mail in Arabic
    mail = box.wait(1)[0]
    assert box.recipients[0] == ["syr-supervisors@syr.example"]
    assert mail["Content-Language"] == "ar"
    assert mail["Subject"] == "[FLASH] مكتب غير مأهول: مكتب المناوبة – سوريا (غير مأهول)"
    await step(service, clock, 60)  # step 2: the mediator's webhook
    await step(service, clock, 2)
    await step(service, clock, 3)
    hook = receiver.wait(1)[0]
    assert (hook["type"], hook["item"], hook["step"]) == ("desk.escalation_step", {"kind": "desk", "id": "desk:syr"}, 2)
    assert hook["summary"] == "Syria duty desk (unmanned)"
    desk = next(d for d in (await api.as_("isr-duty", "GET", "/api/v1/desks")).json()["desks"] if d["id"] == "syr")
    assert desk["alert"] == 2  # the strip: the mediator has been told

    assert (await api.as_("syr-duty", "POST", "/api/v1/desks/syr/sign-on")).status_code == 201
    for _ in range(4):
        await step(service, clock, 300)  # step 3 would have come 10 minutes after step 2
    steps = await events(api, "isr-duty", "desk.escalation_step")
    assert [(e["payload"]["step"], e["payload"]["targets"]) for e in steps] == [
        (1, ["desk", "supervisors"]), (2, ["mediator"])]
    assert await events(api, "isr-duty", "desk.alert") == []  # the policy replaces the fixed alerts
    assert len(box.messages) == 1 and len(receiver.accepted) == 1

    syr = await deliveries(api, "syr-super", "desk:syr")
    assert sorted((d["step"], d["target"], d["medium"]) for d in syr) == [
        (1, "syr/desk", "console"), (1, "syr/desk", "email"), (1, "syr/supervisors", "console"),
        (1, "syr/supervisors", "email"), (2, "usa/mediator", "webhook")]
    assert await deliveries(api, "isr-super") == []
