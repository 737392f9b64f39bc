"""Engines, dialect quirks and migrations, in one place.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL`` so that a commit is on disk
before the client hears "accepted"; the writer takes the write lock up front with ``BEGIN IMMEDIATE``.
PostgreSQL's writer takes ``LOCK TABLE events IN EXCLUSIVE MODE`` (readers are not blocked) with a
lock timeout. Either way, seq order equals commit order, so a reader tailing by seq never passes a gap
that fills later.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from .sqlite_writer import BatchConnection, connect_inline, open_batch

__all__ = ["Database", "StoreUnavailable", "normalize_url"]

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000  # how long a SQLite writer waits for another connection's write lock


class StoreUnavailable(Exception):
    """The database did not take the write; nothing was committed."""


def normalize_url(url: str) -> str:
    """Accept plain ``sqlite:///`` and ``postgresql://`` URLs and pick the async drivers."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._batch: BatchConnection | None = None  # the writer's own SQLite connection, opened at first use
        # SQLite: the process's write transactions (the writer's batches and ``write()``) take turns here,
        # first come first served, before they take SQLite's lock; see ``batch``.
        self._turn = asyncio.Lock()
        if self.is_sqlite:
            self.reader = create_async_engine(self.url, pool_size=8, max_overflow=8)
            # One connection for the one writer task; BEGIN IMMEDIATE takes the write lock at once. Its
            # statements run on the loop's thread, only BEGIN and COMMIT wait in a thread (sqlite_writer).
            self.writer_engine = create_async_engine(self.url, pool_size=1, max_overflow=0,
                                                     async_creator=connect_inline(self.url.split(":///", 1)[1]))
            for engine in (self.reader, self.writer_engine):
                event.listen(engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.writer_engine.sync_engine, "begin", _sqlite_begin_immediate)
            event.listen(self.reader.sync_engine, "begin", _sqlite_begin)
        else:
            self.reader = create_async_engine(self.url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            self.writer_engine = create_async_engine(self.url, pool_size=1, max_overflow=1, pool_pre_ping=True)

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic, on our own connection)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        async with self.writer_engine.begin() as conn:
            if not self.is_sqlite:
                # Several processes may start at once; one migrates, the others wait for it.
                await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74201)")

            def upgrade(sync_conn: Any) -> None:
                cfg.attributes["connection"] = sync_conn
                command.upgrade(cfg, "head")

            await conn.run_sync(upgrade)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction holding the ledger's write lock until it commits."""
        turn = self._turn if self.is_sqlite else contextlib.nullcontext()
        try:
            async with turn, self.writer_engine.begin() as conn:
                if not self.is_sqlite:
                    await conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                    await conn.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
                yield conn
        except (OperationalError, DBAPIError) as e:
            raise StoreUnavailable(f"the database refused the write: {e.orig!r}") from e

    @contextlib.asynccontextmanager
    async def batch(self) -> AsyncIterator[AsyncConnection]:
        """The writer's write transaction, holding the ledger's write lock until it commits. One batch at
        a time: the writer is its only user.

        On PostgreSQL it is ``write()``. On SQLite it is a ``BatchConnection``, the writer's own
        connection, whose begin and commit do not go through SQLAlchemy's engine and pool (see there);
        the ledger's hot statements find its ``sqlite3`` connection under the one given (``inline_sqlite``).
        Every other write of the process (``write()``) uses the writer engine's connection: both take
        their turn first (``_turn``, in arrival order, as the writer engine's one pooled connection
        made them before), so neither waits in SQLite's busy handler, which polls at intervals of
        milliseconds and serves no one in order, for the other; only a lock held by another process
        (or by a direct ``writer_engine`` user) is waited for there."""
        if not self.is_sqlite:
            async with self.write() as conn:
                yield conn
            return
        async with self._turn:
            b = self._batch
            if b is None:
                b = self._batch = await open_batch(self.url, self.url.split(":///", 1)[1], _sqlite_connect_raw,
                                                   BUSY_TIMEOUT_MS)
            try:
                await b.begin()
            except sqlite3.Error as e:
                await self._drop_batch_if_broken(b)
                raise StoreUnavailable(f"the database refused the write: {e!r}") from e
            try:
                yield b.sa
            except BaseException:
                await b.rollback()
                await self._drop_batch_if_broken(b)
                raise
            try:
                await b.commit()
            except asyncio.CancelledError:
                # The COMMIT goes on in its thread; the connection is closed with the database (shutdown).
                raise
            except Exception as e:
                await b.rollback()
                await self._drop_batch_if_broken(b)
                raise StoreUnavailable(f"the database refused the commit: {e!r}") from e

    async def _drop_batch_if_broken(self, b: BatchConnection) -> None:
        if not b.usable and self._batch is b:
            self._batch = None
            with contextlib.suppress(Exception):
                await b.close()

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.reader.connect() as conn:
            yield conn

    async def upsert(self, conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]],
                     key: Sequence[str], keep: Sequence[str] = ()) -> None:
        """Insert ``rows``, or update the existing ones except the ``key`` and ``keep`` columns."""
        if not rows:
            return
        dialect = sqlite if self.is_sqlite else postgresql
        stmt = dialect.insert(table)
        updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key and c.name not in keep}
        await conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=updates), list(rows))

    async def notify(self, conn: AsyncConnection, channel: str) -> None:
        """Tell other processes, at commit, that the ledger grew (PostgreSQL; SQLite has one process)."""
        if not self.is_sqlite:
            await conn.exec_driver_sql(f"SELECT pg_notify('{channel}', '')")

    async def listen(self, channel: str, callback: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        """Call ``callback`` on every notification of ``channel``; returns the coroutine that stops it."""
        import asyncpg  # PostgreSQL only

        conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg://", "postgresql://", 1))
        await conn.add_listener(channel, lambda *_args: callback())

        async def stop() -> None:
            await conn.close()

        return stop

    async def dispose(self) -> None:
        if self._batch is not None:
            b, self._batch = self._batch, None
            await b.close()
        await self.reader.dispose()
        await self.writer_engine.dispose()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the documented pysqlite recipe).
    dbapi_conn.isolation_level = None
    _sqlite_connect_raw(dbapi_conn)


def _sqlite_connect_raw(conn: Any) -> None:
    """The pragmas of every connection: WAL, a commit on disk before it returns, the lock's wait, keys."""
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")
