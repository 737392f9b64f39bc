"""Two consoles, each behind its own cuttable proxy: each desk strip shows the other party's desk going
unattended when that console's network is cut, and manned again when it reconnects, each within 2 s of
the state change on the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from browser_support import chromium
from hotline.testing import DEMO_PASSWORD, ServerProcess, login

from .conftest import TRIPWIRE, VIEWPORT, CuttableProxy, quick_world

pytestmark = pytest.mark.browser


def _status(client: httpx.Client, desk: str) -> str:
    desks = client.get("/api/v1/desks").json()["desks"]
    return str(next(d for d in desks if d["id"] == desk)["status"])


def _changed(client: httpx.Client, desk: str, status: str, timeout: float = 15.0) -> float:
    """Poll the server until the desk has ``status``; the monotonic time it was first seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(client, desk) == status:
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(f"desk {desk} never became {status}")


def _open(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.add_init_script(TRIPWIRE)
    context.add_init_script("localStorage.setItem('hotline.lang', 'en');")
    page = context.new_page()
    page.goto(url + "/")
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("body[data-connection='live']", timeout=10_000)
    return page


def test_each_strip_shows_the_other_desk_going_unattended_and_back_within_two_seconds(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=quick_world(tmp_path), log=tmp_path / "server.log",
                           env={"HOTLINE_HEARTBEAT": "1"})
    preparing = threading.Thread(target=server.prepare)  # its event loop must not nest in Playwright's
    preparing.start()
    preparing.join()
    server.start()
    proxies = {p: CuttableProxy(server.port).start() for p in ("isr", "syr")}
    observer = login(server.base_url, "usa-duty")
    try:
        with chromium("--autoplay-policy=no-user-gesture-required") as browser:
            pages = {p: _open(browser, f"http://127.0.0.1:{proxies[p].port}", f"{p}-duty") for p in proxies}
            for party, page in pages.items():
                page.locator(f'#desk-strip li[data-desk="{party}"] .desk-sign-on').click()
                expect(page.locator(f'#desk-strip li[data-desk="{party}"]')).to_have_attribute("data-status", "manned")
                expect(page.locator(f'#desk-strip li[data-desk="{party}"] .desk-officer')).to_have_text(
                    f"{'Israel' if party == 'isr' else 'Syria'} duty officer")
            for gone, watcher in (("isr", "syr"), ("syr", "isr")):
                strip = pages[watcher].locator(f'#desk-strip li[data-desk="{gone}"]')
                expect(strip).to_have_attribute("data-status", "manned", timeout=5000)
                proxies[gone].cut()
                changed = _changed(observer, gone, "unattended")
                expect(strip).to_have_attribute("data-status", "unattended", timeout=2000)
                assert time.monotonic() - changed < 2.0
                proxies[gone].restore()
                changed = _changed(observer, gone, "manned", timeout=45)  # the console's reconnect back-off
                expect(strip).to_have_attribute("data-status", "manned", timeout=2000)
                assert time.monotonic() - changed < 2.0
                expect(pages[gone].locator("body")).to_have_attribute("data-connection", "live", timeout=10_000)
            assert all(p.evaluate("window.__pwned + window.__csp") == 0 for p in pages.values())
    finally:
        for proxy in proxies.values():
            proxy.close()
        server.stop()


def test_link_test_prompt_is_answered_with_enter_and_the_handover_acknowledged_in_the_dialog(tmp_path: Path) -> None:
    world = quick_world(tmp_path, linktest_interval_s=15, linktest_answer_s=60, presence_timeout_s=30)
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=world, log=tmp_path / "server.log")
    preparing = threading.Thread(target=server.prepare)
    preparing.start()
    preparing.join()
    server.start()
    usa = login(server.base_url, "usa-duty")
    for subject in ("Patrol near post 12", "Convoy at the crossing", "Drone sighting"):
        body = {"precedence": "PRIORITY", "subject": subject, "body": "b", "language": "en"}
        assert usa.post("/api/v1/channels/joint/messages", json=body).status_code == 201
    isr = login(server.base_url, "isr-duty")
    assert isr.post("/api/v1/desks/isr/sign-on").status_code == 201
    assert isr.post("/api/v1/desks/isr/handover", json={"note": "Watch post 12"}).status_code == 201
    try:
        with chromium("--autoplay-policy=no-user-gesture-required") as browser:
            page = _open(browser, server.base_url, "isr-super")
            page.locator('#desk-strip li[data-desk="isr"] .desk-sign-on').click()
            dialog = page.locator("#handover-dialog")
            expect(dialog).to_be_visible()
            expect(dialog.locator(".handover-item")).to_have_count(3)
            expect(dialog).to_contain_text("Watch post 12")
            dialog.locator(".handover-item").first.locator("button").click()
            expect(dialog.locator(".handover-item .ok")).to_have_count(1)
            page.click("#handover-ack-all")
            expect(dialog).to_be_hidden()
            expect(page.locator("body")).to_have_attribute("data-linktest", "open", timeout=25_000)
            expect(page.locator("#linktest-answer")).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator("body")).to_have_attribute("data-linktest", "none")
            expect(page.locator('#desk-strip li[data-desk="isr"] .desk-linktest')).to_contain_text("link test")
            page.evaluate("localStorage.setItem('hotline.lang', 'ar')")
            page.select_option("#lang-select", "ar")
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            expect(page.locator('#desk-strip li[data-desk="isr"] .desk-status')).to_have_text("مأهول")
        answered = [e for e in isr.get("/api/v1/events?after=0&limit=1000").json()["events"]
                    if e["type"] in ("linktest.answered", "handover.acknowledged")]
        assert {e["actor"] for e in answered} == {"isr-super"}
        assert [e["type"] for e in answered].count("handover.acknowledged") == 2
    finally:
        server.stop()
