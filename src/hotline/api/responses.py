"""JSON responses encoded by orjson in one step, and the one answer to a command.

A command that wrote something answers 201 Created; the same command repeated (nothing new was
written, the record stands as it was) answers 200 with the same state. ``answer`` is that rule.

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


def answer(response: Response, result: tuple[dict[str, Any], bool],
           present: Callable[[dict[str, Any]], dict[str, Any]] = lambda state: state) -> dict[str, Any]:
    """The response to a command: ``present(state)``, with the status ``status_for(created)``."""
    state, created = result
    response.status_code = status_for(created)
    return present(state)


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
