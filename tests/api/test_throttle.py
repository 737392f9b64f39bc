"""The login throttle slows a guesser without locking out the officer it targets (issue 16, item 2)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from hotline.api.app import create_app
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, FakeClock

pytestmark = pytest.mark.anyio

ATTACKER = "203.0.113.9"
OFFICE = "192.0.2.10"
PROXY = "10.1.2.3"

From = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def from_address(service: Hotline) -> From:
    """A client whose requests reach the app from ``address`` (the peer the server sees)."""
    app = create_app(service, start=False)

    @asynccontextmanager
    async def client(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as c:
            yield c

    return client


async def login(c: httpx.AsyncClient, user: str, password: str = DEMO_PASSWORD, **headers: str) -> httpx.Response:
    r = await c.post("/api/v1/auth/login", json={"username": user, "password": password}, headers=headers)
    c.cookies.clear()  # each login on its own, as a script with no cookie jar does
    return r


async def test_an_attackers_hundred_wrong_passwords_do_not_lock_the_officer_out(from_address: From) -> None:
    async with from_address(ATTACKER) as attacker, from_address(OFFICE) as office:
        statuses = [(await login(attacker, "isr-duty", f"guess-number-{i:04d}")).status_code for i in range(100)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        # The officer, from her own address, at once.
        assert (await login(office, "isr-duty")).status_code == 200
        # From the attacker's address, the other users still can; only isr-duty waits there.
        for user in ("syr-duty", "usa-duty", "isr-super"):
            assert (await login(attacker, user)).status_code == 200, user
        r = await login(attacker, "isr-duty")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.headers["content-type"] == "application/problem+json"


async def test_a_paced_attack_never_keeps_the_officer_out(from_address: From, clock: FakeClock) -> None:
    """The attacker waits out every Retry-After; the officer signs in between his guesses each time."""
    async with from_address(ATTACKER) as attacker, from_address(OFFICE) as office:
        waits = []
        guesses = 0
        while guesses < 17:
            r = await login(attacker, "isr-duty", f"paced-guess-{guesses:04d}")
            if r.status_code == 429:
                waits.append(int(r.headers["retry-after"]))
                clock.advance(seconds=waits[-1])
                continue
            assert r.status_code == 401
            guesses += 1
            if guesses % 4 == 0:
                assert (await login(office, "isr-duty")).status_code == 200
        # The wait doubles from the sixth guess on, up to the cap (900 s), and stays there.
        assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        assert (await login(office, "isr-duty")).status_code == 200


async def test_unknown_users_are_throttled_exactly_like_wrong_passwords(from_address: From) -> None:
    async with from_address("198.51.100.1") as a, from_address("198.51.100.2") as b:
        known = [await login(a, "usa-duty", "not-the-password") for _ in range(7)]
        unknown = [await login(b, "no-such-user", "not-the-password") for _ in range(7)]
        assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429] * 2
        assert [r.json()["detail"] for r in known] == [r.json()["detail"] for r in unknown]
        assert [r.headers.get("retry-after") for r in known] == [r.headers.get("retry-after") for r in unknown]


async def test_password_spraying_slows_the_spraying_address_only(from_address: From, clock: FakeClock) -> None:
    names = [f"user-{i:02d}" for i in range(8)] + ["isr-duty", "syr-super"]
    async with from_address(ATTACKER) as attacker, from_address(OFFICE) as office:
        for name in names:  # one guess each: no account is tried twice
            assert (await login(attacker, name, "Winter2026!!")).status_code == 401
        r = await login(attacker, "usa-duty")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert (await login(office, "usa-duty")).status_code == 200
        assert (await login(office, "isr-duty")).status_code == 200
        clock.advance(seconds=int(r.headers["retry-after"]))
        assert (await login(attacker, "usa-duty")).status_code == 200


async def test_a_forged_forwarded_header_from_an_untrusted_client_changes_nothing(
        from_address: From, service: Hotline) -> None:
    assert service.settings.trusted_proxies == ()
    async with from_address(ATTACKER) as attacker:
        for i in range(5):  # each guess claims another address
            r = await login(attacker, "isr-duty", "wrong-password-x", **{"x-forwarded-for": f"198.18.0.{i}"})
            assert r.status_code == 401
        r = await login(attacker, "isr-duty", "wrong-password-x", **{"x-forwarded-for": OFFICE})
        assert r.status_code == 429  # still counted against the attacker's own address
    async with from_address(OFFICE) as office:
        assert (await login(office, "isr-duty")).status_code == 200


async def test_a_trusted_proxy_names_the_client(from_address: From, service: Hotline) -> None:
    service.settings.trusted_proxies = ("10.0.0.0/8",)
    async with from_address(PROXY) as proxy:
        for _ in range(5):
            r = await login(proxy, "isr-duty", "wrong-password-y", **{"x-forwarded-for": ATTACKER})
            assert r.status_code == 401
        # The attacker's own forged entry to the left of what the proxy appended is not believed.
        r = await login(proxy, "isr-duty", "wrong-password-y", **{"x-forwarded-for": f"{OFFICE}, {ATTACKER}"})
        assert r.status_code == 429
        # Another client behind the same proxy is another address: isr-duty signs in.
        r = await login(proxy, "isr-duty", **{"x-forwarded-for": OFFICE})
        assert r.status_code == 200
        # Through a chain of trusted proxies, the first address that is not one is the client.
        r = await login(proxy, "isr-duty", **{"x-forwarded-for": f"{ATTACKER}, 10.9.9.9"})
        assert r.status_code == 429


async def test_every_throttle_decision_is_logged_with_its_key_and_no_password(
        from_address: From, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hotline.auth.throttle")
    async with from_address(ATTACKER) as attacker:
        for _ in range(6):
            await login(attacker, "isr-duty", "secret-guess-1234")
        await login(attacker, "syr-duty")
    text = caplog.text
    assert "refused key=account:isr-duty@203.0.113.9" in text
    assert "failure counted key=account:isr-duty@203.0.113.9" in text
    assert "allowed key=account:syr-duty@203.0.113.9" in text
    assert "cleared key=account:syr-duty@203.0.113.9" in text
    assert "secret-guess" not in text and DEMO_PASSWORD not in text


async def test_an_ipv6_client_is_counted_by_its_64_so_rotating_addresses_gains_nothing(from_address: From) -> None:
    for i in range(5):
        async with from_address(f"2001:db8:1:2::{i + 1:x}") as guesser:
            assert (await login(guesser, "isr-duty", "wrong-password-6")).status_code == 401
    async with from_address("2001:db8:1:2::ffff") as guesser:
        assert (await login(guesser, "isr-duty", "wrong-password-6")).status_code == 429
    async with from_address("2001:db8:1:3::1") as neighbour:
        assert (await login(neighbour, "isr-duty")).status_code == 200
