"""Signing in and out, and what the console says when the session ends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_wrong_password_says_so_and_keeps_the_login_form(open_console):
    c = open_console("isr-duty", password="not-the-password", wait_live=False)
    expect(c.page.locator("#login-error")).to_contain_text("Wrong user name or password")
    expect(c.page.locator("#login-username")).to_be_visible()
    assert c.body_data("session") == "none"


def test_party_and_role_are_always_visible(open_console):
    c = open_console("syr-duty")
    expect(c.page.locator("#who-party")).to_have_text("Syria")
    expect(c.page.locator("#who-role")).to_have_text("Duty officer")
    expect(c.page.locator("#who-user")).to_have_text("syr-duty")
    assert c.errors == []


def test_an_ended_session_returns_to_login_with_a_message(open_console):
    c = open_console("isr-duty")
    # Revoke the session behind the console's back, as an expiry or an administrator would.
    c.page.evaluate("fetch('/api/v1/auth/logout', {method: 'POST'})")
    # The server closes the session's stream (4001) at once; the console goes back to login.
    expect(c.page.locator("#login-error")).to_contain_text("session has ended or expired")
    assert c.body_data("session") == "none"
    assert c.page.locator("#bar").is_hidden()


def test_sign_out_and_in_again(open_console):
    c = open_console("usa-duty")
    c.page.click("#logout")
    expect(c.page.locator("#login-error")).to_contain_text("signed out")
    r = c.page.evaluate("fetch('/api/v1/me').then(r => r.status)")
    assert r == 401
