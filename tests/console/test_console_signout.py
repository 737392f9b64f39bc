"""Sign-out always ends in the signed-out screen, never in "your session has ended": the server closes
the stream with 4001 as it ends the session, and the console must not read that as an expiry."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("attempt", range(20))
def test_sign_out_ends_in_the_signed_out_screen(open_console, live, attempt):
    user = ("isr-duty", "syr-duty", "usa-duty")[attempt % 3]
    # A message in flight while signing out: the stream is busy when the 4001 close comes.
    live.post("usa-duty", subject=f"Line check {attempt}")
    c = open_console(user)
    c.page.click("#logout")
    expect(c.page.locator("#login-error")).to_contain_text("You have signed out.")
    expect(c.page.locator("#login-error")).not_to_contain_text("expired")
    # Give a late 4001 close or 401 every chance to overwrite the screen, then look again.
    c.page.wait_for_timeout(300)
    expect(c.page.locator("#login-error")).to_have_text("You have signed out.")
    expect(c.page.locator("#login-username")).to_be_visible()
    assert c.body_data("session") == "none"
    assert c.page.evaluate("fetch('/api/v1/me').then(r => r.status)") == 401
    assert c.errors == []
