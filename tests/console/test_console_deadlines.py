"""Deadlines in the console: a countdown, then overdue, then escalated, standing out on both screens.
This module's server gives a FLASH 2 seconds instead of 2 minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
WORLD = Path(__file__).parents[2] / "src/hotline/demo/world.toml"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, start_live: Any) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("deadlines")
    world = tmp / "world.toml"
    world.write_text(WORLD.read_text("utf-8").replace("FLASH = 120", "FLASH = 2"), "utf-8")
    with start_live(tmp, world=str(world)) as state:
        yield state


def test_an_unanswered_flash_goes_overdue_then_escalates_on_screen(live, open_console):
    syr = open_console("syr-duty")
    isr = open_console("isr-duty")
    msg = live.post("isr-duty", precedence="FLASH", subject="Answer within two seconds")
    pending = syr.card(msg["id"]).locator('li.ack[data-party="syr"]')
    expect(pending.locator(".countdown")).to_be_visible()
    expect(pending).to_have_class("ack ack-overdue", timeout=5000)
    expect(syr.card(msg["id"])).to_have_class("msg prec-FLASH awaiting-me overdue")
    expect(pending).to_have_class("ack ack-escalated", timeout=8000)
    expect(pending).to_contain_text("ESCALATED to the mediator")
    expect(isr.card(msg["id"]).locator('li.ack[data-party="syr"]')).to_have_class("ack ack-escalated")
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "true")
    syr.card(msg["id"]).locator(".btn-ack").click()
    done = isr.card(msg["id"]).locator('li.ack[data-party="syr"]')
    expect(done).to_have_class("ack ack-done")
    expect(done.locator(".badge-late")).to_have_text("late")
