"""The shared map in a real browser: Israel draws a notice, Syria sees the finding on its map and acknowledges it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hotline.testing import ServerProcess, login

# Screenshots go to an ignored folder; scripts/screenshots copies them into docs/.
ARTIFACTS = Path(__file__).parents[1] / "artifacts"

pytestmark = pytest.mark.browser

OpenMap = Callable[[str], Page]  # the fixture ``open_map`` (tests/conftest.py): a user's map, signed in


def test_a_notice_drawn_by_israel_raises_a_finding_that_syria_sees_and_acknowledges(
        open_map: OpenMap, map_server: ServerProcess) -> None:
    isr = open_map("isr-duty")
    syr = open_map("syr-duty")
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
    expect(detail).to_have_attribute("data-rule", "separation.forces")
    # The explanation is drawn from the finding's fields in the reader's language, the grid named once.
    expect(detail.locator(".finding-explanation")).to_contain_text("Area of Separation")
    expect(detail.locator(".finding-explanation")).to_contain_text("14 tanks")
    expect(detail.locator(".map-notice")).to_contain_text("14")
    sbox = syr.locator("#map-canvas").bounding_box()
    assert sbox is not None
    syr.mouse.move(sbox["x"] + sbox["width"] * 0.45, sbox["y"] + sbox["height"] * 0.4)
    expect(syr.locator("#readout-itm")).not_to_contain_text("ITM")
    expect(syr.locator("#map-readout")).to_contain_text("ITM")
    expect(syr.locator("#map-legend")).to_contain_text("Area of separation")
    ARTIFACTS.mkdir(exist_ok=True)
    syr.screenshot(path=str(ARTIFACTS / "map.png"))
    # The same in Arabic: legend, finding and its explanation in the reader's language.
    syr.select_option("#lang-select", "ar")
    expect(syr.locator("#map-legend")).to_contain_text("منطقة فصل")
    expect(detail.locator(".finding-explanation")).to_contain_text("دبابات")
    expect(syr.locator("#map-readout dt").first).to_have_text("درجات")
    syr.screenshot(path=str(ARTIFACTS / "map-ar.png"))
    syr.select_option("#lang-select", "en")
    syr.click("#finding-ack")
    expect(syr.locator("#finding-acks li[data-party=syr]")).to_have_class("acked")

    api = login(map_server.base_url, "usa-duty")
    [f] = api.get("/api/v1/findings").json()["findings"]
    assert f["finding"]["rule"] == "separation.forces" and f["addressees"]["syr"]["ack"]["by"] == "syr-duty"
    assert f["addressees"]["isr"]["ack"] is None


def test_the_keyboard_zooms_pans_and_cancels_drawing(open_map: OpenMap, map_server: ServerProcess) -> None:
    page = open_map("isr-duty")
    canvas = page.locator("#map-canvas")
    zoom = int(canvas.get_attribute("data-zoom") or 0)
    page.locator("#map-findings").click()  # focus outside the map: the view's keys still act
    page.keyboard.press("+")
    expect(canvas).to_have_attribute("data-zoom", str(zoom + 1))
    page.keyboard.press("-")
    expect(canvas).to_have_attribute("data-zoom", str(zoom))
    before = canvas.get_attribute("data-center")
    page.keyboard.press("ArrowRight")
    expect(canvas).not_to_have_attribute("data-center", before or "")
    lon_before = float((before or "0,0").split(",")[1])
    assert float((canvas.get_attribute("data-center") or "0,0").split(",")[1]) > lon_before  # east
    page.click("#map-draw-point")
    expect(canvas).to_have_class(re.compile(r"\bdrawing\b"))
    page.keyboard.press("Escape")
    expect(canvas).not_to_have_class(re.compile(r"\bdrawing\b"))
    # Place labels never sit on one another: the lower-ranked one is hidden instead.
    boxes = page.locator(".leaflet-tooltip.map-place:not(.map-place-hidden)").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) - max(a[0], b[0]) <= 0 or min(a[3], b[3]) - max(a[1], b[1]) <= 0, (a, b)
    assert len(boxes) >= 10
    # After a language switch the labels are redrawn in the new language, and most still show.
    page.select_option("#lang-select", "ar")
    expect(page.get_by_role("tooltip", name="القنيطرة", exact=True)).to_be_visible()
    page.wait_for_timeout(400)
    assert page.locator(".leaflet-tooltip.map-place:not(.map-place-hidden)").count() >= 10
    page.context.close()
