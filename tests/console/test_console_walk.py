"""Every view in English, Hebrew and Arabic, on the full demo (talks, zones, incidents, a dispute, a
finding, a heightened line), with the header's desk strip and the alert banner: no catalog key
missing, and no visible text that is neither from the reader's catalog nor data (user text, names the
server holds in each language, numbers, grids, date-time groups).

How text is told apart: the console marks data where it puts it (.user-text, <bdi> around values,
[data-value], <time>, .dtg, <code>); every other visible text node must be a catalog text of the
language, a piece of one between its {placeholders}, or one with its placeholders filled."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_support import chromium
from hotline.testing import DEMO_PASSWORD, ServerProcess, login

pytestmark = pytest.mark.browser

STATIC = Path(__file__).parents[2] / "src/hotline/console/static"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"

# Data the console shows as it finds it: the containers it marks.
DATA = ".user-text, bdi, [data-value], time, .dtg, code, .username, .leaflet-tooltip-pane, .leaflet-marker-pane"

_VISIBLE_TEXT = """
(data) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('script, style, noscript, option, select') || el.closest(data)) continue;
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    out.push(text);
  }
  return out;
}
"""


def catalog(lang: str) -> dict[str, str]:
    return json.loads((STATIC / "i18n" / f"{lang}.json").read_text("utf-8"))


class Allowed:
    """What a visible text may be in one language."""

    def __init__(self, lang: str, names: set[str]) -> None:
        values = catalog(lang).values()
        self.exact = {v.strip() for v in values} | names
        self.pieces = {p.strip() for v in values for p in re.split(r"\{\w+\}", v) if p.strip()}
        self.patterns = [re.compile("^" + ".+".join(re.escape(p) for p in re.split(r"\{\w+\}", v.strip())) + "$",
                                    re.S) for v in values if "{" in v]

    def __call__(self, text: str) -> bool:
        if text in self.exact or text in self.pieces:
            return True
        if re.fullmatch(r"[\d\s\W]*", text):  # numbers, times, punctuation and symbols (· — ✓ ○ → ±)
            return True
        return any(p.match(text) for p in self.patterns)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("walk")
    srv = ServerProcess(f"sqlite:///{base / 'hotline.db'}", log=base / "server.log",
                        seed={"talks": True, "scenario": True})
    preparing = threading.Thread(target=srv.prepare)  # its own event loop, not Playwright's
    preparing.start()
    preparing.join()
    with srv.start():
        # A finding for the map: Israel declares tanks inside the Area of Separation.
        api = login(srv.base_url, "isr-duty")
        start = datetime.now(UTC) + timedelta(hours=80)
        r = api.post("/api/v1/notices", json={
            "type": "ground_movement", "geometry": {"type": "Point", "coordinates": [35.82, 33.20]},
            "radius_m": 300, "forces": {"troops": 60, "tanks": 14},
            "window": {"start": start.isoformat(), "end": (start + timedelta(hours=12)).isoformat()}})
        assert r.status_code == 201, r.text
        api.close()
        # The alert-level banner on every page: the mediator heightens the line.
        usa = login(srv.base_url, "usa-super")
        r = usa.post("/api/v1/line/level", json={"level": "heightened", "reason": "Drone sightings near Quneitra."})
        assert r.status_code == 200, r.text
        usa.close()
        yield srv


@pytest.fixture(scope="module")
def browser(demo: ServerProcess) -> Iterator[Browser]:
    with chromium() as b:
        yield b


def names_in(server: ServerProcess, lang: str) -> set[str]:
    """Names the server holds in every language: parties, channels, zones, places."""
    api = login(server.base_url, "usa-super")
    try:
        me = api.get("/api/v1/me").json()
        found = {p["names"].get(lang) or p["names"]["en"] for p in me["world"]["parties"]}
        found |= {c["names"].get(lang) or c["names"]["en"] for c in api.get("/api/v1/channels").json()["channels"]}
        for f in api.get("/api/v1/zones").json()["features"]:
            found.add(f["properties"]["names"].get(lang) or f["properties"]["names"]["en"])
        return found
    finally:
        api.close()


def open_as(browser: Browser, server: ServerProcess, username: str, lang: str,
            allowed: Allowed | None = None) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-GB")
    context.add_init_script(f"localStorage.setItem('hotline.lang', '{lang}');")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.base_url + "/")
    page.wait_for_selector("#login-username")
    if allowed:  # the sign-in screen speaks the reader's language too
        assert [t for t in page.evaluate(_VISIBLE_TEXT, DATA) if not allowed(t)] == []
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("body[data-connection='live']")
    return page, errors


# Each view, and what shows that it has drawn its data.
VIEWS: list[tuple[str, str, Any]] = [
    ("timeline", "#timeline article.msg", None),
    ("incidents", "#incident-list .inc-item", lambda page: page.locator(".inc-item").first.click()
     or page.wait_for_selector("#incident-history li")),
    ("map", "#map-canvas .leaflet-interactive", lambda page: show_finding_and_readout(page)),
    ("report", "#chart-category .chart-track", None),
    ("record", "#record-rows tr", None),
    ("roster", "#roster-body .roster-desk", lambda page: show_desk_details(page)),
    ("translate", "#tr-queue li", lambda page: open_first_task(page)),
]


def show_desk_details(page: Page) -> None:
    """The header's desk strip and one desk's details, opened as a reader opens them."""
    chip = page.locator("#desk-strip li[data-desk]").first
    chip.hover()
    expect(chip.locator(".desk-more")).to_be_visible()


def open_first_task(page: Page) -> None:
    """The translator's queue and, when something waits, its side-by-side detail."""
    task = page.locator("#tr-queue button[data-id]")
    if task.count():
        task.first.click()
        page.wait_for_selector("#tr-detail .tr-side")


def show_finding_and_readout(page: Page) -> None:
    page.locator(".finding-item").first.click()
    page.wait_for_selector(".map-finding-detail .map-notice")
    b = page.locator("#map-canvas").bounding_box()
    assert b is not None
    page.mouse.move(b["x"] + b["width"] * 0.4, b["y"] + b["height"] * 0.4)
    page.mouse.move(b["x"] + b["width"] * 0.45, b["y"] + b["height"] * 0.45)
    page.wait_for_selector("#readout-itm")


@pytest.mark.parametrize("lang", ["en", "he", "ar"])
def test_every_view_speaks_the_readers_language(browser: Browser, demo: ServerProcess, lang: str) -> None:
    allowed = Allowed(lang, names_in(demo, lang))
    page, errors = open_as(browser, demo, "isr-super", lang, allowed)
    expect(page.locator("html")).to_have_attribute("dir", "ltr" if lang == "en" else "rtl")
    problems: dict[str, list[str]] = {}
    for view, ready, then in VIEWS:
        page.goto(f"{demo.base_url}/#/{view}")
        page.wait_for_selector(ready)
        if then:
            then(page)
        page.wait_for_timeout(300)  # let late parts (counts, countdowns) settle
        expect(page.locator("#alert-level-text")).to_be_visible()
        texts = page.evaluate(_VISIBLE_TEXT, DATA)
        assert texts, view
        keys = [t for t in texts if re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", t)]
        bad = [t for t in texts if not allowed(t)]
        if keys or bad:
            problems[view] = sorted(set(keys + bad))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"walk-{view}-{lang}.png"))
    assert problems == {}
    assert errors == []
    page.context.close()
