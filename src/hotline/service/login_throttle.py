"""The login throttle: slows a password guesser without locking out the officer it targets.

Two keys, both about the address a login comes from (an attacker can pick the account he names, not
the address the server sees):

- ``account@address``: after ``free`` failures of one account from one address, each further try of
  that account from that address waits 2^(n-free) s, at most ``cap_s``. Guessing isr-duty's password
  from one address slows to a crawl; isr-duty signing in from any other address is not touched.
- ``address``: password spraying names many accounts from one address. After ``spray_free``
  distinct accounts failed there, every login from that address waits, doubling per further account.

There is no per-account key across addresses: that was the lockout weapon (a paced attack from
anywhere kept the real officer out). An address that has not failed is never made to wait.

Failures live in the database (``store.login_failures``), so the limits hold across server processes.
An attempt is recorded as a failure *before* the password is checked and cleared when it proves
right: concurrent guesses, through one process or several, see each other. Counts cover the last
``window_s``; older rows are purged. IPv6 clients are keyed by their /64, which one host usually holds.
Every decision is logged with its key (never a password): refusals and failures as warnings.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.domain.errors import TooMany
from hotline.store import login_failures as store
from hotline.store.database import Database

__all__ = ["Policy", "LoginThrottle", "Attempt", "address_key", "delay_s"]

log = logging.getLogger("hotline.auth.throttle")


@dataclass(frozen=True, slots=True)
class Policy:
    free: int = 5  # failures of one account from one address before each try waits
    spray_free: int = 10  # distinct accounts failed from one address before the address waits
    cap_s: float = 900.0
    # Failures are remembered this long. Longer than the cap, so that waiting out the cap does not
    # also age the count away: a paced guesser gets about one try per ``cap_s`` per address, not a
    # fresh ``free`` tries every window.
    window_s: float = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Attempt:
    username: str
    address: str


def address_key(address: str) -> str:
    """The address as the throttle counts it: IPv4 as is, IPv6 by its /64; anything else verbatim."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_s(failures: int, free: int, cap_s: float) -> float:
    """How long after the last failure the next try must wait: 0 while ``failures < free``, then doubling."""
    if failures < free:
        return 0.0
    return min(cap_s, 2.0 ** min(failures - free, 32))


class LoginThrottle:
    def __init__(self, db: Database, clock: Callable[[], datetime], policy: Policy | None = None) -> None:
        self.db, self.clock, self.policy = db, clock, policy or Policy()

    def _now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    async def admit(self, username: str, address: str) -> Attempt:
        """Let a login try go ahead (recorded as a failure until ``succeeded``), or raise ``TooMany``."""
        p = self.policy
        attempt = Attempt(username.lower()[:64], address_key(address))
        pair_key = f"account:{attempt.username}@{attempt.address}"
        now = self._now_ms()
        async with self.db.writer_engine.begin() as conn:
            await store.purge(conn, now - int(p.window_s * 1000))
            t = await store.tally(conn, attempt.username, attempt.address, now - int(p.window_s * 1000))
            waits = [(pair_key, t.pair, _left(t.pair_last_ms, delay_s(t.pair, p.free, p.cap_s), now)),
                     (f"address:{attempt.address}", t.accounts,
                      _left(t.address_last_ms, delay_s(t.accounts, p.spray_free, p.cap_s), now))]
            key, count, wait = max(waits, key=lambda w: w[2])
            if wait > 0:
                seconds = math.ceil(wait)
                log.warning("login throttle: refused key=%s count=%d retry_after=%ds", key, count, seconds)
                raise TooMany(f"Too many failed logins; try again in {seconds} seconds.", retry_after=seconds)
            await store.record(conn, attempt.username, attempt.address, now)
        log.info("login throttle: allowed key=%s failures=%d accounts_failed_from_address=%d",
                 pair_key, t.pair, t.accounts)
        return attempt

    async def succeeded(self, conn: AsyncConnection, attempt: Attempt) -> None:
        """The password was right: forget this account's failures from this address (in ``conn``'s
        transaction, the one that records the new session)."""
        await store.clear_pair(conn, attempt.username, attempt.address)
        log.info("login throttle: cleared key=account:%s@%s after a correct password",
                 attempt.username, attempt.address)

    def failed(self, attempt: Attempt) -> None:
        log.warning("login throttle: failure counted key=account:%s@%s (and key=address:%s)",
                    attempt.username, attempt.address, attempt.address)


def _left(last_ms: int | None, delay: float, now_ms: int) -> float:
    if last_ms is None or delay <= 0:
        return 0.0
    return max(0.0, (last_ms + delay * 1000 - now_ms) / 1000)
