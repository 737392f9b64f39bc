"""One write transaction of the writer: load, seal, project, hand rows to the store.

Commands load aggregate state through a ``UnitOfWork``; their decisions are staged (sealed in the
ledger's one way, and projected by each aggregate kind's ``evolve``, ``next_due`` and ``awaiting``) and
``flush`` hands the store the event rows, chain heads, projection rows and each reader's cursor of every
event (``readers``: the parties that may read a channel) to write together. Several
commands share one unit of work: that is the group commit. The projecting lives here, not in the
store, so the store stays a store and the domain's rules stay in the layer that runs them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.domain.aggregates import KINDS
from hotline.domain.events import Pending
from hotline.domain.timefmt import iso
from hotline.ledger.envelope import GENESIS, Event
from hotline.ledger.seal import ChainHead, seal
from hotline.store.cursors import append_cursors, cursor_heads_of
from hotline.store.database import Database
from hotline.store.ledger import AggregateRow, WriteConn, append, chain_heads, last_seq, read_aggregate_rows
from hotline.store.sqlite_writer import inline_sqlite

__all__ = ["UnitOfWork"]

State = dict[str, Any]


Readers = Callable[[str], Iterable[str]]


class UnitOfWork:
    def __init__(self, db: Database, conn: AsyncConnection, now: datetime, readers: Readers | None = None) -> None:
        self.db = db
        self.readers = readers
        self.conn = conn  # for commands that run their own statements in this transaction
        # The unit's own statements: on SQLite's writer, the ``sqlite3`` connection under ``conn``.
        self._store: WriteConn = inline_sqlite(conn) or conn
        self.now = now
        self.ts = iso(now)
        self._next_seq = 0
        self._heads: dict[str, tuple[int, str]] = {}
        self._states: dict[str, tuple[str, str, State | None]] = {}  # id -> (kind, channel, state)
        self._dirty: dict[str, int] = {}  # aggregate id -> version
        self._created: dict[str, int] = {}  # aggregate id -> seq of its first event, for new ones
        self.staged: list[Event] = []
        self._payload_texts: dict[int, str] = {}  # seq -> canonical payload text, as hashed
        self._cursor_heads: dict[str, int] = {}
        # seq -> {party: its cursor}, for every staged event and every party that may read it.
        self.cursors: dict[int, dict[str, int]] = {}
        # The earliest timer among the projections this unit wrote: the timers need waking only if
        # it is sooner than what they already sleep towards.
        self.earliest_due: str | None = None

    async def begin(self) -> None:
        self._next_seq = await last_seq(self._store)
        self._heads = await chain_heads(self._store)
        if self.readers is not None:
            self._cursor_heads = await cursor_heads_of(self._store)

    def peek(self, agg_id: str) -> State | None:
        """The staged state of an aggregate this unit of work has loaded or changed (read only: staging
        never mutates a state in place, it evolves a copy)."""
        entry = self._states.get(agg_id)
        return None if entry is None else entry[2]

    async def preload(self, ids: Iterable[str]) -> None:
        """Read the aggregates a batch will need in one query instead of one each."""
        wanted = {i for i in ids if i and i not in self._states}
        found = await read_aggregate_rows(self._store, wanted)
        for agg_id in wanted:
            self._states[agg_id] = found.get(agg_id, ("", "", None))

    async def load(self, kind: str, agg_id: str) -> State | None:
        """The aggregate's state as of everything staged so far (a copy: decisions never mutate it)."""
        if agg_id not in self._states:
            found = await read_aggregate_rows(self._store, [agg_id])
            self._states[agg_id] = found.get(agg_id, (kind, "", None))
        found_kind, _, state = self._states[agg_id]
        if state is None or found_kind != kind:
            return None
        return copy.deepcopy(state)

    def stage(self, decided: Sequence[Pending]) -> list[Event]:
        """Give the decided events their place in the ledger; all of them or, on error, none."""
        seq = self._next_seq
        heads = dict(self._heads)
        states: dict[str, tuple[str, str, State | None]] = {}
        created: dict[str, int] = {}
        payload_texts: dict[int, str] = {}
        cursor_heads = dict(self._cursor_heads)
        cursors: dict[int, dict[str, int]] = {}
        out: list[Event] = []
        for p in decided:
            seq += 1
            if self.readers is not None:
                mine = cursors[seq] = {}
                for party in self.readers(p.channel):
                    mine[party] = cursor_heads[party] = cursor_heads.get(party, 0) + 1
            length, head = heads.get(p.channel, (0, GENESIS))
            sealed = seal(p, ChainHead(length, head), seq, self.ts)
            ev = sealed.event
            payload_texts[seq] = sealed.payload_text
            heads[p.channel] = (length + 1, ev.hash)
            if p.aggregate is not None:
                kind, agg_id = p.aggregate
                prior = states.get(agg_id) or self._states.get(agg_id)
                state = copy.deepcopy(prior[2]) if prior and prior[2] is not None else None
                if state is None:
                    created[agg_id] = seq
                states[agg_id] = (kind, p.channel, KINDS[kind].evolve(state, ev.to_dict()))
            out.append(ev)
        self._next_seq = seq
        self._heads = heads
        self._cursor_heads = cursor_heads
        self.cursors.update(cursors)
        for agg_id, entry in states.items():
            self._states[agg_id] = entry
            self._dirty[agg_id] = seq
        self._created.update(created)
        self._payload_texts.update(payload_texts)
        self.staged.extend(out)
        return out

    def _rows(self) -> list[AggregateRow]:
        rows = []
        for agg_id, version in self._dirty.items():
            kind, channel, state = self._states[agg_id]
            assert state is not None
            aggregate = KINDS[kind]
            due = aggregate.next_due(state)
            if due is not None and (self.earliest_due is None or due < self.earliest_due):
                self.earliest_due = due
            rows.append(AggregateRow(agg_id, kind, channel, state, self._created.get(agg_id, version), version,
                                     due, tuple(aggregate.awaiting(state))))
        return rows

    async def flush(self) -> None:
        if not self.staged:
            return
        await append(self.db, self._store, [(e, self._payload_texts[e.seq]) for e in self.staged], self._heads,
                     self._rows())
        if self.readers is not None:
            await append_cursors(self.db, self._store, [(party, cursor, seq) for seq, mine in self.cursors.items()
                                                      for party, cursor in mine.items()],
                                 self._cursor_heads, self._next_seq)
