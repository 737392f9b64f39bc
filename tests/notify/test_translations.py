"""Translations: an Arabic message translated into Hebrew by Israel, draft -> checked -> certified by
three different people, each a ledger event naming who; the translator's queue; every refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api

pytestmark = pytest.mark.anyio

ARABIC = "نقوم بدورية راجلة قرب القنيطرة من الساعة ١٤٠٠ حتى ١٦٠٠."
HEBREW = "אנו מבצעים סיור רגלי ליד קוניטרה משעה 1400 עד 1600."


@pytest.fixture
async def service(service: Hotline) -> AsyncIterator[Hotline]:  # the notify fixtures' world, no notifier needed
    yield service


async def post(api: Api, user: str, channel: str = "joint", **kw: object) -> dict:
    r = await api.post_message(user, channel, **kw)
    assert r.status_code == 201, r.text
    return r.json()


async def test_arabic_to_hebrew_draft_checked_certified_by_three_people(api: Api) -> None:
    msg = await post(api, "syr-duty", precedence="IMMEDIATE", subject="دورية", body=ARABIC, language="ar")
    queue = (await api.as_("isr-translator", "GET", "/api/v1/translations/queue")).json()["tasks"]
    assert [t["message"]["id"] for t in queue] == [msg["id"]] and queue[0]["translation"] is None
    assert queue[0]["language"] == "he"

    r = await api.as_("isr-translator", "POST", f"/api/v1/messages/{msg['id']}/translations", json={"text": HEBREW})
    assert r.status_code == 201, r.text
    tr = r.json()
    assert (tr["state"], tr["language"], tr["source_language"], tr["drafted_by"]) == (
        "draft", "he", "ar", "isr-translator")
    r = await api.as_("isr-duty", "POST", f"/api/v1/translations/{tr['id']}/check", json={"revision": 1})
    assert r.status_code == 200 and r.json()["state"] == "checked" and r.json()["checked_by"] == "isr-duty"
    r = await api.as_("isr-super", "POST", f"/api/v1/translations/{tr['id']}/certify")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "certified" and r.json()["certified_by"] == "isr-super"

    events = (await api.as_("syr-duty", "GET", "/api/v1/events?after=0&limit=1000")).json()["events"]
    steps = [(e["type"], e["actor"], e["party"]) for e in events if e["type"].startswith("translation.")]
    assert steps == [("translation.drafted", "isr-translator", "isr"), ("translation.checked", "isr-duty", "isr"),
                     ("translation.certified", "isr-super", "isr")]  # the sender can see how it was understood
    shown = (await api.as_("isr-duty", "GET", f"/api/v1/messages/{msg['id']}/translations")).json()
    assert [(t["text"], t["state"]) for t in shown["translations"]] == [(HEBREW, "certified")]
    assert (await api.as_("isr-translator", "GET", "/api/v1/translations/queue")).json()["tasks"] == []


async def test_queue_orders_by_precedence_then_age_and_skips_own_language_and_templates(api: Api) -> None:
    routine = await post(api, "syr-duty", precedence="ROUTINE", subject="r", body="نص", language="ar")
    flash1 = await post(api, "syr-duty", precedence="FLASH", subject="f1", body="نص", language="ar")
    await post(api, "isr-duty", precedence="FLASH", subject="he", body="טקסט", language="he")
    flash2 = await post(api, "usa-duty", precedence="FLASH", subject="f2", body="Text", language="en")
    await post(api, "syr-duty", precedence="FLASH", subject="t", body="", language="ar",
               template={"code": "request_clarification", "fields": {}})
    tasks = (await api.as_("isr-translator", "GET", "/api/v1/translations/queue")).json()["tasks"]
    assert [t["message"]["id"] for t in tasks] == [flash1["id"], flash2["id"], routine["id"]]


async def test_ack_may_say_received_translation_pending_and_the_sender_sees_it(api: Api) -> None:
    msg = await post(api, "syr-duty", subject="عاجل", body="نص", language="ar")
    r = await api.as_("isr-duty", "POST", f"/api/v1/messages/{msg['id']}/ack", json={"translation_pending": True})
    assert r.status_code == 201
    seen = (await api.as_("syr-duty", "GET", f"/api/v1/messages/{msg['id']}")).json()
    assert seen["addressees"]["isr"]["ack"]["translation_pending"] is True
    assert seen["addressees"].get("usa", {}).get("ack") is None


async def refused(api: Api, user: str, method: str, url: str, status: int, field: str, **kw: object) -> None:
    before = len((await api.as_("usa-duty", "GET", "/api/v1/events?after=0&limit=1000")).json()["events"])
    r = await api.as_(user, method, url, **kw)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field:
        assert [e["field"] for e in r.json()["errors"]] == [field]
    after = len((await api.as_("usa-duty", "GET", "/api/v1/events?after=0&limit=1000")).json()["events"])
    assert after == before  # nothing written


async def test_every_bad_translation_is_refused_naming_the_field_and_writes_nothing(api: Api) -> None:
    msg = await post(api, "syr-duty", subject="s", body=ARABIC, language="ar")
    private = await post(api, "syr-duty", "syr-usa", subject="s", body=ARABIC, language="ar")
    url = f"/api/v1/messages/{msg['id']}/translations"
    # a message the translator's party cannot see reads as one that does not exist
    await refused(api, "isr-translator", "POST", f"/api/v1/messages/{private['id']}/translations", 404,
                  "message_id", json={"text": HEBREW})
    await refused(api, "isr-translator", "POST", "/api/v1/messages/msg-nothing/translations", 404, "message_id",
                  json={"text": HEBREW})
    # into the message's own language
    await refused(api, "isr-translator", "POST", url, 422, "language", json={"text": ARABIC, "language": "ar"})
    await refused(api, "isr-translator", "POST", url, 422, "language", json={"text": "x", "language": "ar-SY"})
    await refused(api, "isr-translator", "POST", url, 422, "text", json={"text": "   "})
    await refused(api, "isr-translator", "POST", url, 422, "party", json={"text": HEBREW, "party": "syr"})
    await refused(api, "observer", "POST", url, 403, "", json={"text": "English"})

    tr = (await api.as_("isr-translator", "POST", url, json={"text": HEBREW})).json()
    check, certify = f"/api/v1/translations/{tr['id']}/check", f"/api/v1/translations/{tr['id']}/certify"
    await refused(api, "isr-translator", "POST", check, 409, "translation_id")  # checking one's own draft
    await refused(api, "isr-super", "POST", certify, 409, "translation_id")  # not checked yet
    await refused(api, "syr-super", "POST", check, 403, "")  # another party's translation
    await refused(api, "isr-duty", "POST", check, 409, "revision", json={"revision": 2})
    assert (await api.as_("isr-super", "POST", check)).status_code == 200
    await refused(api, "isr-super", "POST", certify, 409, "translation_id")  # certifying one's own check
    await refused(api, "isr-duty", "POST", certify, 403, "")  # an operator does not certify
    await refused(api, "syr-super", "POST", certify, 403, "")
    # a supervisor who drafted cannot certify either
    own = (await api.as_("isr-super", "POST", f"/api/v1/messages/{private['id']}/translations",
                         json={"text": HEBREW}))
    assert own.status_code == 404  # isr does not see syr-usa
