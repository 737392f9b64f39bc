"""A FLASH unacknowledged through a three-step policy, in-process on a fake clock: each step at its
delay and recorded once; an e-mail in Arabic to Syria's supervisors without the body; a signed webhook
to the mediator, retried after two 500s and taken once; every attempt in the delivery log."""

from __future__ import annotations

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .conftest import step
from .receivers import Mailbox, WebhookReceiver

pytestmark = pytest.mark.anyio

STEP_TYPES = ("message.ack_overdue", "message.ack_escalated", "message.escalation_step")


async def steps_of(api: Api, user: str, message_id: str) -> list[dict]:
    r = await api.as_(user, "GET", "/api/v1/events?after=0&limit=1000")
    return [e for e in r.json()["events"] if e["type"] in STEP_TYPES and e["payload"]["message_id"] == message_id
            and e["payload"]["party"] == "syr"]


async def test_flash_walks_console_email_webhook_each_at_its_delay_and_once(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int],
        receiver: WebhookReceiver) -> None:
    box, _ = mailbox
    r = await api.post_message("isr-duty", subject="Drone over sector 4", body="SECRET-BODY-TEXT")
    assert r.status_code == 201
    msg = r.json()
    assert msg["addressees"]["syr"]["plan"] == [0, 30, 60]  # the policy's steps, fixed at posting

    await step(service, clock, 59)
    assert await steps_of(api, "syr-duty", msg["id"]) == []  # not before the deadline

    await step(service, clock, 1)  # the deadline: step 1, the desk's console
    s = await steps_of(api, "syr-duty", msg["id"])
    assert [(e["type"], e["payload"]["step"], e["payload"]["channels"]) for e in s] == [
        ("message.ack_overdue", 1, ["console"])]
    assert box.messages == []

    await step(service, clock, 29)
    assert len(await steps_of(api, "syr-duty", msg["id"])) == 1
    await step(service, clock, 1)  # 30 s later: step 2, the supervisors by e-mail
    mails = box.wait(1)
    assert len(mails) == 1
    mail = mails[0]
    assert box.recipients[0] == ["syr-supervisors@syr.example"]
    assert mail["Content-Language"] == "ar"
    assert mail["Subject"].startswith("[FLASH] لم يُؤكَّد الاستلام: Drone over sector 4")
    text = mail.get_content()
    assert "SECRET-BODY-TEXT" not in text and "لا يُرسل النص بالبريد الإلكتروني" in text
    assert "https://hotline.example/" in text and "Z NOV 26" in text  # the link and the DTG

    await step(service, clock, 30)  # step 3: the mediator's webhook; the receiver answers 500
    assert receiver.accepted == []
    await step(service, clock, 2)   # second attempt after the backoff: 500 again
    await step(service, clock, 3)   # third: 200
    accepted = receiver.wait(1)
    assert len(accepted) == 1 and accepted[0]["item"]["id"] == msg["id"] and accepted[0]["step"] == 3
    assert "body" not in accepted[0]
    assert receiver.bad_signatures == 0
    for _ in range(3):
        await step(service, clock, 60)  # nothing more is due: no step, no delivery is repeated
    assert len(receiver.accepted) == 1 and len(box.messages) == 1
    event_id = accepted[0]["id"]
    assert len(receiver.attempts[event_id]) == 3

    steps = await steps_of(api, "syr-duty", msg["id"])
    # ack_escalated keeps its meaning: the step that reaches the mediator (here the third)
    assert [(e["type"], e["payload"]["step"]) for e in steps] == [
        ("message.ack_overdue", 1), ("message.escalation_step", 2), ("message.ack_escalated", 3)]
    state = (await api.as_("syr-duty", "GET", f"/api/v1/messages/{msg['id']}")).json()["addressees"]["syr"]
    assert (state["overdue"], state["step"]) == (2, 3)

    log = (await api.as_("syr-super", "GET", f"/api/v1/deliveries?item_id={msg['id']}")).json()["deliveries"]
    by_medium = {d["medium"]: d for d in log if d["party"] == "syr"}
    assert by_medium["console"]["status"] == "delivered"
    assert by_medium["email"]["status"] == "delivered" and by_medium["email"]["attempts"] == 1
    hook = by_medium["webhook"]
    assert hook["status"] == "delivered" and hook["attempts"] == 3
    assert [a["outcome"] for a in hook["log"]] == ["error", "error", "delivered"]
    assert [a["detail"] for a in hook["log"]] == ["HTTP 500", "HTTP 500", "HTTP 200"]


async def test_the_default_policy_keeps_its_two_events_and_logs_console_deliveries(
        service: Hotline, api: Api, clock: FakeClock) -> None:
    msg = (await api.post_message("syr-duty", subject="Patrol", body="x")).json()
    assert "plan" not in msg["addressees"]["isr"]  # isr has no policy: the default two steps
    await step(service, clock, 60)
    await step(service, clock, 60)
    r = await api.as_("isr-duty", "GET", "/api/v1/events?after=0&limit=1000")
    isr_steps = [e for e in r.json()["events"] if e["type"].startswith("message.ack_")
                 and e["payload"].get("party") == "isr"]
    assert [(e["type"], e["payload"]["escalated_to"]) for e in isr_steps] == [
        ("message.ack_overdue", "supervisors"), ("message.ack_escalated", "mediator")]
    assert "step" not in isr_steps[0]["payload"]  # the default's events are as they always were
    log = (await api.as_("isr-super", "GET", f"/api/v1/deliveries?item_id={msg['id']}")).json()["deliveries"]
    assert sorted((d["target"], d["medium"], d["status"]) for d in log if d["party"] == "isr") == [
        ("isr/supervisors", "console", "delivered"), ("usa/mediator", "console", "delivered")]


async def test_an_acknowledgement_stops_the_policy(service: Hotline, api: Api, clock: FakeClock,
                                                   mailbox: tuple[Mailbox, int]) -> None:
    msg = (await api.post_message("isr-duty", subject="Flight", body="x")).json()
    await step(service, clock, 60)
    assert (await api.as_("syr-duty", "POST", f"/api/v1/messages/{msg['id']}/ack")).status_code == 201
    for _ in range(3):
        await step(service, clock, 30)
    assert mailbox[0].messages == []
    assert len(await steps_of(api, "syr-duty", msg["id"])) == 1


async def test_a_recall_stops_the_policy_for_every_party(service: Hotline, api: Api, clock: FakeClock,
                                                        mailbox: tuple[Mailbox, int],
                                                        receiver: WebhookReceiver) -> None:
    msg = (await api.post_message("isr-duty", subject="Flight", body="x")).json()
    await step(service, clock, 60)  # the deadline: step 1 on Syria's console
    r = await api.as_("isr-super", "POST", f"/api/v1/messages/{msg['id']}/recall", json={"reason": "sent in error"})
    assert r.status_code == 201, r.text
    for _ in range(4):
        assert (await step(service, clock, 30))["events"] == 0
    assert mailbox[0].messages == [] and receiver.attempts == {}
    assert len(await steps_of(api, "syr-duty", msg["id"])) == 1


async def test_a_party_sees_only_the_deliveries_that_concern_it(service: Hotline, api: Api,
                                                                clock: FakeClock) -> None:
    msg = (await api.post_message("usa-duty", "syr-usa", subject="Bilateral", body="x")).json()
    await step(service, clock, 60)
    assert (await api.as_("syr-duty", "GET", f"/api/v1/deliveries?item_id={msg['id']}")).json()["deliveries"]
    assert (await api.as_("isr-duty", "GET", f"/api/v1/deliveries?item_id={msg['id']}")).json()[
        "deliveries"] == []
