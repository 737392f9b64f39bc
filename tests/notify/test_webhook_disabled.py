"""A webhook target that fails N times is disabled, reported on the console, and skipped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .conftest import step
from .receivers import WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.anyio


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(always_fail=True) as r:
        yield r


async def events(api: Api, user: str, kind: str) -> list[dict]:
    r = await api.as_(user, "GET", "/api/v1/events?after=0&limit=1000")
    return [e for e in r.json()["events"] if e["type"] == kind]


async def test_a_webhook_failing_n_times_is_disabled_reported_and_skipped_afterwards(
        service: Hotline, api: Api, clock: FakeClock, receiver: WebhookReceiver) -> None:
    first = (await api.post_message("isr-duty", subject="One", body="x")).json()
    await step(service, clock, 60)
    await step(service, clock, 30)
    await step(service, clock, 30)  # step 3: the webhook, attempt 1
    for wait in (2, 3, 5):          # attempts 2, 3, 4 (the 4th failure disables the target)
        await step(service, clock, wait)
    disabled = await events(api, "usa-super", "notify.target_disabled")
    assert len(disabled) == 1 and disabled[0]["payload"]["target"] == "usa/mediator"
    log = (await api.as_("usa-super", "GET", f"/api/v1/deliveries?item_id={first['id']}")).json()["deliveries"]
    hook = next(d for d in log if d["medium"] == "webhook")
    assert hook["status"] == "failed" and hook["attempts"] == 4
    assert receiver.accepted == [] and receiver.bad_signatures == 0

    second = (await api.post_message("isr-duty", subject="Two", body="x")).json()
    for wait in (60, 30, 30, 10):
        await step(service, clock, wait)
    log = (await api.as_("usa-super", "GET", f"/api/v1/deliveries?item_id={second['id']}")).json()["deliveries"]
    hook = next(d for d in log if d["medium"] == "webhook")
    assert hook["status"] == "skipped" and "disabled" in hook["log"][-1]["detail"]
    assert sum(len(v) for v in receiver.attempts.values()) == 4  # nothing more was sent
