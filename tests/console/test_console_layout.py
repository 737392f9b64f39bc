"""The console at a glance at 1280x720 and 1920x1080, in English, Hebrew and Arabic: one header row,
the FLASH banner and the header together under 100 px, at least four messages in view with the banner
up, compose reachable without scrolling the page, no two texts on top of each other, nothing wider
than the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .geometry import box, overflow_x, overlaps, text_boxes

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
SIZES = [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}]


@pytest.fixture(scope="module")
def exchange(live):
    """Six routine messages, all acknowledged, and a FLASH that waits for Israel."""
    for i in range(6):
        m = live.post("usa-duty", subject=f"Hourly line check {i + 1}",
                      body="Mediator's hourly test of the hotline. Acknowledge to confirm the line is staffed.")
        live.ack("isr-duty", m["id"])
        live.ack("syr-duty", m["id"])
    return live.post("usa-duty", precedence="FLASH", subject="Unidentified drone over the Area of Separation",
                     body="UNDOF reports an unidentified drone heading east. Each party: confirm or deny it is yours.")


@pytest.mark.parametrize("lang", ["en", "he", "ar"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_timeline_reads_at_a_glance(open_console, exchange, lang, size):
    c = open_console("isr-duty", lang=lang, viewport=size)
    page = c.page
    expect(page.locator("#alarm")).to_be_visible()
    expect(c.card(exchange["id"])).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{lang}-{size['width']}x{size['height']}.png"))

    # One header row: every part of the header shares one band, none cut off at its edges.
    bar = box(page, "#bar")
    parts = page.locator("#bar > *:not(:empty)").evaluate_all(
        "els => els.filter(e => e.checkVisibility()).map(e => { const r = e.getBoundingClientRect();"
        " return {id: e.id || e.className, top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })")
    assert max(p["top"] for p in parts) < min(p["bottom"] for p in parts), parts
    for p in parts:
        assert bar["left"] - 0.5 <= p["left"] and p["right"] <= bar["right"] + 0.5, p
    assert bar["height"] + box(page, "#alarm")["height"] < 100, (bar, box(page, "#alarm"))

    # At least four whole messages in view beside the banner.
    log = box(page, "#timeline")
    cards = page.locator("#timeline article.msg").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; })")
    floor = min(log["bottom"], size["height"]) + 0.5
    whole = [r for r in cards if r["top"] >= log["top"] - 0.5 and r["bottom"] <= floor]
    assert len(whole) >= 4, (len(whole), log, cards[:5])

    # Compose: its title and first control in the window, and the page itself does not scroll.
    for sel in ("#compose-title", "#compose-precedence"):
        b = box(page, sel)
        assert 0 <= b["top"] and b["bottom"] <= size["height"] and 0 <= b["left"] and b["right"] <= size["width"], sel
    assert page.evaluate("document.documentElement.scrollHeight - innerHeight") <= 0

    assert overflow_x(page) <= 0
    assert overlaps(text_boxes(page)) == []
    assert c.errors == []
