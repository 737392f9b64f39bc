"""In Syria's console: a FLASH nobody at Syria's desk acknowledged shows its escalation history (who
was told, how, when, with what outcome), and the e-mail to Syria's supervisors that could not be
delivered raises an alert on the console."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import chromium
from hotline.testing import DEMO_PASSWORD, ServerProcess, free_port, login

from .worlds import policy_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("escalation")
    closed = free_port()  # nothing listens here: every SMTP attempt is refused at once
    world = policy_world(tmp, f"http://127.0.0.1:{free_port()}/hook", flash_s=2, delays=(0, 1, 600))
    srv = ServerProcess(f"sqlite:///{tmp / 'hotline.db'}", world=world, log=tmp / "server.log", env={
        "HOTLINE_HEARTBEAT": "2", "HOTLINE_SMTP_HOST": "127.0.0.1", "HOTLINE_SMTP_PORT": str(closed),
        "HOTLINE_SMTP_TLS": "none", "HOTLINE_SMTP_ATTEMPTS": "2", "HOTLINE_SMTP_BACKOFF_S": "0.2",
        "HOTLINE_WEBHOOK_SECRET": "a-long-secret-for-the-test-receiver"})
    preparing = threading.Thread(target=srv.prepare)
    preparing.start()
    preparing.join()
    with srv.start():
        yield srv


def test_escalation_history_and_an_undelivered_email_alert_in_syrias_console(server: ServerProcess) -> None:
    isr = login(server.base_url, "isr-duty")
    msg = isr.post("/api/v1/channels/joint/messages", json={
        "precedence": "FLASH", "subject": "Rotary-wing flight near Quneitra", "body": "x"}).json()
    syr = login(server.base_url, "syr-super")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        events = syr.get("/api/v1/events?after=0&limit=500").json()["events"]
        if any(e["type"] == "notify.delivery_failed" for e in events):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the failed e-mail was not reported")
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 950}, locale="en-GB")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server.base_url + "/")
        page.fill("#login-username", "syr-super")
        page.fill("#login-password", DEMO_PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("body[data-connection='live']", timeout=15_000)
        alert = page.locator("#esc-alerts li")
        expect(alert).to_have_count(1, timeout=10_000)
        expect(alert).to_contain_text("e-mail")
        history = page.locator(f"#esc-{msg['id']}")
        history.locator("summary").click()
        rows = history.locator("tbody tr")
        expect(rows.locator('xpath=self::tr[@data-medium="email"]')).to_have_attribute("data-status", "failed")
        expect(rows.locator('xpath=self::tr[@data-medium="console"]')).to_have_attribute("data-status", "delivered")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "escalation-history-en.png"))
        assert errors == []
        context.close()
