"""Evidence blobs, content-addressed: one row per SHA-256, written in the same transaction as the event
that attaches it, so a file is in the store exactly when the ledger says it was attached."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import evidence

__all__ = ["Blob", "put_blob", "get_blob", "sha256_hex"]


@dataclass(frozen=True, slots=True)
class Blob:
    sha256: str
    size: int
    media_type: str
    data: bytes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put_blob(conn: AsyncConnection, blob: Blob, created_at: str, *, is_sqlite: bool) -> None:
    """Store the bytes unless the same content is stored already (same hash, same bytes)."""
    if sha256_hex(blob.data) != blob.sha256:
        raise ValueError(f"expected sha256 {blob.sha256}, got {sha256_hex(blob.data)}")
    dialect = sqlite if is_sqlite else postgresql
    stmt = dialect.insert(evidence).values(sha256=blob.sha256, size=blob.size, media_type=blob.media_type,
                                           data=blob.data, created_at=created_at)
    await conn.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))


async def get_blob(conn: AsyncConnection, sha256: str) -> Blob | None:
    row = (await conn.execute(select(evidence).where(evidence.c.sha256 == sha256))).first()
    if row is None:
        return None
    return Blob(row.sha256, int(row.size), row.media_type, bytes(row.data))
