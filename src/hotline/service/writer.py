"""The one writer: commands that arrive together are decided and committed together.

Each command is an async ``handle(uow) -> list[Pending]``. The writer drains its queue into a batch,
opens one write transaction, lets every command decide against the state staged so far (a command
that fails is answered with its error and stages nothing), flushes, commits, and only then answers the
callers and publishes. A caller is told "accepted" only after its events are durably committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from hotline.domain.errors import DomainError
from hotline.domain.events import Pending
from hotline.ledger.envelope import Event
from hotline.service.unit_of_work import Readers, UnitOfWork
from hotline.store.database import Database, StoreUnavailable
from hotline.tasks import cancel_and_wait

__all__ = ["Writer", "Handle"]

log = logging.getLogger("hotline.writer")

Handle = Callable[[UnitOfWork], Awaitable[list[Pending]]]
Result = Callable[[UnitOfWork], Any]


@dataclass
class _Job:
    handle: Handle
    result: Result | None
    keys: tuple[str, ...]
    future: asyncio.Future[tuple[list[Event], Any]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    # The caller's log context (request id, user, party, command): the writer runs in its own task,
    # so a line it writes about this command carries it explicitly.
    context: dict[str, Any] = field(default_factory=structlog.contextvars.get_contextvars)


class Writer:
    def __init__(self, db: Database, clock: Callable[[], datetime],
                 on_commit: Callable[[list[Event], str | None, dict[int, dict[str, int]]], None], *,
                 max_batch: int = 512, readers: Readers | None = None) -> None:
        self.db = db
        self.readers = readers  # channel -> the parties that may read it (their cursors are written)
        self.clock = clock
        self.on_commit = on_commit
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._last_now: datetime | None = None
        self.batches = 0
        self.committed = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hotline-writer")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def submit(self, handle: Handle, result: Result | None = None, *,
                     keys: tuple[str | None, ...] = ()) -> tuple[list[Event], Any]:
        """Decide and commit one command; returns its events and ``result(uow)`` taken after staging.

        ``keys`` names the aggregates the command will load, so a batch reads them in one query."""
        if self._task is None:
            raise StoreUnavailable("the writer is not running")
        job = _Job(handle, result, tuple(k for k in keys if k))
        await self._queue.put(job)
        return await job.future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except asyncio.CancelledError:
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(StoreUnavailable("the server is shutting down"))
                raise

    def _now(self) -> datetime:
        # The record's clock never runs backwards, even if the host's does.
        now = self.clock()
        if self._last_now is not None and now < self._last_now:
            now = self._last_now
        self._last_now = now
        return now

    async def _commit(self, batch: list[_Job]) -> None:
        answers: list[tuple[_Job, tuple[list[Event], Any] | BaseException]] = []
        try:
            async with self.db.batch() as conn:
                uow = UnitOfWork(self.db, conn, self._now(), self.readers)
                await uow.begin()
                await uow.preload(k for job in batch for k in job.keys)
                for job in batch:
                    try:
                        staged = uow.stage(await job.handle(uow))
                        answers.append((job, (staged, job.result(uow) if job.result else None)))
                    except DomainError as e:
                        answers.append((job, e))
                    except Exception as e:  # a bug in one command must not sink the batch
                        with structlog.contextvars.bound_contextvars(**job.context):
                            log.exception("command failed")
                        answers.append((job, e))
                await uow.flush()
        except Exception as e:
            log.exception("write transaction failed; %d commands refused", len(batch))
            err = e if isinstance(e, StoreUnavailable) else StoreUnavailable(f"the write failed: {e}")
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(err)
            return
        self.batches += 1
        self.committed += len(uow.staged)
        for job, answer in answers:
            if job.future.done():
                continue
            if isinstance(answer, BaseException):
                job.future.set_exception(answer)
            else:
                job.future.set_result(answer)
        if uow.staged:
            self.on_commit(uow.staged, uow.earliest_due, uow.cursors)
