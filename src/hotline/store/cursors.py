"""Per-party cursors: each party's own gapless numbering of the events it may read.

A party's cursor ``pseq`` maps to the ledger's global ``seq``; both grow together, so a party's events
in cursor order are in ledger order. Rows are written in the transaction that appends the events
(``append_cursors``), which is what makes a cursor the same on every server process. Which parties
may read an event is decided above the store; here it is rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.ledger.envelope import Event

from .database import Database
from .ledger import WriteConn, event_from_row
from .schema import cursor_heads, cursors, events, meta
from .sqlite_writer import inline_sqlite

__all__ = ["THROUGH_KEY", "append_cursors", "cursor_heads_of", "cursors_through", "cursors_of", "read_party_events",
           "seq_to_cursor", "cursor_to_seq", "exact_seq", "last_cursor"]

# The meta key holding the global seq up to which every event has its readers' cursors.
THROUGH_KEY = "cursors_through"


async def cursor_heads_of(conn: WriteConn) -> dict[str, int]:
    """The last cursor given to each party."""
    if (raw := inline_sqlite(conn)) is not None:  # the SQLite writer's own connection (store/ledger.py)
        return {r[0]: int(r[1]) for r in raw.execute("SELECT party, length FROM cursor_heads")}
    return {r.party: r.length for r in (await cast(AsyncConnection, conn).execute(select(cursor_heads))).all()}


async def cursors_through(conn: AsyncConnection) -> int:
    value = await conn.scalar(select(meta.c.value).where(meta.c.key == THROUGH_KEY))
    return 0 if value is None else int(orjson.loads(value))


async def append_cursors(db: Database, conn: WriteConn, rows: Sequence[tuple[str, int, int]],
                         heads: dict[str, int], through: int) -> None:
    """Write (party, pseq, seq) rows, the parties' new heads and the seq they are assigned through."""
    if (raw := inline_sqlite(conn)) is not None:  # the SQLite writer's own connection (store/ledger.py)
        raw.executemany("INSERT INTO cursors (party, pseq, seq) VALUES (?, ?, ?)", rows)
        raw.executemany("INSERT INTO cursor_heads (party, length) VALUES (?, ?) ON CONFLICT (party) "
                        "DO UPDATE SET length = excluded.length",
                        [(p, heads[p]) for p in sorted({p for p, _, _ in rows})])
        raw.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                    "DO UPDATE SET value = excluded.value", (THROUGH_KEY, str(through)))
        return
    conn = cast(AsyncConnection, conn)
    if rows:
        await conn.execute(cursors.insert(), [{"party": p, "pseq": c, "seq": s} for p, c, s in rows])
        touched = {p for p, _, _ in rows}
        await db.upsert(conn, cursor_heads, [{"party": p, "length": heads[p]} for p in sorted(touched)],
                        key=["party"])
    await db.upsert(conn, meta, [{"key": THROUGH_KEY, "value": str(through)}], key=["key"])


async def read_party_events(conn: AsyncConnection, party: str, channels: Iterable[str], *, after: int,
                            limit: int) -> list[tuple[int, Event]]:
    """(cursor, event) of ``party`` after cursor ``after``, in order, only of ``channels``."""
    chans = sorted(channels)
    if not chans:
        return []
    q = (select(events, cursors.c.pseq).join(cursors, cursors.c.seq == events.c.seq)
         .where(cursors.c.party == party, cursors.c.pseq > after, events.c.channel.in_(chans))
         .order_by(cursors.c.pseq).limit(limit))
    return [(r.pseq, event_from_row(r)) for r in (await conn.execute(q)).all()]


async def cursors_of(conn: AsyncConnection, first: int, last: int) -> dict[int, dict[str, int]]:
    """Per global seq in ``first..last``, each reader's cursor (what a process tailing the ledger
    needs to deliver events it did not write)."""
    q = select(cursors.c.seq, cursors.c.party, cursors.c.pseq).where(cursors.c.seq >= first, cursors.c.seq <= last)
    out: dict[int, dict[str, int]] = {}
    for r in (await conn.execute(q)).all():
        out.setdefault(r.seq, {})[r.party] = r.pseq
    return out


async def seq_to_cursor(conn: AsyncConnection, party: str, seqs: Iterable[int]) -> dict[int, int]:
    """``party``'s cursor of each of ``seqs`` it may read (the others are absent)."""
    wanted = sorted(set(seqs))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 500):
        q = select(cursors.c.seq, cursors.c.pseq).where(cursors.c.party == party,
                                                        cursors.c.seq.in_(wanted[start:start + 500]))
        found.update({r.seq: r.pseq for r in (await conn.execute(q)).all()})
    return found


async def cursor_to_seq(conn: AsyncConnection, party: str, pseq: int) -> int | None:
    """The global seq of ``party``'s first event at or after cursor ``pseq`` (None: none yet)."""
    q = (select(cursors.c.seq).where(cursors.c.party == party, cursors.c.pseq >= pseq)
         .order_by(cursors.c.pseq).limit(1))
    value: int | None = await conn.scalar(q)
    return value


async def exact_seq(conn: AsyncConnection, party: str, pseq: int) -> int | None:
    """The global seq of ``party``'s event ``pseq`` (None: it has no such cursor)."""
    value: int | None = await conn.scalar(select(cursors.c.seq).where(cursors.c.party == party,
                                                                      cursors.c.pseq == pseq))
    return value


async def last_cursor(conn: AsyncConnection, party: str) -> int:
    return int(await conn.scalar(select(func.coalesce(func.max(cursors.c.pseq), 0))
                                 .where(cursors.c.party == party)) or 0)
