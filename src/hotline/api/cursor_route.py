"""Read models answered in the reader's own cursors.

The read models (incidents, disputes, notices, findings, zones, translations, talks, desks, sightings)
record the ledger seq of the events that made them: an incident's ``seq``, each acknowledgement's,
each history entry's, a zone's ``updated_seq``. Shown as they are, two of them would let a party count
events of channels it may not read between them. A router built with ``route_class=InCursors`` passes
every JSON answer through ``service.cursors.localize``, so each ``seq`` and ``*_seq`` member at any
depth becomes the caller's cursor of that event (``null`` if the caller has none). Doing it here, once
for every route of those routers, means a route added later cannot forget it.

Routers that already answer in cursors (events, stream, messages, witness, the delivery log) do not
use it: a cursor passed through ``localize`` again would be read as a ledger seq.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from hotline.domain.access import Principal
from hotline.service.cursors import localize

from .deps import hotline

__all__ = ["InCursors"]


class InCursors(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_cursors(request: Request) -> Response:
            response = await handler(request)
            who = getattr(request.state, "principal", None)
            body = getattr(response, "body", None)
            if (not isinstance(who, Principal) or not isinstance(body, bytes) or b"seq" not in body
                    or not response.headers.get("content-type", "").startswith("application/json")):
                return response
            shown = (await localize(hotline(request), who, [{"": orjson.loads(body)}]))[0][""]
            out = Response(orjson.dumps(shown), status_code=response.status_code, background=response.background)
            # Every header of the route's answer (cookies included) but its length, which changed.
            out.raw_headers = [*(h for h in response.raw_headers if h[0] != b"content-length"),
                               *(h for h in out.raw_headers if h[0] == b"content-length")]
            return out

        return in_cursors
