"""Messages and acknowledgements through the API, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import pytest

from hotline.service.hotline import Hotline
from hotline.store.ledger import read_events
from hotline.testing import Api

pytestmark = pytest.mark.anyio


async def count_events(hl: Hotline) -> int:
    async with hl.db.read() as conn:
        return len(await read_events(conn, after=0, channels=None, limit=100_000))


async def test_flash_addresses_every_other_party_and_each_ack_is_recorded(api: Api) -> None:
    r = await api.post_message("isr-duty", precedence="FLASH", subject="Drone over sector 4", body="Ours, training.")
    assert r.status_code == 201, r.text
    msg = r.json()
    assert msg["party"] == "isr" and set(msg["addressees"]) == {"syr", "usa"}
    assert msg["posted_dtg"] == "251930Z NOV 26"
    r = await api.as_("syr-duty", "POST", f"/api/v1/messages/{msg['id']}/ack")
    assert r.status_code == 201
    assert r.json()["addressees"]["syr"]["ack"]["by"] == "syr-duty"
    r = await api.as_("usa-super", "POST", f"/api/v1/messages/{msg['id']}/ack", json={"note": "seen"})
    assert r.status_code == 201 and r.json()["addressees"]["usa"]["ack"]["note"] == "seen"


async def test_repeat_acknowledgement_answers_the_first_and_writes_nothing(api: Api, service: Hotline) -> None:
    msg = (await api.post_message("isr-duty")).json()
    first = await api.as_("syr-duty", "POST", f"/api/v1/messages/{msg['id']}/ack")
    before = await count_events(service)
    again = await api.as_("syr-super", "POST", f"/api/v1/messages/{msg['id']}/ack")
    assert again.status_code == 200
    assert again.json()["addressees"]["syr"]["ack"] == first.json()["addressees"]["syr"]["ack"]
    assert await count_events(service) == before


async def test_retried_post_with_the_same_id_is_answered_once(api: Api, service: Hotline) -> None:
    r1 = await api.post_message("isr-duty", id="client-retry-0001")
    r2 = await api.post_message("isr-duty", id="client-retry-0001")
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json()["seq"] == r2.json()["seq"]
    assert await count_events(service) == 1


BAD_POSTS = [
    ("unknown channel", "isr-duty", "nope", {}, 404, "channel_id"),
    ("another party's channel", "isr-duty", "syr-usa", {}, 404, "channel_id"),
    ("body over 64 KiB", "isr-duty", "joint", {"body": "א" * 40_000}, 422, "body"),
    ("empty body", "isr-duty", "joint", {"body": "   "}, 422, "body"),
    ("unknown precedence", "isr-duty", "joint", {"precedence": "URGENT"}, 422, "precedence"),
    ("party in the body", "isr-duty", "joint", {"party": "syr"}, 422, "party"),
    ("observer posting", "observer", "joint", {}, 403, None),
    ("admin posting", "admin", "joint", {}, 403, None),  # refused by role (api/policy.py) before any channel lookup
]


@pytest.mark.parametrize(("case", "user", "channel", "fields", "status", "field"), BAD_POSTS,
                         ids=[b[0] for b in BAD_POSTS])
async def test_bad_post_is_a_problem_naming_the_field_and_writes_nothing(
        api: Api, service: Hotline, case: str, user: str, channel: str, fields: dict, status: int,
        field: str | None) -> None:
    r = await api.post_message(user, channel, **fields)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["detail"]
    if field:
        assert field in [e["field"] for e in body["errors"]]
    assert await count_events(service) == 0


async def test_malformed_json_is_a_400_problem(api: Api, service: Hotline) -> None:
    r = await api.as_("isr-duty", "POST", "/api/v1/channels/joint/messages", content=b"{not json",
                      headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["title"] == "Malformed JSON"
    assert await count_events(service) == 0


async def test_acknowledging_own_unknown_or_invisible_message_is_refused(api: Api, service: Hotline) -> None:
    mine = (await api.post_message("isr-duty")).json()
    private = (await api.post_message("isr-duty", channel="isr-usa")).json()
    before = await count_events(service)
    own = await api.as_("isr-super", "POST", f"/api/v1/messages/{mine['id']}/ack")
    assert own.status_code == 409 and "Your party sent" in own.json()["detail"]
    unknown = await api.as_("syr-duty", "POST", "/api/v1/messages/msg-nope/ack")
    hidden = await api.as_("syr-duty", "POST", f"/api/v1/messages/{private['id']}/ack")
    # An invisible message reads exactly like one that does not exist.
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json()["detail"].replace("msg-nope", "X") == hidden.json()["detail"].replace(private["id"], "X")
    observer = await api.as_("observer", "POST", f"/api/v1/messages/{mine['id']}/ack")
    assert observer.status_code == 403
    assert await count_events(service) == before


async def test_syria_never_sees_an_israel_us_event_through_any_read_path(api: Api) -> None:
    secret = (await api.post_message("isr-duty", channel="isr-usa", subject="SECRET-SUBJECT",
                                     body="SECRET-BODY")).json()
    await api.post_message("usa-duty", channel="joint", subject="public")
    paths = ["/api/v1/channels", "/api/v1/channels/joint/messages", "/api/v1/events?after=0&limit=1000",
             "/api/v1/messages/awaiting", f"/api/v1/messages/{secret['id']}",
             "/api/v1/me"]
    for user in ("syr-duty", "syr-super"):
        for path in paths:
            r = await api.as_(user, "GET", path)
            assert "SECRET" not in r.text and "isr-usa" not in r.text, path
        # Asking for the channel by name reads exactly like asking for one that does not exist.
        hidden = await api.as_(user, "GET", "/api/v1/channels/isr-usa/messages")
        absent = await api.as_(user, "GET", "/api/v1/channels/xyz-abc/messages")
        assert hidden.status_code == absent.status_code == 404
        assert hidden.text.replace("isr-usa", "?") == absent.text.replace("xyz-abc", "?")
    events = (await api.as_("syr-duty", "GET", "/api/v1/events?after=0")).json()["events"]
    assert {e["channel"] for e in events} == {"joint"}
    usa = (await api.as_("usa-duty", "GET", "/api/v1/events?after=0")).json()["events"]
    assert {e["channel"] for e in usa} == {"joint", "isr-usa"}


async def test_channel_list_counts_what_waits_for_my_party(api: Api) -> None:
    m1 = (await api.post_message("isr-duty")).json()
    await api.post_message("isr-duty", precedence="ROUTINE")
    await api.as_("syr-duty", "POST", f"/api/v1/messages/{m1['id']}/ack")
    async def counts(user: str) -> dict[str, int]:
        r = await api.as_(user, "GET", "/api/v1/channels")
        return {c["id"]: c["awaiting_my_ack"] for c in r.json()["channels"]}

    syr, usa = await counts("syr-duty"), await counts("usa-duty")
    assert syr == {"joint": 1, "syr-usa": 0}
    assert usa == {"joint": 2, "isr-usa": 0, "syr-usa": 0}
    waiting = (await api.as_("usa-duty", "GET", "/api/v1/messages/awaiting")).json()["messages"]
    assert [m["id"] for m in waiting][0] == m1["id"]


async def test_reply_links_to_a_message_of_the_same_channel(api: Api) -> None:
    first = (await api.post_message("isr-duty")).json()
    reply = await api.post_message("syr-duty", reply_to=first["id"], subject="Re: Test")
    assert reply.status_code == 201 and reply.json()["reply_to"] == first["id"]
    other = await api.post_message("syr-duty", channel="syr-usa", reply_to=first["id"])
    assert other.status_code == 404 and other.json()["errors"][0]["field"] == "reply_to"


async def test_openapi_and_docs_are_served(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    assert "/api/v1/channels/{channel_id}/messages" in spec["paths"]
    docs = await api.client.get("/docs")
    assert docs.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in docs.text
