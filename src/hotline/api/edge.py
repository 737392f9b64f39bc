"""The one ASGI layer every request passes: its log line, its latency, the security headers, the body limit.

These were four pure ASGI middlewares, each wrapping ``send`` (and one ``receive``) in a closure of its
own; every response message then went through four extra awaits, and posting a message paid for that
on the hot path. Here they are one layer, in the order they had (outermost first), with the same
answers:

1. request log (``request_log``): a request id from a well-formed ``X-Request-ID`` or made here, bound
   to the log context for the whole request (WebSocket streams too) and returned in ``X-Request-ID``;
   one line per HTTP request with its status and time;
2. metrics (``metrics``): every HTTP request timed by its route template;
3. security (``security``): the Content-Security-Policy and the other headers on every answer, and a
   cookie-authenticated unsafe request from another origin refused (403);
4. body limit (``limits``): a body larger than the limit refused (413), counted as it streams in.
"""

from __future__ import annotations

import os
import time
from typing import Any

import structlog
from prometheus_client import Histogram

from .limits import BodyTooLarge, answer_413
from .request_log import REQUEST_ID, log
from .security import COMMON, DOCS_CSP, UNSAFE, SecurityPolicy, refuse

__all__ = ["EdgeMiddleware"]


class EdgeMiddleware:
    def __init__(self, app: Any, *, cookie_name: str, histogram: Histogram, max_bytes: int,
                 upload_bytes: int = 0) -> None:
        self.app = app
        self.security = SecurityPolicy(cookie_name=cookie_name)
        self.histogram = histogram
        self.max_bytes = max_bytes
        # POSTs to an ``.../evidence`` path carry files; their handler checks the exact file limit.
        self.upload_bytes = upload_bytes
        csp = self.security.csp.encode()
        self._api_headers = [*COMMON, *self.security.hsts, (b"content-security-policy", csp),
                             (b"cache-control", b"no-store")]
        self._page_headers = [*COMMON, *self.security.hsts, (b"content-security-policy", csp)]
        self._docs_headers = [*COMMON, *self.security.hsts, (b"content-security-policy", DOCS_CSP.encode())]

    def limit_for(self, scope: dict[str, Any]) -> int:
        if self.upload_bytes and scope["method"] == "POST" and scope["path"].endswith("/evidence"):
            return max(self.max_bytes, self.upload_bytes)
        return self.max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind != "websocket":
                await self.app(scope, receive, send)
                return
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(request_id=_request_id(dict(scope["headers"]).get(b"x-request-id")))
            try:
                await self.app(scope, receive, send)
            finally:
                structlog.contextvars.clear_contextvars()
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        request_id = _request_id(headers.get(b"x-request-id"))
        id_header = (b"x-request-id", request_id.encode())
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        path: str = scope["path"]
        status = 0
        response_started = False
        extra = (self._docs_headers if path.startswith("/docs") else
                 self._api_headers if path.startswith("/api/") else self._page_headers)

        async def send_out(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", ()), *extra, id_header]
            await send(message)

        try:
            if scope["method"] in UNSAFE and b"authorization" not in headers and self.security.cross_site(
                    scope, headers):
                status = 403
                await refuse(_with_id(send, id_header), 403, "Cross-site request refused",
                             "This request carries your session cookie but does not come from this site.",
                             self.security.refusal_headers())
                return
            limit = self.limit_for(scope)
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                await answer_413(scope, receive, send_out, limit)
                return
            seen = 0

            async def counting_receive() -> dict[str, Any]:
                nonlocal seen
                message: dict[str, Any] = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        raise BodyTooLarge(limit)
                return message

            try:
                await self.app(scope, counting_receive, send_out)
            except BodyTooLarge:
                if response_started:
                    raise
                await answer_413(scope, receive, send_out, limit)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.histogram.labels(scope["method"], route, str(status or 500)).observe(elapsed)
            log.info("request", method=scope["method"], path=path, status=status, ms=round(elapsed * 1000, 1))
            structlog.contextvars.clear_contextvars()


def _request_id(given: bytes | None) -> str:
    text = (given or b"").decode("latin-1")
    # 32 hex digits from the same source as uuid4's, without building a UUID (a fifth of the cost).
    return text if REQUEST_ID.fullmatch(text) else os.urandom(16).hex()


def _with_id(send: Any, id_header: tuple[bytes, bytes]) -> Any:
    """``send`` for an answer that already carries the security headers: add the request id only."""

    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), id_header]
        await send(message)

    return sending
