"""The live picture on the console map in a real browser: tracks, sightings, releasability, party filter."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.testing import DEMO_PASSWORD, ServerProcess, chromium, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("tracks-map")
    url = f"sqlite:///{folder / 'hotline.db'}"
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
    page.goto(server.base_url + "/")
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("body[data-session=active]")
    page.goto(server.base_url + "/#map")
    page.wait_for_selector("#map-canvas .leaflet-interactive")
    return page


def test_tracks_and_sightings_show_to_whom_they_are_released_and_hide_what_is_not(
        browser: Browser, server: ServerProcess) -> None:
    now = datetime.now(UTC)
    isr = login(server.base_url, "isr-duty")
    base = {"type": "a-f-G-U-C", "lat": 33.0, "hae": 300.0, "time": now.isoformat(),
            "stale": (now + timedelta(minutes=5)).isoformat()}
    r = isr.post("/api/v1/tracks/positions", json={"positions": [
        {**base, "uid": "isr-open-7", "lon": 35.70, "callsign": "<img src=x onerror=alert(1)>"},
        {**base, "uid": "isr-secret-7", "lon": 35.72, "callsign": "SECRET 7", "channel": "isr-usa"}]})
    assert r.status_code == 202, r.text
    r = isr.post("/api/v1/sightings", json={"what": "Tractor", "location": {"lat": 33.02, "lon": 35.75},
                                            "seen_at": now.isoformat(), "reliability": "A", "credibility": 1})
    assert r.status_code == 201, r.text

    usa = open_map(browser, server, "usa-duty")
    expect(usa.locator("path.track-isr")).to_have_count(2, timeout=10_000)
    syr = open_map(browser, server, "syr-duty")
    expect(syr.locator("path.track-isr")).to_have_count(1, timeout=10_000)
    expect(syr.locator("path.sighting")).to_have_count(1)
    syr.locator("path.track-isr").hover(force=True)
    tip = syr.locator(".track-tip")
    expect(tip).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text, never markup
    expect(tip).to_contain_text("isr · syr · usa")
    assert syr.locator(".track-tip img").count() == 0
    syr.uncheck("#tracks-party-isr")
    expect(syr.locator("path.track-isr")).to_have_count(0, timeout=5_000)
