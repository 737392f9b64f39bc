"""The service in-process on a world with an escalation policy, a real SMTP server and a real webhook
receiver on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.api.app import create_app
from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, Api, FakeClock

from .receivers import SECRET, Mailbox, WebhookReceiver, smtp_server, webhook_receiver
from .worlds import policy_world


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver(fail_first=2) as r:
        yield r


@pytest.fixture
def notify_extra(mailbox: tuple[Mailbox, int]) -> dict[str, str]:
    return {"HOTLINE_SMTP_HOST": "127.0.0.1", "HOTLINE_SMTP_PORT": str(mailbox[1]), "HOTLINE_SMTP_TLS": "none",
            "HOTLINE_SMTP_TIMEOUT_S": "2", "HOTLINE_SMTP_ATTEMPTS": "3", "HOTLINE_SMTP_BACKOFF_S": "5",
            "HOTLINE_WEBHOOK_SECRET": SECRET, "HOTLINE_WEBHOOK_BACKOFF_S": "1", "HOTLINE_WEBHOOK_ATTEMPTS": "5",
            "HOTLINE_WEBHOOK_DISABLE_AFTER": "4", "HOTLINE_PUBLIC_URL": "https://hotline.example"}


@pytest.fixture
def world_path(tmp_path: Path, receiver: WebhookReceiver) -> str:
    return policy_world(tmp_path, receiver.url)


@pytest.fixture
def with_zones() -> bool:
    """Whether the demo's zones are recorded as well (a test module that needs them overrides this)."""
    return False


@pytest.fixture
async def service(database_url: str, clock: FakeClock, world_path: str,
                  notify_extra: dict[str, str], with_zones: bool) -> AsyncIterator[Hotline]:
    settings = Settings(database_url=database_url, world=world_path, extra=notify_extra)
    await prepare_demo(settings, DEMO_PASSWORD, zones=with_zones)
    hl = Hotline(settings, clock=clock)
    await hl.start(timers=False)
    await hl.notifier.prepare()
    try:
        yield hl
    finally:
        await hl.notifier.stop()
        await hl.stop()


@pytest.fixture
async def api(service: Hotline) -> AsyncIterator[Api]:
    app = create_app(service, start=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hotline.test") as c:
        yield Api(c)


async def step(hl: Hotline, clock: FakeClock, seconds: float) -> dict[str, Any]:
    """Let ``seconds`` pass, run the timers and the notifier once; what each wrote."""
    clock.advance(seconds=seconds)
    written = await hl.timers.run_due()
    planned = await hl.notifier.plan()
    attempts = await hl.notifier.run_due()
    return {"events": written, "planned": planned, "attempts": attempts}
