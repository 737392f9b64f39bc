"""Whatever a user types displays as text: no script runs and the layout holds."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LONG_WORD = "A" * 5000
CORPUS = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned=1;alert(1)\">",
    "\"><svg onload=alert(1)>",
    "javascript:alert(document.cookie)",
    "<a href=\"javascript:alert(1)\">click me</a>",
    "<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
    "{{constructor.constructor('alert(1)')()}} ${alert(1)}",
    "\u202eevil override\u202c then normal text",
    "\u2067isolate\u2069 \u200f\u200e zero-width\u200b joiner",
    "🚨🛰️ emoji 👩🏽‍✈️ and flags 🇮🇱🇸🇾🇺🇸",
    "Quneitra القنيطرة קוניטרה 33.1256N 35.8236E ١٢٣ 456",
    "<style>body{display:none}</style>&amp;&lt;b&gt;",
]


def test_injection_corpus_runs_no_script_and_displays_verbatim(live, open_console):
    posted = []
    for i, text in enumerate(CORPUS):
        posted.append(live.post("usa-duty", channel="isr-usa", precedence="PRIORITY", subject=text[:200],
                                body=f"{text}\n{text}", language=["en", "he", "ar"][i % 3]))
    posted.append(live.post("usa-duty", channel="isr-usa", subject="A" * 200, body=LONG_WORD))
    isr = open_console("isr-duty")
    isr.page.click("#channel-isr-usa")
    # One more through the compose form, so the console's own post path is covered too.
    isr.page.fill("#compose-subject", CORPUS[1])
    isr.page.fill("#compose-body", CORPUS[0] + LONG_WORD)
    isr.page.click("#compose-send")
    expect(isr.page.locator("#compose-ok")).to_contain_text("Sent")

    for m in posted:
        card = isr.card(m["id"])
        expect(card).to_have_count(1)
        assert card.locator(".subject").text_content() == m["subject"]
        assert card.locator(".body").text_content() == m["body"]
        assert card.locator(".subject").get_attribute("dir") == "auto"
        assert card.locator(".subject").get_attribute("lang") == m["language"]
    timeline = isr.page.locator("#timeline")
    for tag in ("script", "img", "svg", "iframe", "a", "style"):
        assert timeline.locator(tag).count() == 0, tag
    assert isr.page.evaluate("window.__pwned") == 0
    assert isr.page.evaluate("window.__csp") == 0
    assert isr.errors == []

    # No horizontal overflow anywhere at 1280x720, in either direction.
    for lang in ("en", "ar"):
        isr.page.select_option("#lang-select", lang)
        overflow = isr.page.evaluate("""() => {
            const doc = document.documentElement;
            const cards = [...document.querySelectorAll('article.msg')];
            return {page: doc.scrollWidth - window.innerWidth,
                    cards: cards.filter(c => c.scrollWidth > c.clientWidth + 1).length,
                    outside: cards.filter(c => { const r = c.getBoundingClientRect();
                                                 return r.left < -1 || r.right > window.innerWidth + 1; }).length};
        }""")
        assert overflow == {"page": 0, "cards": 0, "outside": 0}, (lang, overflow)
    expect(isr.page.locator("#compose-send")).to_be_visible()
