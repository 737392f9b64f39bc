"""Per-party cursors: what a party reads is numbered in its own gapless sequence.

The ledger's global ``seq`` orders every event of every channel; a party that saw two of its events
with seqs 78 and 85 would know six events of channels it may not read came in between (between
adversaries, the tempo of the other side's talks with the mediator is itself intelligence). So every
party has its own sequence: the writer gives each event a cursor for every party that may read its
channel, in the event's own transaction (``UnitOfWork``), and the API and the stream speak only in
these. A party with several channels (the mediator) has one gapless sequence across them.

Events written before cursors existed get theirs at start (``assign_cursors``), by the world's channel
members then; from then on, by the members at write time. A party added to a channel later reads that
channel's events from then on only.

Read models still record the ledger seq of the events that made them (a message's ``seq``, an
acknowledgement's); ``localize`` turns them into the reader's cursors on the way out, and
``ledger_before`` turns a reader's cursor back into a bound on the ledger seq for paging.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from hotline.domain.access import Principal
from hotline.store.cursors import (
    append_cursors,
    cursor_heads_of,
    cursor_to_seq,
    cursors_through,
    exact_seq,
    seq_to_cursor,
)
from hotline.store.ledger import read_events

if TYPE_CHECKING:  # the service object imports this module to number events at start
    from .hotline import Hotline

__all__ = ["RecentCursors", "assign_cursors", "is_seq_key", "localize", "ledger_before", "ledger_seq"]

PAGE = 5000


async def assign_cursors(hl: Hotline) -> int:
    """Give every event past the cursors' high-water mark its readers' cursors; returns how many
    events were numbered. Each page is one write transaction under the ledger's lock, so processes
    starting together number each event once."""
    done = 0
    while True:
        async with hl.db.write() as conn:
            through = await cursors_through(conn)
            page = await read_events(conn, after=through, channels=None, limit=PAGE)
            if not page:
                return done
            heads = await cursor_heads_of(conn)
            rows: list[tuple[str, int, int]] = []
            for ev in page:
                for party in hl.readers(ev.channel):
                    heads[party] = heads.get(party, 0) + 1
                    rows.append((party, heads[party], ev.seq))
            await append_cursors(hl.db, conn, rows, heads, page[-1].seq)
        done += len(page)
        if len(page) < PAGE:
            return done


class RecentCursors:
    """The readers' cursors of the newest events, as they were delivered (from the commit, or read back
    by the tailer). The answer to a post or an acknowledgement names the event it just wrote; finding
    its cursor here spares every such answer a read of the cursors table. Cursors never change once
    committed, so an entry is never stale; what is not here is read from the store."""

    def __init__(self, limit: int = 65_536) -> None:
        self.limit = limit
        self._by_seq: dict[int, Mapping[str, int]] = {}

    def add(self, cursors: Mapping[int, Mapping[str, int]]) -> None:
        self._by_seq.update(cursors)
        excess = len(self._by_seq) - self.limit
        if excess > 0:  # the oldest first: events are delivered in seq order
            for seq in list(itertools.islice(self._by_seq, excess)):
                del self._by_seq[seq]

    def lookup(self, party: str, seqs: Iterable[int]) -> tuple[dict[int, int], set[int]]:
        """(``party``'s cursor of each seq known here, the seqs not known here). A known event without
        a cursor of ``party`` is one it may not read: neither found nor missing."""
        found: dict[int, int] = {}
        missing: set[int] = set()
        for seq in seqs:
            readers = self._by_seq.get(seq)
            if readers is None:
                missing.add(seq)
            elif (cursor := readers.get(party)) is not None:
                found[seq] = cursor
        return found, missing


def is_seq_key(key: str) -> bool:
    """Whether a member of a read model holds a ledger seq: ``seq`` and every ``*_seq`` (a checkpoint's
    ``last_seq``, a key's ``registered_seq``, a zone's ``updated_seq``, a delivery's ``event_seq``)."""
    return key == "seq" or key.endswith("_seq")


def _seqs(value: Any, out: set[int]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if is_seq_key(key) and type(item) is int:
                out.add(item)
            else:
                _seqs(item, out)
    elif isinstance(value, list):
        for item in value:
            _seqs(item, out)


def _replace(value: Any, mapping: dict[int, int]) -> Any:
    if isinstance(value, dict):
        return {key: (mapping.get(item) if is_seq_key(key) and type(item) is int else _replace(item, mapping))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, mapping) for item in value]
    return value


async def localize(hl: Hotline, who: Principal, states: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``states`` with every ledger seq member (``is_seq_key``, at any depth) replaced by the reader's
    cursor of that event; an event the reader has no cursor for shows ``null`` (never the ledger seq)."""
    items = list(states)
    wanted: set[int] = set()
    _seqs(items, wanted)
    mapping: dict[int, int] = {}
    if wanted and who.party is not None:
        mapping, missing = hl.recent_cursors.lookup(who.party, wanted)
        if missing:
            async with hl.db.read() as conn:
                mapping.update(await seq_to_cursor(conn, who.party, missing))
    return [_replace(item, mapping) for item in items]


async def ledger_before(hl: Hotline, who: Principal, before: int | None) -> int | None:
    """The ledger seq bound equivalent to ``before`` (a cursor of the reader): records made by events
    the reader numbers below ``before`` are exactly those made below the returned seq."""
    if before is None or who.party is None:
        return before
    async with hl.db.read() as conn:
        seq = await cursor_to_seq(conn, who.party, before)
    # No event at or after that cursor yet: everything the reader holds is before it.
    return seq if seq is not None else 2**63 - 1


async def ledger_seq(hl: Hotline, who: Principal, cursor: int) -> int | None:
    """The ledger seq of the event the reader numbers ``cursor`` (None: no such event of its)."""
    if who.party is None:
        return None
    async with hl.db.read() as conn:
        return await exact_seq(conn, who.party, cursor)
