"""Appending to the ledger and reading it back.

``UnitOfWork`` is one write transaction: commands load aggregate state through it, their decisions are
staged (seq, chain link, hash, new aggregate state), and ``flush`` writes events, chain heads and
projections together. Several commands share one unit of work: that is the group commit.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.domain.aggregates import KINDS
from hotline.domain.events import Pending
from hotline.domain.timefmt import iso
from hotline.ledger.envelope import GENESIS, Event
from hotline.ledger.seal import ChainHead, seal

from .database import Database
from .schema import aggregates, chains, events

__all__ = ["UnitOfWork", "read_events", "load_aggregate", "list_aggregates", "event_from_row", "chain_heads",
           "count_awaiting", "list_awaiting", "due_aggregates", "next_due_at", "last_seq", "NOTIFY_CHANNEL"]


# The notification each appending transaction sends at commit (see hotline.realtime.tailer).
NOTIFY_CHANNEL = "hotline_ledger"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class UnitOfWork:
    def __init__(self, db: Database, conn: AsyncConnection, now: datetime) -> None:
        self.db = db
        self.conn = conn
        self.now = now
        self.ts = iso(now)
        self._next_seq = 0
        self._heads: dict[str, tuple[int, str]] = {}
        self._states: dict[str, tuple[str, str, dict[str, Any] | None]] = {}  # id -> (kind, channel, state)
        self._dirty: dict[str, int] = {}  # aggregate id -> version
        self._created: dict[str, int] = {}  # aggregate id -> seq of its first event, for new ones
        self.staged: list[Event] = []
        self._payload_texts: dict[int, str] = {}  # seq -> canonical payload text, as hashed
        # The earliest timer among the projections this unit wrote: the timers need waking only if
        # it is sooner than what they already sleep towards.
        self.earliest_due: str | None = None

    async def begin(self) -> None:
        self._next_seq = (await self.conn.scalar(select(func.max(events.c.seq)))) or 0
        rows = (await self.conn.execute(select(chains))).all()
        self._heads = {r.channel: (r.length, r.head_hash) for r in rows}

    def peek(self, agg_id: str) -> dict[str, Any] | None:
        """The staged state of an aggregate this unit of work has loaded or changed (read only: staging
        never mutates a state in place, it evolves a copy)."""
        entry = self._states.get(agg_id)
        return None if entry is None else entry[2]

    async def preload(self, ids: Iterable[str]) -> None:
        """Read the aggregates a batch will need in one query instead of one each."""
        wanted = sorted({i for i in ids if i and i not in self._states})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = (await self.conn.execute(
                select(aggregates.c.id, aggregates.c.kind, aggregates.c.channel, aggregates.c.state)
                .where(aggregates.c.id.in_(chunk)))).all()
            found = {r.id: (r.kind, r.channel, orjson.loads(r.state)) for r in rows}
            for agg_id in chunk:
                self._states[agg_id] = found.get(agg_id, ("", "", None))

    async def load(self, kind: str, agg_id: str) -> dict[str, Any] | None:
        """The aggregate's state as of everything staged so far (a copy: decisions never mutate it)."""
        if agg_id not in self._states:
            row = (await self.conn.execute(
                select(aggregates.c.kind, aggregates.c.channel, aggregates.c.state)
                .where(aggregates.c.id == agg_id))).first()
            if row is None:
                self._states[agg_id] = (kind, "", None)
            else:
                self._states[agg_id] = (row.kind, row.channel, orjson.loads(row.state))
        found_kind, _, state = self._states[agg_id]
        if state is None or found_kind != kind:
            return None
        return copy.deepcopy(state)

    def stage(self, decided: Sequence[Pending]) -> list[Event]:
        """Give the decided events their place in the ledger; all of them or, on error, none."""
        seq = self._next_seq
        heads = dict(self._heads)
        states: dict[str, tuple[str, str, dict[str, Any] | None]] = {}
        created: dict[str, int] = {}
        payload_texts: dict[int, str] = {}
        out: list[Event] = []
        for p in decided:
            seq += 1
            length, head = heads.get(p.channel, (0, GENESIS))
            sealed = seal(p, ChainHead(length, head), seq, self.ts)
            ev = sealed.event
            payload_texts[seq] = sealed.payload_text
            envelope = ev.to_dict()
            heads[p.channel] = (length + 1, ev.hash)
            if p.aggregate is not None:
                kind, agg_id = p.aggregate
                prior = states.get(agg_id) or self._states.get(agg_id)
                state = copy.deepcopy(prior[2]) if prior and prior[2] is not None else None
                if state is None:
                    created[agg_id] = seq
                states[agg_id] = (kind, p.channel, KINDS[kind].evolve(state, envelope))
            out.append(ev)
        self._next_seq = seq
        self._heads = heads
        for agg_id, entry in states.items():
            self._states[agg_id] = entry
            self._dirty[agg_id] = seq
        self._created.update(created)
        self._payload_texts.update(payload_texts)
        self.staged.extend(out)
        return out

    async def flush(self) -> None:
        if not self.staged:
            return
        await self.db.notify(self.conn, NOTIFY_CHANNEL)
        await self.conn.execute(events.insert(), [
            {**e.to_dict(), "payload": self._payload_texts[e.seq]} for e in self.staged])
        touched = {e.channel for e in self.staged}
        await self.db.upsert(self.conn, chains, [
            {"channel": c, "length": self._heads[c][0], "head_hash": self._heads[c][1]} for c in touched],
            key=["channel"])
        rows = []
        for agg_id, version in self._dirty.items():
            kind, channel, state = self._states[agg_id]
            assert state is not None
            due = KINDS[kind].next_due(state)
            if due is not None and (self.earliest_due is None or due < self.earliest_due):
                self.earliest_due = due
            rows.append({"id": agg_id, "kind": kind, "channel": channel, "state": _json(state),
                         "created": self._created.get(agg_id, version), "version": version,
                         "due_at": due,
                         "awaiting": "".join(f",{p}" for p in KINDS[kind].awaiting(state)) + ","})
        await self.db.upsert(self.conn, aggregates, rows, key=["id"], keep=["created"])


def event_from_row(row: Any) -> Event:
    return Event(seq=row.seq, channel=row.channel, chain_index=row.chain_index, ts=row.ts, type=row.type,
                 party=row.party, actor=row.actor, payload=orjson.loads(row.payload), prev_hash=row.prev_hash,
                 hash=row.hash)


async def read_events(conn: AsyncConnection, *, after: int, channels: Iterable[str] | None,
                      limit: int) -> list[Event]:
    """Events after ``after`` in seq order, only of ``channels`` (None: all, for verification)."""
    q = select(events).where(events.c.seq > after).order_by(events.c.seq).limit(limit)
    if channels is not None:
        chans = sorted(channels)
        if not chans:
            return []
        q = q.where(events.c.channel.in_(chans))
    return [event_from_row(r) for r in (await conn.execute(q)).all()]


async def last_seq(conn: AsyncConnection) -> int:
    return (await conn.scalar(select(func.max(events.c.seq)))) or 0


async def chain_heads(conn: AsyncConnection) -> dict[str, tuple[int, str]]:
    return {r.channel: (r.length, r.head_hash) for r in (await conn.execute(select(chains))).all()}


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
    return await conn.scalar(select(func.min(aggregates.c.due_at)))
