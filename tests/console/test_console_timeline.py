"""The timeline beyond the first page, acknowledgement notes, and "you" for the reader's own party."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_older_messages_page_in_as_the_officer_scrolls(live, open_console):
    posted = [live.post("usa-duty", channel="isr-usa", subject=f"Line check {i:03d}")["id"] for i in range(130)]
    isr = open_console("isr-duty")
    isr.page.click("#channel-isr-usa")
    log = isr.page.locator("#timeline")
    # The console loads the newest 100 at sign-in; the oldest 30 are not there until asked for.
    expect(log.locator("article.msg")).to_have_count(100)
    expect(isr.card(posted[0])).to_have_count(0)
    for _ in range(10):
        if isr.page.locator("#timeline-older[data-state=start]").count():
            break
        log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        isr.page.wait_for_timeout(200)
    expect(isr.page.locator("#timeline-older")).to_have_attribute("data-state", "start")
    expect(isr.page.locator("#timeline-older")).to_have_text("Start of this channel.")
    ids = log.locator("article.msg").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids == list(reversed(posted))  # every message once, newest first
    assert isr.errors == []


def test_an_acknowledgement_with_a_note_reads_to_the_sender(live, open_console):
    msg = live.post("usa-duty", channel="isr-usa", precedence="IMMEDIATE", subject="Convoy at the crossing")
    isr = open_console("isr-duty")
    usa = open_console("usa-duty")
    isr.page.click("#channel-isr-usa")
    usa.page.click("#channel-isr-usa")
    card = isr.card(msg["id"])
    # The reader's own party is "You", and the line says what is awaited and by when.
    mine = card.locator('li.ack[data-party="isr"]')
    expect(mine.locator(".ack-party")).to_have_text("You")
    expect(mine).to_contain_text("your acknowledgement is awaited (press A)")
    expect(mine.locator(".ack-deadline")).to_contain_text("due ")
    expect(usa.card(msg["id"]).locator('li.ack[data-party="isr"]')).to_contain_text("Israel has not acknowledged yet")
    card.locator(".btn-ack-note").click()
    card.locator(".ack-note-input").fill("Seen; our liaison officer is on the way. <b>not bold</b>")
    card.locator(".ack-note-send").click()
    done = usa.card(msg["id"]).locator('li.ack[data-party="isr"]')
    expect(done).to_have_class("ack ack-done")
    expect(done.locator(".ack-note")).to_have_text("note: Seen; our liaison officer is on the way. <b>not bold</b>")
    expect(card.locator('li.ack[data-party="isr"]')).to_contain_text("You")
    r = live.api("usa-duty").get("/api/v1/channels/isr-usa/messages?limit=5").json()
    [state] = [m for m in r["messages"] if m["id"] == msg["id"]]
    assert state["addressees"]["isr"]["ack"]["note"].startswith("Seen; our liaison officer")
    assert isr.errors == [] and usa.errors == []


def test_the_sender_reads_from_you_on_its_own_messages(live, open_console):
    msg = live.post("syr-duty", subject="Our own line check")
    syr = open_console("syr-duty")
    expect(syr.card(msg["id"]).locator(".sender")).to_have_text("From you (syr-duty)")
