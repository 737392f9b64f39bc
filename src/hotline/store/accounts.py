"""Users and sessions in SQL. Hashing and policy live in ``hotline.service.auth``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import sessions, users

__all__ = ["AccountExists", "get_user", "insert_user", "update_user", "list_users", "insert_session",
           "get_session", "revoke_session", "revoke_user_sessions"]


class AccountExists(Exception):
    pass


async def get_user(conn: AsyncConnection, username: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(users).where(users.c.username == username))).first()
    return None if row is None else dict(row._mapping)


async def list_users(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(select(users).order_by(users.c.party, users.c.username))).all()
    return [dict(r._mapping) for r in rows]


async def insert_user(conn: AsyncConnection, row: dict[str, Any]) -> None:
    try:
        await conn.execute(users.insert().values(**row))
    except IntegrityError as e:
        raise AccountExists(row["username"]) from e


async def update_user(conn: AsyncConnection, username: str, **values: Any) -> bool:
    result = await conn.execute(update(users).where(users.c.username == username).values(**values))
    return bool(result.rowcount)


async def insert_session(conn: AsyncConnection, row: dict[str, Any]) -> None:
    await conn.execute(sessions.insert().values(**row))


async def get_session(conn: AsyncConnection, token_hash: str) -> dict[str, Any] | None:
    q = (select(sessions, users.c.party, users.c.role, users.c.disabled, users.c.display_name)
         .join(users, users.c.username == sessions.c.username)
         .where(sessions.c.token_hash == token_hash))
    row = (await conn.execute(q)).first()
    return None if row is None else dict(row._mapping)


async def revoke_session(conn: AsyncConnection, token_hash: str, now_iso: str) -> None:
    await conn.execute(update(sessions).where(sessions.c.token_hash == token_hash,
                                              sessions.c.revoked_at.is_(None)).values(revoked_at=now_iso))


async def revoke_user_sessions(conn: AsyncConnection, username: str, now_iso: str) -> None:
    await conn.execute(update(sessions).where(sessions.c.username == username,
                                              sessions.c.revoked_at.is_(None)).values(revoked_at=now_iso))
