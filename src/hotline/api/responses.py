"""JSON responses encoded by orjson in one step, and the one answer to a command.

Every route that runs a command maps its result ``(state, wrote)`` to a response with ``answer``:
a command that creates a record (or an entry in one) answers 201 Created when it wrote something and
200 when it was a repeat that wrote nothing (the record stands as it was); a command that only changes
a record's state (signing off, checking a translation, changing the alert level) answers 200 either way.

Returning a plain dict makes FastAPI walk it with ``jsonable_encoder`` before encoding it; on the
hot paths (posting and acknowledging) that walk cost more than the rest of the request. Our payloads
are JSON already (they come from the ledger), so they are encoded directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["JSON", "answer", "status_for"]


def status_for(created: bool) -> int:
    """201 when a command wrote something, 200 when it was a repeat that wrote nothing."""
    return 201 if created else 200


def _same(state: Any) -> Any:
    return state


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def answer(result: tuple[Any, bool], present: Callable[[Any], Any] = _same, *, creates: bool = True) -> JSON:
    """The response to a command: ``present(state)`` with 201 (created) or 200 (a repeat, or a change that
    creates nothing: ``creates=False``)."""
    state, wrote = result
    return JSON(present(state), status_code=status_for(creates and wrote))
