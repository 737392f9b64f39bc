"""The deconfliction engine's index, following the ledger like the streams do.

The engine needs, warm, the active zones and notices (parsed) and the ids of the open findings.
Several server processes may append to one ledger, so the index cannot be changed only by this
process's own commands: it remembers the last ``seq`` it has applied (``position``) and moves
forward by applying events in seq order, whoever wrote them.

- Built from the projections on first use, then it applies every event after the position it read
  first (the projections may already hold some of those events: applying one again is harmless,
  because each event sets what it names, and the last event of each aggregate wins).
- ``follow`` applies what this process delivers (its own commits and what the tailer reads back), so
  the reads below are usually empty.
- ``within(uow)``: inside the writer's transaction the ledger is locked (PostgreSQL: ``LOCK TABLE
  events IN EXCLUSIVE MODE``; SQLite has one process), so reading the events after the position on
  that transaction's connection sees every event committed before it, then the events staged by
  earlier commands of the same batch. A notice decided there is checked against all of them.
- ``current()``: a dry run catches up on a read connection (every event committed so far).

Staged events of a batch that then fails never reach the record: the caller drops the index
(``forget``) and the next use rebuilds it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hotline.domain import findings as fnd
from hotline.domain import notices as ntc
from hotline.domain import zones_agreed as zag
from hotline.geo.conflicts import ConflictEngine
from hotline.geo.notices import Notice, notice_from_dict
from hotline.geo.zones import Zone, zone_from_feature
from hotline.ledger.envelope import Event
from hotline.store.ledger import last_seq, list_aggregates, read_events

from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from .hotline import Hotline

__all__ = ["Model", "model", "followed", "within", "forget"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PAGE = 1000
_LATE = "notice.late"  # a late filing is a fact of the record, not a clash to re-check


def _rechecked(rule: str) -> bool:
    """Findings the notice engine re-checks (not a late filing, not a track's geofence entry)."""
    return rule != _LATE and not rule.startswith("geofence.")


def _notice(notice_id: str, party: str, body: Mapping[str, Any]) -> Notice:
    return notice_from_dict({**body, "id": notice_id, "party": party}, now=_EPOCH)


@dataclass
class Model:
    """The engine's inputs, warm: active zones by id, active notices by id, open finding ids."""

    zones: dict[str, Zone] = field(default_factory=dict)
    notices: dict[str, Notice] = field(default_factory=dict)
    open: set[str] = field(default_factory=set)
    engine: ConflictEngine | None = None
    engine_at: datetime | None = None
    position: int = 0  # the last seq applied
    zones_changed: int = 0  # counts changes of ``zones``: what was built from them is stale when it moved

    def engine_for(self, now: datetime, buffer_m: float) -> ConflictEngine:
        # Rebuilt only when the inputs changed or a notice may have ended since it was built.
        if self.engine is None or self.engine_at is None or any(
                self.engine_at < n.end <= now for n in self.engine.notices):
            live = [n for n in self.notices.values() if n.end > now]
            self.engine = ConflictEngine(list(self.zones.values()), live, overlap_buffer_m=buffer_m)
        self.engine_at = now
        return self.engine

    def apply(self, events: Iterable[Event]) -> None:
        """Apply events after ``position`` in seq order; earlier ones were applied already."""
        for ev in events:
            if ev.seq <= self.position:
                continue
            self.position = ev.seq
            self._apply_one(ev)

    def _apply_one(self, ev: Event) -> None:
        p = ev.payload
        if ev.type == "notice.filed":
            # A notice id is filed once (a different filing under it is refused), so one already
            # here is this process's own, staged by the command that filed it.
            if p["notice_id"] not in self.notices and ev.party is not None:
                self.notices[p["notice_id"]] = _notice(p["notice_id"], ev.party, p["notice"])
                self.engine = None
        elif ev.type in ("notice.withdrawn", "notice.expired"):
            if self.notices.pop(p["notice_id"], None) is not None:
                self.engine = None
        elif ev.type == "zone.activated":
            zone = zone_from_feature(p["feature"])
            if self.zones.get(p["zone_id"]) != zone:
                self.zones[p["zone_id"]] = zone
                self.zones_changed += 1
                self.engine = None
        elif ev.type == "finding.raised":
            if _rechecked(p["finding"]["rule"]):
                self.open.add(p["finding_id"])
        elif ev.type == "finding.cleared":
            self.open.discard(p["finding_id"])

    async def catch_up(self, conn: AsyncConnection) -> None:
        """Apply every event committed after ``position`` that ``conn`` can see."""
        while True:
            page = await read_events(conn, after=self.position, channels=None, limit=_PAGE)
            self.apply(page)
            if len(page) < _PAGE:
                return


_MODELS: weakref.WeakKeyDictionary[Hotline, Model] = weakref.WeakKeyDictionary()
_FOLLOWED: weakref.WeakSet[Hotline] = weakref.WeakSet()


async def _load(hl: Hotline) -> Model:
    m = Model()
    chans = list(hl.world.channels)
    async with hl.db.read() as conn:
        # The position first: whatever the projections hold beyond it is applied again below.
        m.position = await last_seq(conn)
        for state in await list_aggregates(conn, zag.KIND, chans, limit=100_000):
            if state["active"] is not None:
                m.zones[state["zone_id"]] = zone_from_feature(state["active"])
        for state in await list_aggregates(conn, ntc.KIND, chans, limit=100_000):
            if state["status"] == "active":
                m.notices[state["notice_id"]] = _notice(state["notice_id"], state["party"], state["notice"])
        for state in await list_aggregates(conn, fnd.KIND, chans, limit=100_000):
            if state["status"] == "open" and _rechecked(state["finding"]["rule"]):
                m.open.add(state["finding_id"])
        await m.catch_up(conn)
    return m


def _follow(hl: Hotline) -> None:
    """Apply what this process delivers (in seq order, each once) to the index, if there is one."""
    if hl in _FOLLOWED:
        return
    _FOLLOWED.add(hl)
    ref = weakref.ref(hl)

    def listener(events: list[Event]) -> None:
        owner = ref()
        m = None if owner is None else _MODELS.get(owner)
        if m is not None:
            m.apply(events)

    hl.listeners.append(listener)


async def model(hl: Hotline) -> Model:
    """The index, caught up with every event committed so far (for reads and dry runs)."""
    m = _MODELS.get(hl)
    if m is None:
        _follow(hl)
        m = await _load(hl)
        m = _MODELS.setdefault(hl, m)  # another caller may have loaded it meanwhile
        return m
    async with hl.db.read() as conn:
        await m.catch_up(conn)
    return m


async def followed(hl: Hotline) -> Model:
    """The index as the delivered events keep it, without reading the ledger (once loaded).

    For the fence check of every batch of positions: this process's commits and, through the tailer,
    other processes' reach the index in seq order as they are delivered, so it lags by one delivery at
    most, while a read per batch cost more than the fence check itself."""
    m = _MODELS.get(hl)
    return m if m is not None else await model(hl)


async def within(hl: Hotline, uow: UnitOfWork) -> Model:
    """Inside a writer handle: the index caught up with every event before the ones this command stages."""
    base = await last_seq(uow.conn)  # committed before this transaction took the ledger's lock
    ahead = max([base, *(ev.seq for ev in uow.staged)])
    m = _MODELS.get(hl)
    if m is None or m.position > ahead:
        # None yet, or it applied staged events of a batch that failed (their seqs were never committed).
        _follow(hl)
        m = _MODELS[hl] = await _load(hl)
    await m.catch_up(uow.conn)
    m.apply(uow.staged)  # staged by earlier commands of this batch
    return m


def forget(hl: Hotline) -> None:
    """Drop the index (a batch failed: what it applied from staging may not be in the record)."""
    _MODELS.pop(hl, None)
