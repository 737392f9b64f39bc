"""The summary report of the demo data (talks, incidents, a dispute), with its charts, in a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from browser_support import chromium, sign_in
from hotline.testing import ServerProcess

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
    page = sign_in(browser, server.base_url, "usa-super")
    page.wait_for_selector("#nav-report")
    page.goto(f"{server.base_url}/#/report")
    expect(page.locator("#chart-category")).to_be_visible()
    values = page.locator("#chart-category .chart-bar").evaluate_all("els => els.map(e => e.dataset.value)")
    assert len(values) == 8 and sum(float(v or 0) for v in values) == 3  # the demo's three incidents
    for chart in ("#chart-sector", "#chart-ack-median", "#chart-ack-p95", "#chart-resolve-median"):
        expect(page.locator(chart)).to_be_visible()
    expect(page.locator("#report-csv")).to_have_attribute("href", re.compile(r"/api/v1/reports/summary\.csv\?from="))
    # The demo's dispute over the exchange of fire is open.
    expect(page.locator("body")).to_contain_text(re.compile(r"3 incidents · 1 open dispute"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert_labels_clear_of_bars(page)

    # In Arabic: the same figures, every title and category from the catalog, the charts mirrored.
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#report-total")).to_contain_text("حوادث")
    expect(page.locator("#chart-category .chart-title")).to_have_text("الحوادث حسب الفئة")
    expect(page.locator("#chart-category")).to_contain_text("لغم أو ذخيرة غير منفجرة")
    assert "mine" not in page.locator("#report-body").inner_text()
    assert "isr" not in page.locator("#chart-ack-median").inner_text()
    assert_labels_clear_of_bars(page)
    label = page.locator("#chart-category .chart-label").first.bounding_box()
    track = page.locator("#chart-category .chart-track").first.bounding_box()
    assert label and track and label["x"] >= track["x"] + track["width"]  # the label on the right
    page.screenshot(path=str(ARTIFACTS / "report-ar.png"), full_page=True)
    page.context.close()


def assert_labels_clear_of_bars(page) -> None:
    """No chart label, value or title box overlaps a bar's track, at this window's width."""
    boxes = page.locator(".chart").evaluate_all("""charts => charts.flatMap(c => {
      const r = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
      const texts = [...c.querySelectorAll('.chart-label, .chart-value, .chart-title')].map(r);
      const tracks = [...c.querySelectorAll('.chart-track')].map(r);
      return texts.flatMap(a => tracks.filter(b => Math.min(a[2], b[2]) - Math.max(a[0], b[0]) > 1
        && Math.min(a[3], b[3]) - Math.max(a[1], b[1]) > 1).map(b => [a, b]));
    })""")
    assert boxes == []
