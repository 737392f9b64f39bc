"""The ledger's tables: appending sealed events with their projection rows, and reading them back.

The store only stores. Sealing is the ledger's (``hotline.ledger.seal``) and projecting is the
service's (``hotline.service.unit_of_work``): what arrives here is rows, written in one transaction
(events, chain heads, aggregate rows), and what leaves is rows. Nothing here knows a domain rule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.ledger.envelope import Event

from .database import Database
from .schema import aggregates, chains, events
from .sqlite_writer import inline_sqlite

__all__ = ["WriteConn", "AggregateRow", "append", "read_aggregate_rows", "read_events", "load_aggregate",
           "list_aggregates", "event_from_row", "chain_heads", "count_awaiting", "list_awaiting", "due_aggregates",
           "next_due_at", "last_seq", "has_versions", "NOTIFY_CHANNEL"]


# A write transaction's connection: SQLAlchemy's, or the ``sqlite3`` connection under the SQLite writer's
# (``inline_sqlite``), which the writer's unit of work finds once per batch instead of once per statement.
WriteConn = AsyncConnection | sqlite3.Connection

# The notification each appending transaction sends at commit (see hotline.realtime.tailer).
NOTIFY_CHANNEL = "hotline_ledger"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


# The writer's statements as plain SQL for its inline ``sqlite3`` connection (see ``inline_sqlite``):
# the same statements SQLAlchemy would compile from the schema, written once. PostgreSQL and the
# readers go through SQLAlchemy as before.
_SQL_INSERT_EVENTS = ("INSERT INTO events (seq, v, channel, chain_index, ts, type, party, actor, payload, prev_hash, "
                      "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SQL_UPSERT_CHAINS = ("INSERT INTO chains (channel, length, head_hash) VALUES (?, ?, ?) ON CONFLICT (channel) "
                      "DO UPDATE SET length = excluded.length, head_hash = excluded.head_hash")
_SQL_UPSERT_AGGREGATES = (
    "INSERT INTO aggregates (id, kind, channel, state, created, version, due_at, awaiting) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
    "channel = excluded.channel, state = excluded.state, version = excluded.version, "
    "due_at = excluded.due_at, awaiting = excluded.awaiting")  # ``created`` stays the first event's


def _awaiting_text(parties: Sequence[str]) -> str:
    # ``awaiting`` is stored as ",isr,syr," so "waits for isr" is one LIKE on an indexed column.
    return "".join(f",{p}" for p in parties) + ","


@dataclass(frozen=True, slots=True)
class AggregateRow:
    """One projection row: the state an aggregate's events led to, and what the timers and inboxes
    query it by (its next due time, the parties it waits for)."""

    id: str
    kind: str
    channel: str
    state: dict[str, Any]
    created: int  # seq of its first event
    version: int  # seq of its latest event
    due_at: str | None = None
    awaiting: tuple[str, ...] = ()


async def read_aggregate_rows(conn: WriteConn, ids: Iterable[str]
                              ) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """(kind, channel, state) of each id that has a row, read in as few queries as the ids allow."""
    wanted = sorted(set(ids))
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    raw = inline_sqlite(conn)
    for start in range(0, len(wanted), 500):
        if raw is not None:
            part = wanted[start:start + 500]
            cursor = raw.execute(f"SELECT id, kind, channel, state FROM aggregates WHERE id IN "  # noqa: S608 (only ?s)
                                 f"({', '.join('?' for _ in part)})", part)
            found.update({r[0]: (r[1], r[2], orjson.loads(r[3])) for r in cursor.fetchall()})
            continue
        rows = (await cast(AsyncConnection, conn).execute(
            select(aggregates.c.id, aggregates.c.kind, aggregates.c.channel, aggregates.c.state)
            .where(aggregates.c.id.in_(wanted[start:start + 500])))).all()
        found.update({r.id: (r.kind, r.channel, orjson.loads(r.state)) for r in rows})
    return found


async def append(db: Database, conn: WriteConn, sealed: Sequence[tuple[Event, str]],
                 heads: dict[str, tuple[int, str]], rows: Sequence[AggregateRow]) -> None:
    """Write sealed events (each with its payload's canonical text, as hashed), the new heads of the
    chains they extend, and the projection rows they changed; the caller's transaction commits them."""
    if not sealed:
        return
    touched = {e.channel for e, _ in sealed}
    raw = inline_sqlite(conn)
    if raw is not None:  # SQLite's writer: one process, nobody to notify
        raw.executemany(_SQL_INSERT_EVENTS, [(e.seq, e.v, e.channel, e.chain_index, e.ts, e.type, e.party, e.actor,
                                              text, e.prev_hash, e.hash) for e, text in sealed])
        raw.executemany(_SQL_UPSERT_CHAINS, [(c, heads[c][0], heads[c][1]) for c in sorted(touched)])
        if rows:
            raw.executemany(_SQL_UPSERT_AGGREGATES, [
                (r.id, r.kind, r.channel, _json(r.state), r.created, r.version, r.due_at, _awaiting_text(r.awaiting))
                for r in rows])
        return
    conn = cast(AsyncConnection, conn)
    await db.notify(conn, NOTIFY_CHANNEL)
    await conn.execute(events.insert(), [{**e.to_dict(), "v": e.v, "payload": text} for e, text in sealed])
    await db.upsert(conn, chains, [{"channel": c, "length": heads[c][0], "head_hash": heads[c][1]}
                                   for c in touched], key=["channel"])
    if rows:
        await db.upsert(conn, aggregates, [
            {"id": r.id, "kind": r.kind, "channel": r.channel, "state": _json(r.state), "created": r.created,
             "version": r.version, "due_at": r.due_at, "awaiting": _awaiting_text(r.awaiting)}
            for r in rows], key=["id"], keep=["created"])


def event_from_row(row: Any) -> Event:
    return Event(seq=row.seq, channel=row.channel, chain_index=row.chain_index, ts=row.ts, type=row.type,
                 party=row.party, actor=row.actor, payload=orjson.loads(row.payload), prev_hash=row.prev_hash,
                 hash=row.hash, v=getattr(row, "v", 1))


async def has_versions(conn: AsyncConnection) -> bool:
    """Whether the events table has its ``v`` column (a database not yet migrated to 0007 has not; every
    event in it is version 1). Commands that only read, such as ``hotline verify``, must not migrate."""
    def check(sync_conn: Any) -> bool:
        return "v" in {c["name"] for c in inspect(sync_conn).get_columns("events")}
    return bool(await conn.run_sync(check))


async def read_events(conn: AsyncConnection, *, after: int, channels: Iterable[str] | None,
                      limit: int, versioned: bool = True) -> list[Event]:
    """Events after ``after`` in seq order, only of ``channels`` (None: all, for verification).
    ``versioned=False`` reads a database without the ``v`` column (see ``has_versions``)."""
    cols = events.c if versioned else [c for c in events.c if c.name != "v"]
    q = select(*cols).where(events.c.seq > after).order_by(events.c.seq).limit(limit)
    if channels is not None:
        chans = sorted(channels)
        if not chans:
            return []
        q = q.where(events.c.channel.in_(chans))
    return [event_from_row(r) for r in (await conn.execute(q)).all()]


async def last_seq(conn: WriteConn) -> int:
    if (raw := inline_sqlite(conn)) is not None:
        return int(raw.execute("SELECT max(seq) FROM events").fetchone()[0] or 0)
    return (await cast(AsyncConnection, conn).scalar(select(func.max(events.c.seq)))) or 0


async def chain_heads(conn: WriteConn) -> dict[str, tuple[int, str]]:
    if (raw := inline_sqlite(conn)) is not None:
        return {r[0]: (r[1], r[2]) for r in raw.execute("SELECT channel, length, head_hash FROM chains")}
    rows = (await cast(AsyncConnection, conn).execute(select(chains))).all()
    return {r.channel: (r.length, r.head_hash) for r in rows}


async def load_aggregate(conn: AsyncConnection, kind: str, agg_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(aggregates.c.state).where(
        aggregates.c.id == agg_id, aggregates.c.kind == kind))).first()
    return None if row is None else orjson.loads(row.state)


async def list_aggregates(conn: AsyncConnection, kind: str, channels: Iterable[str], *, limit: int = 200,
                          before: int | None = None) -> list[dict[str, Any]]:
    """Newest first by the seq that created them; ``before`` pages back."""
    chans = sorted(channels)
    if not chans:
        return []
    q = (select(aggregates.c.state).where(aggregates.c.kind == kind, aggregates.c.channel.in_(chans))
         .order_by(aggregates.c.created.desc()).limit(limit))
    if before is not None:
        q = q.where(aggregates.c.created < before)
    return [orjson.loads(r.state) for r in (await conn.execute(q)).all()]


async def count_awaiting(conn: AsyncConnection, kind: str, party: str, channels: Iterable[str]
                         ) -> dict[str, int]:
    """Per channel, how many aggregates of ``kind`` wait for an action of ``party``."""
    chans = sorted(channels)
    if not chans:
        return {}
    q = (select(aggregates.c.channel, func.count()).where(
        aggregates.c.kind == kind, aggregates.c.channel.in_(chans),
        aggregates.c.awaiting.like(f"%,{party},%")).group_by(aggregates.c.channel))
    return {r[0]: r[1] for r in (await conn.execute(q)).all()}


async def list_awaiting(conn: AsyncConnection, kind: str, party: str, channels: Iterable[str],
                        limit: int = 200) -> list[dict[str, Any]]:
    chans = sorted(channels)
    if not chans:
        return []
    q = (select(aggregates.c.state).where(
        aggregates.c.kind == kind, aggregates.c.channel.in_(chans),
        aggregates.c.awaiting.like(f"%,{party},%")).order_by(aggregates.c.created).limit(limit))
    return [orjson.loads(r.state) for r in (await conn.execute(q)).all()]


async def due_aggregates(conn: AsyncConnection, now_iso: str, limit: int = 500) -> list[tuple[str, str]]:
    q = (select(aggregates.c.kind, aggregates.c.id).where(aggregates.c.due_at.is_not(None),
                                                           aggregates.c.due_at <= now_iso)
         .order_by(aggregates.c.due_at).limit(limit))
    return [(r.kind, r.id) for r in (await conn.execute(q)).all()]


async def next_due_at(conn: AsyncConnection) -> str | None:
    due = await conn.scalar(select(func.min(aggregates.c.due_at)))
    return None if due is None else str(due)
