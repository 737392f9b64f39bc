"""The SQLite writer's own connection (store/sqlite_writer.BatchConnection), on a real SQLite file: a
batch waits for a write lock another connection holds without holding up the event loop, the
statements a command runs through SQLAlchemy are part of the batch's one transaction, and a batch that
fails leaves nothing behind while the next one commits."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hotline.domain.events import Pending
from hotline.service.records import all_events
from hotline.service.unit_of_work import UnitOfWork
from hotline.service.writer import Writer
from hotline.store.database import Database, StoreUnavailable
from hotline.store.evidence import Blob, get_blob, put_blob, sha256_hex
from hotline.testing import FakeClock

pytestmark = pytest.mark.anyio


def _pending(n: int) -> Pending:
    return Pending(channel="joint", type="message.posted", party="isr", actor="isr-duty", payload={"n": n})


async def _started(tmp_path: Path) -> tuple[Database, Writer, list[int]]:
    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    await db.migrate()
    committed: list[int] = []
    writer = Writer(db, FakeClock(), lambda events, _due, _cursors: committed.extend(e.seq for e in events))
    writer.start()
    return db, writer, committed


async def _stored(db: Database) -> list[dict[str, Any]]:
    return [ev.payload async for ev in all_events(db)]


async def test_a_batch_waits_for_another_connections_write_lock_and_the_loop_keeps_running(tmp_path: Path):
    db, writer, committed = await _started(tmp_path)
    try:
        await writer.submit(lambda _uow: _decided([_pending(1)]))  # opens the writer's connection
        other = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # as another process holding the ledger's write lock would
        waiting = asyncio.ensure_future(writer.submit(lambda _uow: _decided([_pending(2)])))
        for _ in range(50):  # the loop runs while the batch waits for the lock (in a thread)
            await asyncio.sleep(0)
        assert not waiting.done(), "nothing is answered while another connection holds the write lock"
        other.execute("COMMIT")  # released from the loop itself: a batch blocking the loop would never see it
        other.close()
        events, _ = await waiting
        assert [e.seq for e in events] == [2]
        assert committed == [1, 2]
        assert await _stored(db) == [{"n": 1}, {"n": 2}]
    finally:
        await writer.stop()
        await db.dispose()


async def test_a_batch_stopped_while_it_waits_for_the_lock_does_not_keep_the_lock_once_it_gets_it(tmp_path: Path):
    db, writer, _ = await _started(tmp_path)
    await writer.submit(lambda _uow: _decided([_pending(1)]))
    other = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    later = sqlite3.connect(tmp_path / "h.db", isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        waiting = asyncio.ensure_future(writer.submit(lambda _uow: _decided([_pending(2)])))
        for _ in range(50):
            await asyncio.sleep(0)
        await writer.stop()  # the server stops while the batch waits for the lock in its thread
        with pytest.raises(StoreUnavailable):
            await waiting
        other.execute("ROLLBACK")  # the waiting BEGIN gets the lock now, and must give it back
        assert db._batch is not None
        await db._batch._waits.run(lambda: None)  # the connection's thread is done with that BEGIN
        later.execute("BEGIN IMMEDIATE")  # free: the lock was given back (busy timeout 0: no waiting)
        later.execute("ROLLBACK")
        assert await _stored(db) == [{"n": 1}]
    finally:
        other.close()
        later.close()
        await db.dispose()


async def test_the_processs_other_writes_and_the_batches_take_turns(tmp_path: Path):
    db, writer, committed = await _started(tmp_path)
    try:
        async with db.write() as conn:  # as the checkpoints or the notifier write
            await conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('probe', '1')")
            waiting = asyncio.ensure_future(writer.submit(lambda _uow: _decided([_pending(1)])))
            for _ in range(50):
                await asyncio.sleep(0)
            assert not waiting.done(), "the batch waits for the write in progress"
        await waiting
        async with db.write() as conn:  # and a write after the batch finds it committed
            assert (await conn.exec_driver_sql("SELECT max(seq) FROM events")).scalar() == 1
        assert committed == [1]
    finally:
        await writer.stop()
        await db.dispose()


def _text_blob(data: bytes) -> Blob:
    return Blob(sha256_hex(data), len(data), "text/plain", data)


async def test_sqlalchemy_statements_of_a_command_commit_with_the_batch(tmp_path: Path):
    db, writer, _ = await _started(tmp_path)
    blob = _text_blob(b"evidence bytes")

    async def with_blob(uow: UnitOfWork) -> list[Pending]:
        await put_blob(uow.conn, blob, uow.ts, is_sqlite=True)
        return [_pending(2)]

    try:
        # Three commands in one batch: plain ones around one that writes through SQLAlchemy.
        answers = await asyncio.gather(writer.submit(lambda _uow: _decided([_pending(1)])),
                                       writer.submit(with_blob),
                                       writer.submit(lambda _uow: _decided([_pending(3)])))
        assert [e.seq for events, _ in answers for e in events] == [1, 2, 3]
        assert writer.batches == 1
        async with db.read() as conn:
            assert await get_blob(conn, blob.sha256) == blob
        # The batch after it, plain again, commits on the same connection.
        await writer.submit(lambda _uow: _decided([_pending(4)]))
        assert await _stored(db) == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    finally:
        await writer.stop()
        await db.dispose()


async def test_a_failed_batch_leaves_nothing_and_the_next_one_commits(tmp_path: Path):
    db, writer, committed = await _started(tmp_path)
    blob = _text_blob(b"never stored")

    async def then_break(uow: UnitOfWork) -> list[Pending]:
        await put_blob(uow.conn, blob, uow.ts, is_sqlite=True)
        # A row in the place the batch's event will take: the batch's own insert then fails, and with it
        # the whole transaction (the blob too).
        await uow.conn.exec_driver_sql(
            "INSERT INTO events (seq, v, channel, chain_index, ts, type, party, actor, payload, prev_hash, hash) "
            "VALUES (1, 2, 'joint', 0, 't', 'x', 'isr', 'isr-duty', '{}', 'p', 'h')")
        return [_pending(0)]

    try:
        with pytest.raises(StoreUnavailable):
            await writer.submit(then_break)
        await writer.submit(lambda _uow: _decided([_pending(1)]))
        async with db.read() as conn:
            assert await get_blob(conn, blob.sha256) is None
        assert committed == [1] and await _stored(db) == [{"n": 1}]
    finally:
        await writer.stop()
        await db.dispose()


async def test_a_batch_refused_when_the_lock_is_never_released_answers_unavailable(tmp_path: Path,
                                                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("hotline.store.database.BUSY_TIMEOUT_MS", 50)
    db, writer, committed = await _started(tmp_path)
    other = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable):
            await writer.submit(lambda _uow: _decided([_pending(1)]))
        other.execute("ROLLBACK")
        await writer.submit(lambda _uow: _decided([_pending(2)]))
        assert committed == [1] and await _stored(db) == [{"n": 2}]  # seq 1: the refused batch took none
    finally:
        other.close()
        await writer.stop()
        await db.dispose()


async def _decided(pending: list[Pending]) -> list[Pending]:
    return pending
