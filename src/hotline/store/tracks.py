"""Track points in SQL: append, read a window, take the unsealed ones, mark a batch sealed."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import track_points
from .sqlite_writer import inline_sqlite

__all__ = ["append", "append_rows", "window", "unsealed", "mark_sealed", "batch_points", "all_sealed"]


async def append(conn: AsyncConnection, rows: Iterable[Mapping[str, Any]]) -> int:
    """``rows``: dicts with uid, party, channel, time_ms and point (the canonical JSON text)."""
    values = [dict(r) for r in rows]
    if values:
        await conn.execute(track_points.insert(), values)
    return len(values)


async def window(conn: AsyncConnection, channels: Collection[str], *, uid: str | None, start_ms: int, end_ms: int,
                 limit: int) -> list[dict[str, Any]]:
    c = track_points.c
    q = select(c.point).where(c.channel.in_(list(channels)), c.time_ms >= start_ms, c.time_ms <= end_ms)
    if uid is not None:
        q = q.where(c.uid == uid)
    rows = (await conn.execute(q.order_by(c.time_ms, c.id).limit(limit))).all()
    return [orjson.loads(r[0]) for r in rows]


async def unsealed(conn: AsyncConnection, limit: int) -> list[tuple[int, str, str, str]]:
    """(id, party, channel, point text) of points not yet in a batch, in id order."""
    c = track_points.c
    rows = (await conn.execute(select(c.id, c.party, c.channel, c.point).where(c.batch.is_(None))
                               .order_by(c.id).limit(limit))).all()
    return [(int(r[0]), r[1], r[2], r[3]) for r in rows]


async def mark_sealed(conn: AsyncConnection, batch_id: str, ids: list[int]) -> None:
    for i in range(0, len(ids), 500):
        await conn.execute(update(track_points).where(track_points.c.id.in_(ids[i:i + 500]))
                           .values(batch=batch_id))


async def batch_points(conn: AsyncConnection, batch_id: str) -> list[str]:
    c = track_points.c
    return [r[0] for r in (await conn.execute(select(c.point).where(c.batch == batch_id).order_by(c.id))).all()]


async def all_sealed(conn: AsyncConnection) -> list[tuple[str, str]]:
    """(batch id, point text) of every sealed point, by batch then id: what the export carries."""
    c = track_points.c
    rows = (await conn.execute(select(c.batch, c.point).where(c.batch.is_not(None)).order_by(c.batch, c.id))).all()
    return [(r[0], r[1]) for r in rows]


_APPEND = {
    "qmark": "INSERT INTO track_points (uid, party, channel, time_ms, point) VALUES (?, ?, ?, ?, ?)",
    "numeric_dollar": "INSERT INTO track_points (uid, party, channel, time_ms, point) VALUES ($1, $2, $3, $4, $5)",
}


async def append_rows(conn: AsyncConnection, rows: Iterable[tuple[str, str, str, int, str]]) -> int:
    """``rows``: (uid, party, channel, time_ms, point text) tuples, handed to the driver's executemany as
    they are: at thousands of points a second, building a dict per row and letting SQLAlchemy bind each
    one costs more than the insert itself. On the SQLite writer's own connection (``inline_sqlite``,
    as ``store/ledger.py`` does) ``rows`` may be an iterator, consumed as the rows are inserted, in the
    transaction SQLAlchemy began."""
    if (raw := inline_sqlite(conn)) is not None:
        return int(raw.executemany(_APPEND["qmark"], rows).rowcount)
    rows = list(rows)
    if not rows:
        return 0
    sql = _APPEND.get(conn.dialect.paramstyle)
    if sql is None:
        return await append(conn, [dict(zip(("uid", "party", "channel", "time_ms", "point"), r, strict=True))
                                   for r in rows])
    await conn.exec_driver_sql(sql, rows)
    return len(rows)
