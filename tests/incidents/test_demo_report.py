"""The summary report of the demo data (talks, incidents, a dispute), with its charts, in a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hotline.testing import DEMO_PASSWORD, ServerProcess, chromium

pytestmark = pytest.mark.browser

# Screenshots go to an ignored folder; scripts/screenshots copies them into docs/.
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("demo-report")
    srv = ServerProcess(f"sqlite:///{base / 'hotline.db'}", log=base / "server.log",
                        seed={"talks": True, "scenario": True})  # what `hotline demo` records
    srv.prepare()
    with srv.start():
        yield srv


@pytest.fixture(scope="module")
def browser(server: ServerProcess) -> Iterator[Browser]:
    with chromium() as b:
        yield b


def test_summary_report_of_the_demo_data_draws_its_charts(browser: Browser, server: ServerProcess) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(server.base_url + "/")
    page.fill("#login-username", "usa-super")
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#nav-report")
    page.goto(f"{server.base_url}/#/report")
    expect(page.locator("#chart-category")).to_be_visible()
    values = page.locator("#chart-category rect.chart-bar").evaluate_all("els => els.map(e => e.dataset.value)")
    assert len(values) == 8 and sum(float(v or 0) for v in values) == 3  # the demo's three incidents
    for chart in ("#chart-sector", "#chart-ack-median", "#chart-ack-p95", "#chart-resolve-median"):
        expect(page.locator(chart)).to_be_visible()
    expect(page.locator("#report-csv")).to_have_attribute("href", re.compile(r"/api/v1/reports/summary\.csv\?from="))
    # The demo's dispute over the exchange of fire is open.
    expect(page.locator("body")).to_contain_text(re.compile(r"3 incidents · 1 open dispute"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.context.close()
