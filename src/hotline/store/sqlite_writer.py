"""The SQLite connections that write: statements run inline, only the waits go to a thread.

With ``aiosqlite`` every statement of a write transaction crosses to aiosqlite's thread and back three or
four times (open a cursor, execute, fetch, close), and each crossing wakes the event loop: at 50
messages a second those crossings were most of the server's CPU per message, far more than SQLite's own
work. Inside a ``BEGIN IMMEDIATE`` transaction the writer holds the lock and every statement is a
few microseconds of in-process work on a B-tree, so this connection runs them on the event loop's
thread. The two steps that can wait are still sent to a thread, so the loop keeps serving streams
meanwhile: ``COMMIT`` (with ``synchronous=FULL`` it waits for the disk, the durability before the 201)
always, and ``BEGIN`` when another process holds the write lock (``busy_timeout`` waits for it there);
a ``BEGIN`` that finds the lock free, the usual case, takes it inline.

The object mimics the small part of ``aiosqlite.Connection`` that SQLAlchemy's aiosqlite dialect uses,
and is handed to it with ``create_async_engine(..., async_creator=...)``, so statements, events and the
pool stay SQLAlchemy's. Only the writing connections use it (the writer engine's, for ``write()``,
and the one under ``BatchConnection``): readers keep aiosqlite, whose thread lets a long read not
hold up the loop.

``BatchConnection`` is the writer's: its batches run on the ``sqlite3`` connection itself, without
SQLAlchemy's engine in between (see there).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

__all__ = ["InlineConnection", "BatchConnection", "connect_inline", "inline_sqlite", "open_batch"]

_WAITS = ("BEGIN", "COMMIT", "END")  # statements that may block: on the write lock or on the disk


class _InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _InlineCursor:
        head = sql.lstrip()[:6].upper()
        if head.startswith("BEGIN") and self._try_begin(sql, parameters):
            return self
        if head.startswith(_WAITS):
            await asyncio.to_thread(self._cursor.execute, sql, parameters)
        else:
            self._cursor.execute(sql, parameters)
        return self

    def _try_begin(self, sql: str, parameters: Sequence[Any]) -> bool:
        """BEGIN on the loop's thread when nobody holds the write lock (the usual case: this process's
        writer is the only one). With a busy timeout of 0 SQLite answers at once instead of waiting,
        and a BEGIN that finds the lock taken is sent to a thread to wait for it as before."""
        cursor = self._cursor
        busy_ms = int(cursor.execute("PRAGMA busy_timeout").fetchone()[0])
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute(sql, parameters)
            return True
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
            return False
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")

    async def executemany(self, sql: str, seq_of_parameters: Sequence[Sequence[Any]]) -> _InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None


class _RunNow:
    """SQLAlchemy sets ``isolation_level`` by queueing ``(future, function)`` on aiosqlite's queue."""

    def __init__(self) -> None:
        pass

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as e:  # the caller awaits the future and sees it
            future.set_exception(e)


class InlineConnection:
    """The writer's connection (see the module's text). ``_conn``, ``_connection`` and ``_tx`` are the
    names SQLAlchemy's aiosqlite dialect reaches for."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await asyncio.to_thread(self._conn.commit)  # waits for the disk: off the loop

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)


def inline_sqlite(conn: Any) -> sqlite3.Connection | None:
    """The ``sqlite3`` connection under ``conn`` (a SQLAlchemy ``AsyncConnection`` in a transaction) when it
    is the writer's inline one, else None (a reader, or PostgreSQL). A plain ``sqlite3`` connection (the
    writer's batch, ``BatchConnection``) is returned as it is.

    The ledger's hot statements use it directly (``store/ledger.py``): inside the writer's transaction
    they are plain ``sqlite3`` calls on the same connection, so they commit or roll back with
    everything SQLAlchemy ran in that transaction, without SQLAlchemy compiling, caching and wrapping
    each of them (most of the writer's CPU per message at 50 messages a second)."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    sync = getattr(conn, "sync_connection", None)
    fairy = getattr(sync, "connection", None) if sync is not None and not sync.closed else None
    driver = getattr(fairy, "driver_connection", None)
    return driver._conn if isinstance(driver, InlineConnection) else None


def connect_inline(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """The ``async_creator`` for ``create_async_engine``: a connection to the SQLite file at ``path``."""

    async def create() -> InlineConnection:
        # Used from the loop's thread and, for BEGIN and COMMIT, from a worker thread, never at once.
        conn = await asyncio.to_thread(sqlite3.connect, path, check_same_thread=False, isolation_level=None)
        return InlineConnection(conn)

    return create


class _WaitThread:
    """One thread of the batch connection's own for the steps that wait (the COMMIT's disk, a BEGIN's lock).

    ``run_in_executor`` costs about twice the CPU of this handoff per call on this kind of machine
    (measured: 40 against 21 microseconds a call): it wraps each call in a ``concurrent.futures.Future``
    chained to an asyncio one and goes through the pool's bookkeeping, where a batch only needs the
    thread woken and the loop's future resolved. One batch waits at a time, so one thread suffices."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="hotline-sqlite-wait", daemon=True)
        self._thread.start()

    def run(self, function: Callable[[], Any]) -> asyncio.Future[Any]:
        future = self._loop.create_future()
        self._calls.put((function, future))
        return future

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            function, future = call
            try:
                result = function()
            except BaseException as e:  # noqa: BLE001 (handed to the awaiting task, which raises it)
                self._answer(future, None, e)
            else:
                self._answer(future, result, None)

    def _answer(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        try:
            self._loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:  # the loop is closed: nobody awaits the answer any more
            pass

    def stop(self) -> None:
        """Ends the thread after the call it runs, if any (it is not waited for: a daemon thread)."""
        self._calls.put(None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class BatchConnection:
    """The writer's batch transaction on a ``sqlite3`` connection of its own, without SQLAlchemy's engine.

    Each write batch through ``create_async_engine(...).begin()`` checked a connection out of the pool,
    ran SQLAlchemy's begin (its event issuing ``BEGIN IMMEDIATE`` through the statement machinery and a
    greenlet), then its commit and the pool's check-in: at 50 messages a second that was most of the
    SQLAlchemy share of the server's CPU per message, for three statements. Here the writer's batch is
    ``BEGIN IMMEDIATE``, the ledger's statements (plain ``sqlite3`` calls, ``store/ledger.py``) and
    ``COMMIT``, on one connection that the writer keeps open.

    The waits are those of ``InlineConnection``: ``COMMIT`` (``synchronous=FULL``: the disk) runs in a
    thread (the connection's own, ``_WaitThread``), the one hop of a batch; ``BEGIN IMMEDIATE`` runs
    inline with ``busy_timeout`` 0 (this connection's setting outside that wait) and only when another
    connection or process holds the write lock is it sent to that thread, with the busy timeout, to
    wait there.

    The few commands that run SQLAlchemy statements inside the writer's transaction (a blob, a track
    batch's points) get ``sa``, a SQLAlchemy connection on this same ``sqlite3`` connection, so their
    statements are part of the batch; once one ran, SQLAlchemy holds a transaction too and the batch
    commits (or rolls back) through it, which commits the same ``sqlite3`` transaction.
    """

    def __init__(self, conn: sqlite3.Connection, sa: Any, engine: Any, busy_ms: int) -> None:
        self.raw = conn
        self.sa = sa  # sqlalchemy.ext.asyncio.AsyncConnection over ``conn``, kept checked out
        self._engine = engine
        self._busy_ms = busy_ms
        self._waits = _WaitThread(asyncio.get_running_loop())

    async def begin(self) -> None:
        try:
            self.raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        waiting = self._waits.run(self._begin_waiting)
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # The thread still waits for the lock; a BEGIN it gets later must not keep the lock taken.
            waiting.add_done_callback(self._undo_begin)
            raise

    def _undo_begin(self, waiting: asyncio.Future[Any]) -> None:
        if not waiting.cancelled() and waiting.exception() is None and self.raw.in_transaction:
            self.raw.rollback()

    def _begin_waiting(self) -> None:
        # In a worker thread: SQLite's busy handler waits for the lock, up to the busy timeout.
        self.raw.execute(f"PRAGMA busy_timeout = {self._busy_ms:d}")
        try:
            self.raw.execute("BEGIN IMMEDIATE")
        finally:
            self.raw.execute("PRAGMA busy_timeout = 0")

    async def commit(self) -> None:
        if self.sa.in_transaction():  # a command ran SQLAlchemy statements: its transaction is this one
            await self.sa.commit()  # InlineConnection.commit: the same COMMIT, in a thread
            return
        await self._waits.run(self.raw.commit)  # waits for the disk: off the loop

    async def rollback(self) -> None:
        if self.sa.in_transaction():
            await self.sa.rollback()
        if self.raw.in_transaction:
            self.raw.rollback()

    @property
    def usable(self) -> bool:
        return not (self.sa.closed or self.sa.invalidated)

    async def close(self) -> None:
        self._waits.stop()
        try:
            await self.sa.close()
            await self._engine.dispose()  # closes the InlineConnection, so ``raw``
        finally:
            self.raw.close()


async def open_batch(url: str, path: str, configure: Callable[[sqlite3.Connection], None],
                     busy_ms: int) -> BatchConnection:
    """The writer's ``BatchConnection`` to the SQLite file at ``path`` (``url`` names the same file for
    SQLAlchemy). ``configure`` sets the connection's pragmas, as every connection of the database has them."""
    from sqlalchemy.ext.asyncio import create_async_engine

    def connect() -> sqlite3.Connection:
        # Used from the loop's thread and, for BEGIN's wait and COMMIT, from a worker thread, never at once.
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
        configure(conn)
        conn.execute("PRAGMA busy_timeout = 0")  # BEGIN waits for the lock in a thread, not on the loop
        return conn

    conn = await asyncio.to_thread(connect)

    async def creator() -> InlineConnection:
        return InlineConnection(conn)

    # Nobody else checks this engine's one connection out, and the batch ends its transaction itself,
    # so the pool neither resets nor pings it.
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_reset_on_return=None, async_creator=creator)
    try:
        sa = await engine.connect()
    except BaseException:
        conn.close()
        await engine.dispose()
        raise
    return BatchConnection(conn, sa, engine, busy_ms)
