"""The console's incident and report views in headless Chromium against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_support import chromium, sign_in
from hotline.testing import ServerProcess

pytestmark = pytest.mark.browser

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("console-incidents")
    srv = ServerProcess(f"sqlite:///{base / 'hotline.db'}", log=base / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


@pytest.fixture(scope="module")
def browser(server: ServerProcess) -> Iterator[Browser]:
    # After the server: its preparation runs an event loop, which Playwright's sync API forbids.
    with chromium() as b:
        yield b


def _page(browser: Browser, server: ServerProcess, username: str, view: str = "incidents") -> Page:
    page: Page = sign_in(browser, server.base_url, username, viewport=(1400, 900))
    page.wait_for_selector("#nav-incidents")
    page.goto(f"{server.base_url}/#/{view}")
    return page


def _open_first(page: Page) -> None:
    page.locator(".inc-item").first.click()
    expect(page.locator("#incident-status")).to_be_visible()


def _step(browser: Browser, server: ServerProcess, user: str, step: str, text: str | None = None,
          expect_status: str | None = None) -> None:
    page = _page(browser, server, user)
    _open_first(page)
    if text is not None:
        page.fill(f"#step-text-{step}", text)
    page.click(f"#step-{step}")
    if expect_status:
        expect(page.locator("#incident-status")).to_have_attribute("data-status", expect_status)
    expect(page.locator("#incident-error")).to_have_text("")
    page.context.close()


def test_one_incident_from_report_to_resolution(browser: Browser, server: ServerProcess) -> None:
    page = _page(browser, server, "syr-duty")
    page.select_option("#inc-category", "uav_sighting")
    page.fill("#inc-location", "36SYB 6348 6876")
    # The form names each field and its unit; the other parties are ticked by name.
    expect(page.locator("label[for=inc-radius]")).to_have_text("Position uncertain by up to")
    expect(page.locator("#incident-form .unit")).to_have_text("m")
    expect(page.locator("label:has(#inc-involved-isr)")).to_have_text("Israel")
    page.check("#inc-involved-isr")
    page.fill("#inc-description", "A small UAV over the Area of Separation near Quneitra.")
    page.click("#inc-submit")
    expect(page.locator("#incident-status")).to_have_attribute("data-status", "reported")
    expect(page.locator("#incident-status")).to_have_text("Reported")  # shown in the reader's language
    expect(page.locator("#incident-awaiting")).to_have_text("Israel, United States (mediator)")
    page.context.close()

    _step(browser, server, "isr-duty", "ack")
    _step(browser, server, "usa-duty", "ack", expect_status="acknowledged")
    _step(browser, server, "isr-duty", "ask", "What altitude?", expect_status="clarification")
    page = _page(browser, server, "syr-duty")
    _open_first(page)
    page.fill("#answer-q1", "About 300 m.")
    page.click("#answer-btn-q1")
    expect(page.locator("#question-q1")).to_contain_text("About 300 m.")
    page.context.close()
    _step(browser, server, "isr-super", "review", expect_status="joint_review")
    _step(browser, server, "usa-super", "propose", "A commercial UAV of unknown operator.")
    _step(browser, server, "isr-super", "agree", expect_status="joint_review")
    _step(browser, server, "syr-super", "agree", expect_status="resolved")

    page = _page(browser, server, "usa-duty")
    _open_first(page)
    history = page.locator("#incident-history")
    for event, words in (("incident.reported", "reported"), ("incident.question_answered", "question answered"),
                         ("incident.finding_agreed", "finding agreed"), ("incident.resolved", "resolved")):
        expect(history.locator(f'li[data-type="{event}"]').first).to_contain_text(words)
    page.context.close()


def test_a_refused_step_shows_the_servers_reason(browser: Browser, server: ServerProcess) -> None:
    page = _page(browser, server, "isr-duty")
    page.fill("#inc-description", "Shots heard near Hader.")
    page.check("#inc-involved-syr")
    page.click("#inc-submit")
    expect(page.locator("#incident-status")).to_have_attribute("data-status", "reported")
    expect(page.locator("#incident-status")).to_have_text("Reported")  # shown in the reader's language
    page.context.close()
    page = _page(browser, server, "syr-duty")
    _open_first(page)
    page.click("#step-ack")
    expect(page.locator("#incident-awaiting")).to_have_text("United States (mediator)")
    page.context.close()
    page = _page(browser, server, "usa-duty")
    _open_first(page)
    page.click("#step-ack")
    page.click("#step-review")  # an operator may not open the joint review
    expect(page.locator("#incident-error")).to_contain_text("supervisor")
    page.context.close()
