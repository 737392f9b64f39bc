"""Accounts and sessions, the way OWASP's cheat sheets ask.

- Passwords: argon2id (argon2-cffi's defaults), verified off the event loop.
- Sessions: an opaque random token (256 bits), stored only as its SHA-256, with an absolute expiry;
  logout revokes it server-side.
- Failed logins are slowed down per (account, address) and per address across accounts, in the
  database so that every server process counts them (``login_throttle``); the answer never says
  whether the account exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hotline.domain.access import Principal
from hotline.domain.errors import Invalid, NotFound, Unauthorized
from hotline.domain.timefmt import iso, parse_iso
from hotline.domain.world import ROLES, World
from hotline.store import accounts
from hotline.store.database import Database

from .login_throttle import LoginThrottle

__all__ = ["Auth", "Session", "token_hash", "hash_password", "MIN_PASSWORD"]

MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not tell who has an account.
_DUMMY = _hasher.hash("hotline-no-such-user-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    principal: Principal
    expires_at: datetime


class Auth:
    def __init__(self, db: Database, world: World, clock: Callable[[], datetime], *, ttl_s: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db, self.world, self.clock, self.ttl = db, world, clock, timedelta(seconds=ttl_s)
        self.monotonic = monotonic
        self.throttle = LoginThrottle(db, clock)
        # Successful lookups are cached for a moment to keep the hot path off the database; logout
        # and disabling a user clear this process's cache at once. Only on SQLite, where one server
        # process serves the database: on PostgreSQL another process may revoke the session, and it
        # is not told, so there every request reads the session.
        self._cache: dict[str, tuple[Principal, datetime, float]] = {}
        self.cache_s = 2.0 if db.is_sqlite else 0.0
        # Told when sessions end, so that open streams of a revoked session close at once.
        self.on_revoke: list[Callable[..., None]] = []

    async def add_user(self, username: str, password: str, *, party: str | None, role: str,
                       display_name: str = "", password_hash: str | None = None) -> None:
        """Add a user; ``password_hash`` (an argon2id hash of ``password``) saves hashing it again."""
        if role not in ROLES:
            raise Invalid(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", field="role")
        if role == "admin":
            party = None  # an admin manages accounts and speaks for no party
        elif party not in self.world.parties:
            raise Invalid(f"Unknown party {party!r}; this world has {', '.join(self.world.parties)}.",
                          field="party")
        _check_password(password)
        digest = password_hash or await asyncio.to_thread(_hasher.hash, password)
        async with self.db.writer_engine.begin() as conn:
            try:
                await accounts.insert_user(conn, {"username": username, "party": party, "role": role,
                                                  "display_name": display_name or username,
                                                  "password_hash": digest, "disabled": False,
                                                  "created_at": iso(self.clock())})
            except accounts.AccountExists as e:
                raise Invalid(f"A user named {username!r} already exists.", field="username") from e

    async def set_password(self, username: str, password: str, password_hash: str | None = None) -> None:
        _check_password(password)
        digest = password_hash or await asyncio.to_thread(_hasher.hash, password)
        async with self.db.writer_engine.begin() as conn:
            if not await accounts.update_user(conn, username, password_hash=digest):
                raise NotFound(f"No user named {username!r}.", field="username")
            await accounts.revoke_user_sessions(conn, username, iso(self.clock()))
        self._forget_user(username)

    async def set_disabled(self, username: str, disabled: bool = True) -> None:
        async with self.db.writer_engine.begin() as conn:
            if not await accounts.update_user(conn, username, disabled=disabled):
                raise NotFound(f"No user named {username!r}.", field="username")
            if disabled:
                await accounts.revoke_user_sessions(conn, username, iso(self.clock()))
        self._forget_user(username)

    async def login(self, username: str, password: str, client: str) -> Session:
        """``client`` is the address the login came from (behind a trusted proxy: the one it names)."""
        attempt = await self.throttle.admit(username, client)
        async with self.db.read() as conn:
            user = await accounts.get_user(conn, username)
        ok = await asyncio.to_thread(_verify, user["password_hash"] if user else _DUMMY, password)
        if not ok or user is None or user["disabled"]:
            self.throttle.failed(attempt)
            raise Unauthorized("Wrong username or password.")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + self.ttl
        async with self.db.writer_engine.begin() as conn:
            await self.throttle.succeeded(conn, attempt)
            await accounts.insert_session(conn, {"token_hash": token_hash(token), "username": username,
                                                 "created_at": iso(now), "expires_at": iso(expires)})
        return Session(token, Principal(username, user["party"], user["role"]), expires)

    async def logout(self, token: str) -> None:
        digest = token_hash(token)
        self._cache.pop(digest, None)
        async with self.db.writer_engine.begin() as conn:
            await accounts.revoke_session(conn, digest, iso(self.clock()))
        for listener in self.on_revoke:
            listener(session=digest)

    async def authenticate(self, token: str) -> Principal:
        digest = token_hash(token)
        now = self.clock()
        hit = self._cache.get(digest)
        if hit and self.monotonic() - hit[2] < self.cache_s and now < hit[1]:
            return hit[0]
        async with self.db.read() as conn:
            row = await accounts.get_session(conn, digest)
        if row is None or row["revoked_at"] is not None or row["disabled"]:
            raise Unauthorized("Your session is not valid; log in again.")
        expires = parse_iso(row["expires_at"])
        if now >= expires:
            raise Unauthorized("Your session has expired; log in again.")
        who = Principal(row["username"], row["party"], row["role"])
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (who, expires, self.monotonic())
        return who

    async def users(self) -> list[dict[str, Any]]:
        async with self.db.read() as conn:
            rows = await accounts.list_users(conn)
        return [{k: v for k, v in r.items() if k != "password_hash"} for r in rows]

    def _forget_user(self, username: str) -> None:
        for listener in self.on_revoke:
            listener(identity=username)
        for digest in [d for d, (p, _, _) in self._cache.items() if p.username == username]:
            del self._cache[digest]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"A password needs at least {MIN_PASSWORD} characters.", field="password")
    if len(password) > 1024:
        raise Invalid("A password has at most 1024 characters.", field="password")


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
