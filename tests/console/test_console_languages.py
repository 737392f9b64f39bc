"""English, Hebrew and Arabic: every string from the catalogs, the page right to left for he and ar,
and template messages in each reader's own language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

STATIC = Path(__file__).parents[2] / "src/hotline/console/static"
PARTY_USA = {"en": "United States (mediator)", "he": "ארצות הברית (מתווכת)", "ar": "الولايات المتحدة (الوسيط)"}


def catalog(lang: str) -> dict[str, str]:
    return json.loads((STATIC / "i18n" / f"{lang}.json").read_text("utf-8"))


def test_every_catalog_has_every_key_with_the_same_placeholders():
    en = catalog("en")
    for lang in ("he", "ar"):
        other = catalog(lang)
        assert set(other) == set(en), (lang, set(en) ^ set(other))
        for key, text in en.items():
            assert set(re.findall(r"\{\w+\}", other[key])) == set(re.findall(r"\{\w+\}", text)), (lang, key)


def test_every_literal_key_in_the_code_is_in_the_catalog():
    en = catalog("en")
    code = "\n".join(p.read_text("utf-8") for p in (STATIC / "js").rglob("*.js"))
    prefixes = ("login.", "conn.", "alarm.", "message.", "ack.", "compose.", "channels.", "timeline.", "lang.",
                "auth.", "view.", "nav.", "time.", "app.", "party.")
    events = {"message.posted", "message.acknowledged", "message.ack_overdue", "message.ack_escalated"}
    used = {k for k in re.findall(r"'([a-z_]+\.[a-z_.]+)'", code) if k.startswith(prefixes)} - events
    assert used - set(en) == set()
    templates = re.findall(r"code: '([a-z_]+)'", (STATIC / "js/templates.js").read_text("utf-8"))
    assert len(templates) == 5
    for code_ in templates:
        for part in ("title", "subject", "body"):
            assert f"template.{code_}.{part}" in en


@pytest.mark.browser
def test_arabic_and_hebrew_turn_the_page_right_to_left(open_console):
    c = open_console("usa-duty")
    html = c.page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    for lang, title in (("ar", "سجل الرسائل"), ("he", "ציר הודעות"), ("en", "Timeline")):
        c.page.select_option("#lang-select", lang)
        expect(html).to_have_attribute("dir", "ltr" if lang == "en" else "rtl")
        expect(html).to_have_attribute("lang", lang)
        expect(c.page.locator("#nav-timeline")).to_have_text(title)
        expect(c.page.locator("#compose-title")).to_have_text(catalog(lang)["compose.title"])
        expect(c.page.locator("#who-party")).to_have_text(PARTY_USA[lang])
    # The choice survives a reload.
    c.page.select_option("#lang-select", "ar")
    c.page.reload()
    c.page.wait_for_selector("body[data-connection='live']")
    expect(html).to_have_attribute("dir", "rtl")


@pytest.mark.browser
def test_a_template_message_reads_in_each_readers_language(open_console):
    isr = open_console("isr-duty", lang="he")
    syr = open_console("syr-duty", lang="ar")
    usa = open_console("usa-duty", lang="en")
    isr.page.select_option("#compose-kind", "planned_activity")
    isr.page.fill("#compose-tpl-activity", "Engineering works")
    isr.page.fill("#compose-tpl-location", "Majdal Shams / مجدل شمس")
    isr.page.fill("#compose-tpl-start", "261000Z NOV 26")
    isr.page.fill("#compose-tpl-end", "261400Z NOV 26")
    expect(isr.page.locator(".preview .subject")).to_contain_text("פעילות מתוכננת")
    isr.page.click("#compose-send")
    expect(isr.page.locator("#compose-ok")).to_be_visible()

    ar_card = syr.page.locator("article.msg", has_text="Engineering works")
    expect(ar_card.locator(".subject")).to_have_text("نشاط مخطط له قرب Majdal Shams / مجدل شمس")
    expect(ar_card.locator(".body")).to_contain_text("هذا إخطار وليس طلب إذن")
    expect(ar_card.locator(".subject bdi")).to_have_text("Majdal Shams / مجدل شمس")
    en_card = usa.page.locator("article.msg", has_text="Engineering works")
    expect(en_card.locator(".subject")).to_have_text("Planned activity near Majdal Shams / مجدل شمس")
    expect(en_card.locator(".body")).to_contain_text("it is not a clearance")
    expect(en_card.locator(".lang-tag")).to_have_text("HE")
    # Switching language re-renders the message in the new language.
    usa.page.select_option("#lang-select", "he")
    expect(en_card.locator(".subject")).to_have_text("פעילות מתוכננת ליד Majdal Shams / مجدل شمس")
