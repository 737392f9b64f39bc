"""Reading the whole record back: every event in seq order, and verification against the database."""

from __future__ import annotations

from collections.abc import AsyncIterator

from hotline.ledger.envelope import Event
from hotline.ledger.verify import ChainReport, verify_events
from hotline.store.database import Database
from hotline.store.ledger import chain_heads, has_versions, read_events

from .config import Settings

__all__ = ["all_events", "database_report"]

PAGE = 5000


async def all_events(db: Database) -> AsyncIterator[Event]:
    """Every event in seq order (also of a database an older hotline wrote and nothing has migrated)."""
    after = 0
    async with db.read() as conn:
        versioned = await has_versions(conn)
    while True:
        async with db.read() as conn:
            page = await read_events(conn, after=after, channels=None, limit=PAGE, versioned=versioned)
        for ev in page:
            yield ev
        if len(page) < PAGE:
            return
        after = page[-1].seq


async def database_report(settings: Settings) -> ChainReport:
    db = Database(settings.database_url)
    try:
        async with db.read() as conn:
            heads = await chain_heads(conn)
        events = [ev.to_dict() async for ev in all_events(db)]
        return verify_events(events, expected_heads=heads)
    finally:
        await db.dispose()
