"""The shared map in a real browser: Israel draws a notice, Syria sees the finding on its map and acknowledges it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.testing import DEMO_PASSWORD, ServerProcess, chromium, login

DOCS = Path(__file__).parents[2] / "docs"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("map")
    url = f"sqlite:///{folder / 'hotline.db'}"
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    worker = threading.Thread(target=asyncio.run, args=(prepare_demo(Settings(database_url=url), DEMO_PASSWORD,
                                                                     zones=True),))
    worker.start()
    worker.join()
    with ServerProcess(url, log=folder / "server.log") as srv:
        yield srv.start()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def open_map(browser: Browser, server: ServerProcess, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.on("pageerror", lambda e: print("pageerror", username, e))
    page.goto(server.base_url + "/")
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("body[data-session=active]")
    page.goto(server.base_url + "/#map")
    page.wait_for_selector("#map-canvas .leaflet-interactive")
    return page


def test_a_notice_drawn_by_israel_raises_a_finding_that_syria_sees_and_acknowledges(
        browser: Browser, server: ServerProcess) -> None:
    isr = open_map(browser, server, "isr-duty")
    syr = open_map(browser, server, "syr-duty")
    # Israel goes to a place inside the Area of Separation (by MGRS, via the server) and draws a point there.
    isr.fill("#map-goto", "33.32, 35.82")
    isr.click("#map-goto-submit")
    isr.click("#map-draw-point")
    box = isr.locator("#map-canvas").bounding_box()
    assert box is not None
    isr.mouse.move(box["x"] + box["width"] / 2 + 3, box["y"] + box["height"] / 2 + 3)
    isr.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(isr.locator("#readout-mgrs")).to_contain_text("36S")
    expect(isr.locator("#notice-form")).to_be_visible()
    expect(isr.locator("#notice-form .not-permission")).to_contain_text("not a permission")
    isr.fill("#notice-size", "300")
    isr.fill("#notice-tanks", "14")
    isr.fill("#notice-troops", "60")
    isr.click("#notice-check-btn")
    expect(isr.locator("#notice-check")).to_contain_text("Area of Separation")
    isr.click("#notice-file")
    expect(isr.locator("#map-detail .not-permission")).to_be_visible()

    # Syria's map shows the finding, live; clicking it shows the rule and the notice; Syria acknowledges.
    item = syr.locator(".finding-item[data-awaiting=true]")
    expect(item).to_have_count(1, timeout=10_000)
    item.click()
    detail = syr.locator(".map-finding-detail")
    expect(detail).to_contain_text("separation.forces")
    expect(detail.locator(".map-notice")).to_contain_text("14")
    sbox = syr.locator("#map-canvas").bounding_box()
    assert sbox is not None
    syr.mouse.move(sbox["x"] + sbox["width"] * 0.45, sbox["y"] + sbox["height"] * 0.4)
    expect(syr.locator("#readout-itm")).to_contain_text("ITM")
    DOCS.mkdir(exist_ok=True)
    syr.screenshot(path=str(DOCS / "map.png"))
    syr.click("#finding-ack")
    expect(syr.locator("#finding-acks li[data-party=syr]")).to_have_class("acked")

    api = login(server.base_url, "usa-duty")
    [f] = api.get("/api/v1/findings").json()["findings"]
    assert f["finding"]["rule"] == "separation.forces" and f["addressees"]["syr"]["ack"]["by"] == "syr-duty"
    assert f["addressees"]["isr"]["ack"] is None
