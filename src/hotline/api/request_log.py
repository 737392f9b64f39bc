"""One request, one log context: a request id, and once known the user, party and command.

Pure ASGI (no task of its own), so what the endpoint binds is still bound when the request's closing
line is written. The request id comes from a well-formed ``X-Request-ID`` header or is made here, and
is returned in the response's ``X-Request-ID`` so an operator can find a user's request in the log.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog

from hotline.domain.access import Principal
from hotline.service.logs import logger

__all__ = ["RequestLogMiddleware", "bind_caller"]

log = logger("hotline.request")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def bind_caller(who: Principal, command: str | None) -> None:
    """Name the caller (and the command its route stands for) on every later line of this request."""
    structlog.contextvars.bind_contextvars(user=who.username, party=who.party, command=command)


class RequestLogMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                log.info("request", method=scope["method"], path=scope["path"], status=status,
                         ms=round((time.perf_counter() - started) * 1000, 1))
            structlog.contextvars.clear_contextvars()
