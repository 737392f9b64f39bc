"""Failed logins in SQL: the throttle's shared memory. The policy lives in ``hotline.service.login_throttle``."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import login_failures

__all__ = ["Tally", "tally", "record", "clear_pair", "purge"]


class Tally(NamedTuple):
    """Failures since a moment: of one account from one address, and of every account from that address."""

    pair: int  # failures of this account from this address
    pair_last_ms: int | None
    accounts: int  # distinct accounts that failed from this address
    address_last_ms: int | None


async def tally(conn: AsyncConnection, username: str, address: str, since_ms: int) -> Tally:
    recent = (login_failures.c.address == address, login_failures.c.at_ms > since_ms)
    pair = (await conn.execute(select(func.count(), func.max(login_failures.c.at_ms))
                               .where(*recent, login_failures.c.username == username))).one()
    spread = (await conn.execute(select(func.count(func.distinct(login_failures.c.username)),
                                        func.max(login_failures.c.at_ms)).where(*recent))).one()
    return Tally(int(pair[0]), pair[1], int(spread[0]), spread[1])


async def record(conn: AsyncConnection, username: str, address: str, at_ms: int) -> None:
    await conn.execute(login_failures.insert().values(username=username, address=address, at_ms=at_ms))


async def clear_pair(conn: AsyncConnection, username: str, address: str) -> None:
    await conn.execute(delete(login_failures).where(login_failures.c.username == username,
                                                    login_failures.c.address == address))


async def purge(conn: AsyncConnection, before_ms: int) -> None:
    await conn.execute(delete(login_failures).where(login_failures.c.at_ms < before_ms))
