"""The delivery log and the webhook targets' health: SQL only.

Rows are created from ledger events (one per step, target and medium, with an id derived from the
event, so planning twice inserts nothing new) in the same transaction that moves the planner's
position forward; a process claims a due row with a short lease, so two processes never send the
same attempt at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import deliveries, meta, notify_targets

__all__ = ["add_deliveries", "claim_due", "release_leases", "save_attempt", "list_deliveries", "get_position",
           "set_position", "note_target", "target_disabled", "next_delivery_at"]

POSITION_KEY = "notify.position"


def _insert(is_sqlite: bool, table: Any) -> Any:
    return (sqlite if is_sqlite else postgresql).insert(table)


async def get_position(conn: AsyncConnection) -> int | None:
    value = await conn.scalar(select(meta.c.value).where(meta.c.key == POSITION_KEY))
    return None if value is None else int(value)


async def set_position(conn: AsyncConnection, seq: int, *, is_sqlite: bool) -> None:
    stmt = _insert(is_sqlite, meta).values(key=POSITION_KEY, value=str(seq))
    await conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": str(seq)}))


async def add_deliveries(conn: AsyncConnection, rows: Sequence[dict[str, Any]], *, is_sqlite: bool) -> None:
    """Insert the planned deliveries; a row whose id exists already is left as it is."""
    if rows:
        stmt = _insert(is_sqlite, deliveries)
        await conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"]), list(rows))


async def claim_due(conn: AsyncConnection, now: str, lease_until: str, limit: int = 50) -> list[dict[str, Any]]:
    """The deliveries due now that no other process holds, each leased to the caller until ``lease_until``."""
    due = and_(deliveries.c.status.in_(("pending", "retrying")), deliveries.c.next_at <= now,
               or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now))
    rows = (await conn.execute(select(deliveries).where(due).order_by(deliveries.c.next_at).limit(limit))).all()
    claimed = []
    for row in rows:
        result = await conn.execute(update(deliveries).where(deliveries.c.id == row.id, due)
                                    .values(lease_until=lease_until))
        if result.rowcount == 1:
            claimed.append(_row(row))
    return claimed


async def release_leases(conn: AsyncConnection) -> None:
    """Give back every lease (a process starting as the database's only one: they were a dead one's)."""
    await conn.execute(update(deliveries).where(deliveries.c.lease_until.is_not(None)).values(lease_until=None))


async def save_attempt(conn: AsyncConnection, delivery_id: str, *, status: str, attempts: int,
                       log: list[dict[str, Any]], next_at: str | None, now: str) -> None:
    await conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(
        status=status, attempts=attempts, log=orjson.dumps(log).decode(), next_at=next_at, lease_until=None,
        updated_at=now))


async def next_delivery_at(conn: AsyncConnection) -> str | None:
    from sqlalchemy import func

    value = await conn.scalar(select(func.min(deliveries.c.next_at)).where(
        deliveries.c.status.in_(("pending", "retrying"))))
    return None if value is None else str(value)


async def list_deliveries(conn: AsyncConnection, *, parties: Iterable[str], channels: Iterable[str],
                          item_id: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """The rows concerning ``parties`` (the party that had to act, or the one told) in ``channels``."""
    parties, channels = sorted(parties), sorted(channels)
    if not parties or not channels:
        return []
    q = (select(deliveries).where(deliveries.c.channel.in_(channels),
                                  or_(deliveries.c.party.in_(parties), deliveries.c.target_party.in_(parties)))
         .order_by(deliveries.c.event_seq.desc(), deliveries.c.id).limit(limit))
    if item_id is not None:
        q = q.where(deliveries.c.item_id == item_id)
    return [_row(r) for r in (await conn.execute(q)).all()]


async def target_disabled(conn: AsyncConnection, address: str) -> bool:
    value = await conn.scalar(select(notify_targets.c.disabled_at).where(notify_targets.c.address == address))
    return value is not None


async def note_target(conn: AsyncConnection, address: str, ok: bool, now: str, *, disable_after: int,
                      is_sqlite: bool) -> bool:
    """Count a webhook target's consecutive failures; True when this failure disabled it."""
    row = (await conn.execute(select(notify_targets).where(notify_targets.c.address == address))).first()
    failures = 0 if ok else (row.failures if row else 0) + 1
    newly = not ok and failures >= disable_after and (row is None or row.disabled_at is None)
    disabled_at = now if newly else (row.disabled_at if row else None)
    stmt = _insert(is_sqlite, notify_targets).values(address=address, failures=failures, disabled_at=disabled_at)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["address"], set_={
        "failures": failures, "disabled_at": disabled_at}))
    return newly


def _row(row: Any) -> dict[str, Any]:
    d = dict(row._mapping)
    d["log"] = orjson.loads(d["log"])
    return d
