"""The browser tests' Chromium and sign-in. Here, not in ``hotline.testing``: Playwright comes with the
test extra only, and the installed package must not import what a runtime install lacks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import sync_playwright

from hotline.testing import DEMO_PASSWORD

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium", "sign_in"]

# Debian's chromium, headless, with no calls home (the machines that run this have no internet).
CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """A headless Chromium driven by Playwright's sync API, closed afterwards.

    Open it after anything that runs its own event loop (``ServerProcess.prepare``): while it is open,
    this thread has Playwright's loop running."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser: Any, base_url: str, username: str, password: str = DEMO_PASSWORD, *,
            viewport: tuple[int, int] = (1280, 800)) -> Any:
    """A new page of ``browser`` (from ``chromium``) on the console, signed in as ``username``.

    It returns once the sign-in is sent; the caller waits for what its test needs (the session, the
    stream, a view). Errors the page raises are printed, so that a failing test's output shows them."""
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    page.on("pageerror", lambda e: print("pageerror", username, e))
    page.goto(base_url + "/")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    return page
