"""Two duty officers in two browsers: Israel recalls a FLASH sent in error, and Syria's console stops
ringing, its awaiting count drops, and the card says in Arabic who recalled it, when and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.domain.timefmt import dtg, parse_iso

pytestmark = pytest.mark.browser

REASON = "False alarm: the contact was our own drone."


def test_a_recalled_flash_stops_ringing_and_shows_the_recall_in_the_readers_language(live, open_console):
    isr = open_console("isr-duty")
    syr = open_console("syr-duty", lang="ar")
    msg = live.post("isr-duty", precedence="FLASH", subject="Unidentified aircraft over sector 2")
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "true")
    expect(syr.page.locator("#channel-joint .count")).to_have_text("1")

    card = isr.card(msg["id"])
    card.locator(".btn-recall").click()
    card.locator(".recall-reason").fill(REASON)
    card.locator(".recall-send").click()
    expect(card).to_have_attribute("data-recalled", "true")

    recalled = live.api("isr-duty").get(f"/api/v1/messages/{msg['id']}").json()["recalled"]
    when = dtg(parse_iso(recalled["at"]))
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "false")
    expect(syr.page.locator("#alarm")).to_be_hidden()
    expect(syr.page.locator("#channel-joint .count")).to_have_text("0")
    theirs = syr.card(msg["id"])
    expect(theirs).to_have_attribute("data-recalled", "true")
    expect(theirs).to_have_attribute("data-awaiting-me", "false")
    expect(theirs.locator(".recall-note")).to_have_text(f"سُحبت الرسالة من قِبل إسرائيل في {when}: {REASON}")
    expect(theirs.locator(".btn-ack")).to_have_count(0)
    expect(theirs.locator('li.ack[data-party="syr"]')).to_have_class("ack ack-recalled")
    expect(card.locator(".recall-note")).to_have_text(f"Recalled by Israel at {when}: {REASON}")
    expect(card.locator(".btn-recall")).to_have_count(0)
    assert isr.errors == [] and syr.errors == []
