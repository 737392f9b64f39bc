"""Stopping a long-lived background task: the writer, the timers, the tailer, the notifier, the sealer.

Each keeps one ``asyncio.Task`` and stops the same way; having it once means none of them can forget to
wait for the task to finish (a cancelled task that is not awaited may still be running its last step).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` (if any) and wait until it has finished; its cancellation is not an error."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
