"""One request, one log context: a request id, and once known the user, party and command.

The edge layer (``edge.EdgeMiddleware``, pure ASGI, no task of its own) binds the request id and
writes the closing line, so what the endpoint binds is still bound then. The request id comes from a
well-formed ``X-Request-ID`` header or is made there, and is returned in the response's
``X-Request-ID`` so an operator can find a user's request in the log.
"""

from __future__ import annotations

import re

import structlog

from hotline.domain.access import Principal
from hotline.service.logs import logger

__all__ = ["REQUEST_ID", "bind_caller", "log"]

log = logger("hotline.request")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def bind_caller(who: Principal, command: str | None) -> None:
    """Name the caller (and the command its route stands for) on every later line of this request."""
    structlog.contextvars.bind_contextvars(user=who.username, party=who.party, command=command)
