"""Accounts and sessions: argon2id, opaque expiring tokens, cookies, throttling, cross-site refusal."""

from __future__ import annotations

import pytest

from hotline.service.hotline import Hotline
from hotline.store import accounts
from hotline.testing import DEMO_PASSWORD, Api, FakeClock

pytestmark = pytest.mark.anyio


async def test_password_is_stored_as_argon2id_and_token_only_as_its_hash(api: Api, service: Hotline) -> None:
    token = await api.token("isr-duty")
    async with service.db.read() as conn:
        user = await accounts.get_user(conn, "isr-duty")
        assert user is not None and user["password_hash"].startswith("$argon2id$")
        assert await accounts.get_session(conn, token) is None  # the raw token is not a key


async def test_login_sets_an_httponly_strict_cookie_that_authenticates(api: Api) -> None:
    r = await api.client.post("/api/v1/auth/login", json={"username": "syr-duty", "password": DEMO_PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    me = await api.client.get("/api/v1/me", headers={"cookie": f"hotline_session={r.json()['token']}"})
    assert me.json()["party"] == "syr" and me.json()["role"] == "operator"


async def test_wrong_password_and_unknown_user_read_the_same(api: Api) -> None:
    a = await api.client.post("/api/v1/auth/login", json={"username": "isr-duty", "password": "wrong-password-1"})
    b = await api.client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong-password-1"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]
    assert a.headers["content-type"] == "application/problem+json"


async def test_repeated_failed_logins_are_slowed_down(api: Api) -> None:
    statuses = []
    for _ in range(7):
        r = await api.client.post("/api/v1/auth/login", json={"username": "usa-duty", "password": "not-the-password"})
        statuses.append(r.status_code)
    assert statuses[:5] == [401] * 5 and 429 in statuses[5:]
    r = await api.client.post("/api/v1/auth/login", json={"username": "usa-duty", "password": DEMO_PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


async def test_logout_revokes_the_token(api: Api) -> None:
    assert (await api.as_("isr-duty", "GET", "/api/v1/me")).status_code == 200
    assert (await api.as_("isr-duty", "POST", "/api/v1/auth/logout")).status_code == 204
    r = await api.as_("isr-duty", "GET", "/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"].startswith("Your session is not valid")


async def test_an_expired_token_is_refused(api: Api, service: Hotline, clock: FakeClock) -> None:
    assert (await api.as_("isr-duty", "GET", "/api/v1/me")).status_code == 200
    service.auth.cache_s = 0
    clock.advance(seconds=service.settings.session_ttl_s + 1)
    r = await api.as_("isr-duty", "GET", "/api/v1/me")
    assert r.status_code == 401 and "expired" in r.json()["detail"]


async def test_wrong_or_missing_token_is_401(api: Api) -> None:
    assert (await api.client.get("/api/v1/channels")).status_code == 401
    r = await api.client.get("/api/v1/channels", headers={"authorization": "Bearer forged"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = await api.client.get("/api/v1/channels", headers={"authorization": "Basic abc"})
    assert r.status_code == 401


async def test_a_cross_site_post_with_the_cookie_is_refused(api: Api, service: Hotline) -> None:
    token = await api.token("isr-duty")
    body = {"precedence": "FLASH", "subject": "x", "body": "y"}
    r = await api.client.post("/api/v1/channels/joint/messages", json=body,
                              headers={"origin": "http://evil.example", "cookie": f"hotline_session={token}"})
    assert r.status_code == 403
    r = await api.client.post("/api/v1/channels/joint/messages", json=body,
                              headers={"origin": "http://hotline.test", "cookie": f"hotline_session={token}"})
    assert r.status_code == 201


async def test_disabled_user_loses_sessions_and_cannot_log_in(api: Api, service: Hotline) -> None:
    await api.token("syr-duty")
    await service.auth.set_disabled("syr-duty")
    assert (await api.as_("syr-duty", "GET", "/api/v1/me")).status_code == 401
    r = await api.client.post("/api/v1/auth/login", json={"username": "syr-duty", "password": DEMO_PASSWORD})
    assert r.status_code == 401


async def test_security_headers_and_csp(api: Api) -> None:
    r = await api.client.get("/healthz")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_oversized_request_is_413_and_writes_nothing(api: Api) -> None:
    r = await api.as_("isr-duty", "POST", "/api/v1/channels/joint/messages", content=b"x" * 600_000,
                      headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
