"""E-mails that keep failing: an SMTP server that refuses or never answers. Each attempt is logged; the
delivery that gives up is escalated on the console (a ledger event for the party's supervisors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .conftest import step
from .receivers import Mailbox, silent_server, smtp_server

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["refuses", "times_out"])
def mailbox(request: pytest.FixtureRequest) -> Iterator[tuple[Mailbox, int]]:
    if request.param == "refuses":
        with smtp_server("554 5.7.1 Relaying refused") as box:
            yield box
    else:
        with silent_server() as port:
            yield Mailbox(), port


async def events(api: Api, user: str, kind: str) -> list[dict]:
    r = await api.as_(user, "GET", "/api/v1/events?after=0&limit=1000")
    return [e for e in r.json()["events"] if e["type"] == kind]


async def test_an_email_that_keeps_failing_is_escalated_to_the_supervisors_on_the_console(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int]) -> None:
    msg = (await api.post_message("isr-duty", subject="Flight", body="x")).json()
    await step(service, clock, 60)
    await step(service, clock, 30)  # step 2: the e-mail, attempt 1 fails
    assert await events(api, "syr-super", "notify.delivery_failed") == []
    await step(service, clock, 6)   # attempt 2 (backoff 5 s with jitter: at most 5 s)
    await step(service, clock, 11)  # attempt 3, the last
    failed = await events(api, "syr-super", "notify.delivery_failed")
    assert len(failed) == 1
    assert failed[0]["payload"] | {"reason": ""} == {
        "message_id": msg["id"], "item_id": msg["id"], "step": 2, "target": "syr/supervisors",
        "medium": "email", "party": "syr", "escalated_to": "supervisors", "attempts": 3, "reason": ""}
    log = (await api.as_("syr-super", "GET", f"/api/v1/deliveries?item_id={msg['id']}")).json()["deliveries"]
    mail = next(d for d in log if d["medium"] == "email")
    assert mail["status"] == "failed" and mail["attempts"] == 3
    assert all(a["outcome"] == "error" for a in mail["log"])
    assert any(w in mail["log"][0]["detail"] for w in ("554", "Timeout", "timed out"))
    assert mailbox[0].messages == []
    await step(service, clock, 120)
    assert len(await events(api, "syr-super", "notify.delivery_failed")) == 1  # reported once
