"""Two duty officers in two browsers: a FLASH rings, an acknowledgement silences it, and a dropped
network catches up with nothing missing or doubled."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_flash_reaches_the_other_party_within_a_second_and_rings_until_acknowledged(open_console):
    isr = open_console("isr-duty")
    syr = open_console("syr-duty")
    assert syr.body_data("ringing") == "false"

    isr.page.select_option("#compose-precedence", "FLASH")
    isr.page.fill("#compose-subject", "Live fire in sector 3 in 15 minutes")
    isr.page.fill("#compose-body", "Artillery exercise west of Line A, grid 36S YB 1234 5678.")
    started = time.monotonic()
    isr.page.click("#compose-send")
    card = syr.page.locator("article.msg", has_text="Live fire in sector 3")
    card.wait_for(timeout=1000)
    assert time.monotonic() - started < 1.0

    message_id = card.get_attribute("data-id")
    expect(card.locator(".prec")).to_have_text("FLASH")
    expect(card.locator(".sender")).to_contain_text("Israel")
    assert syr.body_data("ringing") == "true"
    expect(syr.page.locator("#alarm")).to_contain_text("Live fire in sector 3")
    expect(syr.page.locator("body")).to_have_attribute("data-audible", "true")
    assert isr.body_data("ringing") == "false"  # the sender's own FLASH does not ring for the sender
    expect(syr.page.locator("#channel-joint .count")).to_have_text("1")

    syr.card(message_id).locator(".btn-ack").click()
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "false")
    expect(syr.page.locator("body")).to_have_attribute("data-audible", "false")
    expect(syr.page.locator("#alarm")).to_be_hidden()
    done = isr.card(message_id).locator('li.ack[data-party="syr"]')
    expect(done).to_have_class("ack ack-done", timeout=2000)
    expect(done).to_contain_text("syr-duty")
    expect(isr.card(message_id).locator('li.ack[data-party="usa"]')).to_have_class("ack ack-pending")
    expect(syr.page.locator("#channel-joint .count")).to_have_text("0")
    assert isr.errors == [] and syr.errors == []


def test_mute_silences_and_the_keyboard_acknowledges(live, open_console):
    syr = open_console("syr-duty")
    msg = live.post("usa-duty", precedence="FLASH", subject="Drone over the Area of Separation")
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "true")
    syr.page.keyboard.press("m")
    expect(syr.page.locator("body")).to_have_attribute("data-muted", "true")
    expect(syr.page.locator("body")).to_have_attribute("data-audible", "false")
    assert syr.body_data("ringing") == "true"  # muted, but still unanswered

    syr.card(msg["id"]).focus()
    syr.page.keyboard.press("a")
    expect(syr.page.locator("body")).to_have_attribute("data-ringing", "false")
    expect(syr.card(msg["id"]).locator('li.ack[data-party="syr"]')).to_have_class("ack ack-done")
    assert live.api("syr-duty").get(f"/api/v1/messages/{msg['id']}").json()["addressees"]["syr"]["ack"]["by"] \
        == "syr-duty"


def test_deadline_countdown_and_dtg_beside_local_time(live, open_console):
    isr = open_console("isr-duty")
    msg = live.post("syr-duty", precedence="IMMEDIATE", subject="Convoy on road 98", language="en")
    card = isr.card(msg["id"])
    expect(card.locator("time.dtg")).to_have_text(msg["posted_dtg"])
    expect(card.locator(".local")).to_contain_text(":")
    expect(card.locator('li.ack[data-party="isr"] .countdown')).to_contain_text("left")
    expect(card).to_have_attribute("data-awaiting-me", "true")


def test_timeline_catches_up_after_the_network_drops_with_nothing_missing_or_doubled(live, open_console):
    isr = open_console("isr-duty")
    before = live.post("usa-duty", precedence="PRIORITY", subject="Before the drop")
    expect(isr.card(before["id"])).to_have_count(1)

    live.proxy.cut()
    expect(isr.page.locator("#conn")).to_have_attribute("data-state", "reconnecting", timeout=5000)
    expect(isr.page.locator("#conn")).to_contain_text("Reconnecting")
    during = [live.post("usa-duty", precedence="PRIORITY", subject=f"During the drop {i}") for i in range(3)]
    during.append(live.post("syr-duty", precedence="FLASH", subject="FLASH during the drop"))
    live.ack("syr-duty", before["id"])
    time.sleep(1.5)  # a few reconnect attempts fail meanwhile
    live.proxy.restore()

    expect(isr.page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20_000)
    for m in during:
        expect(isr.card(m["id"])).to_have_count(1)
    expect(isr.card(before["id"]).locator('li.ack[data-party="syr"]')).to_have_class("ack ack-done")
    expect(isr.page.locator("body")).to_have_attribute("data-ringing", "true")

    after = live.post("usa-duty", precedence="ROUTINE", subject="After the drop")
    expect(isr.card(after["id"])).to_have_count(1)
    ids = isr.page.eval_on_selector_all("#timeline article.msg", "els => els.map(e => e.dataset.id)")
    assert len(ids) == len(set(ids))
    server_ids = {m["id"] for m in live.api("isr-duty").get("/api/v1/channels/joint/messages").json()["messages"]}
    assert set(ids) == server_ids
    seqs = isr.page.eval_on_selector_all("#timeline article.msg", "els => els.map(e => Number(e.dataset.seq))")
    assert seqs == sorted(seqs, reverse=True)
    assert isr.errors == []
