"""The staffed-desks strip in the header's one row: with the reader signed on to their desk, in every
language at 1280x720, the header stays one row inside the window; the desk's details (officer, hand
over, sign off) open under its chip on keyboard focus, and signing off from there works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .geometry import box

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "he", "ar"])
def test_the_header_keeps_one_row_with_the_reader_on_duty(open_console, live, lang):
    r = live.api("isr-duty").post("/api/v1/desks/isr/sign-on")
    assert r.status_code in (200, 201), r.text
    c = open_console("isr-duty", lang=lang, viewport={"width": 1280, "height": 720})
    page = c.page
    chip = page.locator('#bar #desk-slot #desk-strip li[data-desk="isr"]')
    expect(chip).to_have_attribute("data-status", "manned")

    bar = box(page, "#bar")
    parts = page.locator("#bar > *:not(:empty)").evaluate_all(
        "els => els.filter(e => e.checkVisibility()).map(e => { const r = e.getBoundingClientRect();"
        " return {id: e.id || e.className, top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })")
    assert max(p["top"] for p in parts) < min(p["bottom"] for p in parts), parts
    for p in parts:
        assert bar["left"] - 0.5 <= p["left"] and p["right"] <= bar["right"] + 0.5, p
    expect(page.locator("#who-party")).to_be_visible()

    # The details are closed until the chip has focus; then the officer and the buttons are in view.
    expect(chip.locator(".desk-more")).to_be_hidden()
    chip.focus()
    expect(chip.locator(".desk-officer")).to_be_visible()
    expect(chip.locator(".desk-handover")).to_be_visible()
    chip.locator(".desk-sign-off").click()
    expect(chip).to_have_attribute("data-status", "unmanned")
    expect(chip.locator(".desk-sign-on")).to_be_visible()
    assert c.errors == []
