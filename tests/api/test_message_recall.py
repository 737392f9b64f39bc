"""Recalling a message sent in error, through the API on a real SQLite file and a real PostgreSQL, with
the timers run by hand on a fake clock."""

from __future__ import annotations

import httpx
import pytest

from hotline.service.hotline import Hotline
from hotline.store.ledger import read_events
from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio

REASON = "False alarm: the contact was our own drone."


async def events(hl: Hotline) -> list[dict]:
    async with hl.db.read() as conn:
        return [e.to_dict() for e in await read_events(conn, after=0, channels=None, limit=100_000)]


async def recall(api: Api, user: str, message_id: str, reason: object = REASON) -> httpx.Response:
    return await api.as_(user, "POST", f"/api/v1/messages/{message_id}/recall", json={"reason": reason})


async def test_a_flash_recalled_before_its_deadline_never_fires_overdue_or_escalation(
        api: Api, service: Hotline, clock: FakeClock) -> None:
    msg = (await api.post_message("isr-duty", subject="Contact over sector 4")).json()
    await api.as_("usa-duty", "POST", f"/api/v1/messages/{msg['id']}/ack")
    clock.advance(seconds=60)
    r = await recall(api, "isr-super", msg["id"])
    assert r.status_code == 201, r.text
    state = r.json()
    assert state["recalled"]["party"] == "isr" and state["recalled"]["by"] == "isr-super"
    assert state["recalled"]["reason"] == REASON and state["recalled"]["at"].startswith("2026-11-25T19:31:00")
    assert state["addressees"]["usa"]["ack"]["by"] == "usa-duty"  # what happened before stays as it was

    # Past the deadline and twice the deadline: nothing is due, nothing is written.
    for _ in range(3):
        clock.advance(minutes=2)
        assert await service.timers.run_due() == 0
    types = [e["type"] for e in await events(service)]
    assert types == ["message.posted", "message.acknowledged", "message.recalled"]

    channels = (await api.as_("syr-duty", "GET", "/api/v1/channels")).json()["channels"]
    assert {c["id"]: c["awaiting_my_ack"] for c in channels}["joint"] == 0
    assert (await api.as_("syr-duty", "GET", "/api/v1/messages/awaiting")).json()["messages"] == []
    seen = (await api.as_("syr-duty", "GET", f"/api/v1/messages/{msg['id']}")).json()
    assert seen["recalled"]["reason"] == REASON and seen["subject"] == "Contact over sector 4"


async def test_a_recall_after_the_first_step_stops_the_escalation_to_the_mediator(
        api: Api, service: Hotline, clock: FakeClock) -> None:
    msg = (await api.post_message("isr-duty")).json()
    clock.advance(minutes=2)
    assert await service.timers.run_due() == 2  # overdue for syr and usa
    assert (await recall(api, "isr-duty", msg["id"])).status_code == 201
    clock.advance(minutes=10)
    assert await service.timers.run_due() == 0
    assert "message.ack_escalated" not in [e["type"] for e in await events(service)]


async def test_an_acknowledgement_after_the_recall_is_a_conflict_and_a_second_recall_a_repeat(
        api: Api, service: Hotline) -> None:
    msg = (await api.post_message("isr-duty")).json()
    first = await recall(api, "isr-duty", msg["id"])
    before = len(await events(service))
    ack = await api.as_("syr-duty", "POST", f"/api/v1/messages/{msg['id']}/ack")
    assert ack.status_code == 409 and ack.headers["content-type"] == "application/problem+json"
    assert "recalled" in ack.json()["detail"] and ack.json()["errors"][0]["field"] == "message_id"
    again = await recall(api, "isr-super", msg["id"], "a second reason")
    assert again.status_code == 200
    assert again.json()["recalled"] == first.json()["recalled"]
    assert len(await events(service)) == before


async def test_only_the_sending_party_recalls(api: Api, service: Hotline) -> None:
    msg = (await api.post_message("isr-duty")).json()
    private = (await api.post_message("isr-duty", channel="isr-usa")).json()
    before = len(await events(service))
    other = await recall(api, "syr-super", msg["id"])
    assert other.status_code == 403 and other.json()["errors"][0]["field"] == "message_id"
    # A message of a channel Syria does not see reads exactly like one that does not exist.
    hidden = await recall(api, "syr-duty", private["id"])
    absent = await recall(api, "syr-duty", "msg-nope")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace(private["id"], "X") == absent.json()["detail"].replace("msg-nope", "X")
    assert (await recall(api, "observer", msg["id"])).status_code == 403
    assert len(await events(service)) == before


BAD_REASONS = [("missing", None), ("empty", ""), ("blank", "   "), ("too long", "x" * 501), ("not text", 5)]


@pytest.mark.parametrize(("case", "reason"), BAD_REASONS, ids=[b[0] for b in BAD_REASONS])
async def test_a_bad_reason_is_a_422_naming_the_field_and_writes_nothing(
        api: Api, service: Hotline, case: str, reason: object) -> None:
    msg = (await api.post_message("isr-duty")).json()
    before = len(await events(service))
    body = {} if reason is None else {"reason": reason}
    r = await api.as_("isr-duty", "POST", f"/api/v1/messages/{msg['id']}/recall", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "reason" in [e["field"] for e in r.json()["errors"]]
    assert len(await events(service)) == before
