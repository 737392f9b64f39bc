"""The deconfliction suite runs on the demo world with its agreed zones recorded, as `hotline demo` sets it up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, FakeClock


@pytest.fixture
async def service(database_url: str, clock: FakeClock) -> AsyncIterator[Hotline]:
    settings = Settings(database_url=database_url)
    await prepare_demo(settings, DEMO_PASSWORD, zones=True)
    hl = Hotline(settings, clock=clock)
    await hl.start(timers=False)
    try:
        yield hl
    finally:
        await hl.stop()
