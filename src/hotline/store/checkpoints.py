"""Reading and writing signed checkpoints and cosignatures, and the server's signing key.

The "agreed record" of a channel is a query, not a stored flag: the newest checkpoint that every member
party has cosigned. Nothing can be marked agreed without the cosignature rows that make it so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database
from .schema import checkpoints, cosignatures, events, meta

__all__ = ["insert_checkpoint", "latest_checkpoints", "list_checkpoints", "find_checkpoint", "insert_cosignature",
           "agreed_checkpoint", "cosignatures_of", "get_meta", "set_meta", "event_row", "leaves",
           "all_checkpoints", "all_cosignatures", "cosigned_sizes"]

_SORT = orjson.OPT_SORT_KEYS


async def insert_checkpoint(conn: AsyncConnection, row: dict[str, Any]) -> int:
    result = await conn.execute(checkpoints.insert().values(**row))
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


async def latest_checkpoints(conn: AsyncConnection, channels: Iterable[str] | None = None) -> dict[str, Any]:
    """The newest checkpoint row of each channel (by issue order)."""
    newest = select(checkpoints.c.channel, func.max(checkpoints.c.id).label("id")).group_by(checkpoints.c.channel)
    if channels is not None:
        newest = newest.where(checkpoints.c.channel.in_(sorted(channels)))
    sub = newest.subquery()
    q = select(checkpoints).join(sub, checkpoints.c.id == sub.c.id)
    return {r.channel: r for r in (await conn.execute(q)).all()}


async def list_checkpoints(conn: AsyncConnection, channel: str, *, after_size: int = -1, limit: int = 100
                           ) -> list[Any]:
    q = (select(checkpoints).where(checkpoints.c.channel == channel, checkpoints.c.size > after_size)
         .order_by(checkpoints.c.size, checkpoints.c.id).limit(limit))
    return list((await conn.execute(q)).all())


async def find_checkpoint(conn: AsyncConnection, channel: str, size: int, root_hex: str) -> Any | None:
    q = select(checkpoints).where(checkpoints.c.channel == channel, checkpoints.c.size == size,
                                  checkpoints.c.root_hash == root_hex).order_by(checkpoints.c.id.desc())
    return (await conn.execute(q)).first()


async def insert_cosignature(conn: AsyncConnection, row: dict[str, Any]) -> bool:
    """False if this party already cosigned this checkpoint (a retry writes nothing)."""
    try:
        async with conn.begin_nested():
            await conn.execute(cosignatures.insert().values(**row))
    except IntegrityError:
        return False
    return True


async def agreed_checkpoint(conn: AsyncConnection, channel: str, members: Iterable[str]) -> Any | None:
    """The newest checkpoint of ``channel`` cosigned by every one of ``members`` (None if there is none)."""
    parties = sorted(set(members))
    if not parties:
        return None
    full = (select(cosignatures.c.checkpoint_id).where(cosignatures.c.channel == channel,
                                                       cosignatures.c.party.in_(parties))
            .group_by(cosignatures.c.checkpoint_id)
            .having(func.count(func.distinct(cosignatures.c.party)) == len(parties)))
    q = (select(checkpoints).where(checkpoints.c.id.in_(full))
         .order_by(checkpoints.c.size.desc(), checkpoints.c.id.desc()).limit(1))
    return (await conn.execute(q)).first()


async def cosigned_sizes(conn: AsyncConnection, channel: str) -> dict[str, int]:
    """Per party, the largest checkpoint size it cosigned in ``channel``."""
    q = (select(cosignatures.c.party, func.max(cosignatures.c.size)).where(cosignatures.c.channel == channel)
         .group_by(cosignatures.c.party))
    return {r[0]: int(r[1]) for r in (await conn.execute(q)).all()}


async def cosignatures_of(conn: AsyncConnection, checkpoint_id: int) -> list[Any]:
    q = select(cosignatures).where(cosignatures.c.checkpoint_id == checkpoint_id).order_by(cosignatures.c.party)
    return list((await conn.execute(q)).all())


async def all_checkpoints(conn: AsyncConnection) -> list[Any]:
    return list((await conn.execute(select(checkpoints).order_by(checkpoints.c.id))).all())


async def all_cosignatures(conn: AsyncConnection) -> list[Any]:
    return list((await conn.execute(select(cosignatures))).all())


async def get_meta(conn: AsyncConnection, key: str) -> str | None:
    value: str | None = await conn.scalar(select(meta.c.value).where(meta.c.key == key))
    return value


async def set_meta(db: Database, conn: AsyncConnection, key: str, value: str) -> None:
    await db.upsert(conn, meta, [{"key": key, "value": value}], key=["key"])


async def event_row(conn: AsyncConnection, seq: int) -> Any | None:
    q = select(events.c.seq, events.c.channel, events.c.chain_index, events.c.hash).where(events.c.seq == seq)
    return (await conn.execute(q)).first()


async def leaves(db: Database, *, page: int = 20_000) -> AsyncIterator[tuple[int, str, bytes]]:
    """(seq, channel, leaf data) of every event in seq order, for rebuilding the trees at start.

    The leaf is ``leaf_data(event)`` (the envelope, without ``seq`` from version 2 on). The payload
    column already holds the payload's canonical JSON, so it is spliced in as it is instead of being
    parsed and encoded again: rebuilding costs one
    small orjson call per event. The other fields are ASCII or BMP strings, ints and nulls, for which
    sorted-key orjson output is RFC 8785.
    """
    after = 0
    cols = [events.c[name] for name in ("seq", "channel", "chain_index", "ts", "type", "party", "actor",
                                        "payload", "prev_hash", "hash", "v")]
    while True:
        async with db.read() as conn:
            rows = (await conn.execute(select(*cols).where(events.c.seq > after).order_by(events.c.seq)
                                       .limit(page))).all()
        for r in rows:
            leaf = {"channel": r.channel, "chain_index": r.chain_index, "ts": r.ts, "type": r.type,
                    "party": r.party, "actor": r.actor, "payload": orjson.Fragment(r.payload),
                    "prev_hash": r.prev_hash, "hash": r.hash}
            if r.v == 1:
                leaf["seq"] = r.seq
            else:
                leaf["v"] = r.v
            data = orjson.dumps(leaf, option=_SORT)
            yield r.seq, r.channel, data
        if len(rows) < page:
            return
        after = rows[-1].seq
