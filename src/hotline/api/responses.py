"""JSON responses encoded by orjson in one step.

Returning a plain dict makes FastAPI walk it with ``jsonable_encoder`` before encoding it; on the
hot paths (posting and acknowledging) that walk cost more than the rest of the request. Our payloads
are JSON already (they come from the ledger), so they are encoded directly.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["JSON"]


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
