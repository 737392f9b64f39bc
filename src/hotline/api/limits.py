"""Request body limits, counted while the body streams in, as a pure ASGI middleware.

A ``Content-Length`` header is a claim; a ``Transfer-Encoding: chunked`` body has none at all. So the
limit is enforced on the bytes themselves: every ``http.request`` message is counted as it arrives and
the request is refused (413, problem+json) once the count passes the limit, before the rest is read and
before any handler or dependency (authentication included) has seen a byte of it. A declared length
over the limit is refused before the first byte is read.

The refusal is raised as an ``HTTPException`` from ``receive``: FastAPI passes it through its body
parsing unchanged, so the one error handler (``api/problems.py``) renders it and the security headers
are added like on every other answer. If a handler outside FastAPI's body parsing lets it escape, this
middleware answers the same 413 itself, as long as no response has started. Put it inside the
security middleware so its answers carry the same headers.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

from .problems import problem

__all__ = ["BodyLimitMiddleware", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """The request body passed the limit; nothing of it was used."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is larger than {limit} bytes; nothing was saved.")
        self.limit = limit


class BodyLimitMiddleware:
    """Refuses a request whose body is larger than ``max_bytes`` (``upload_bytes`` for evidence uploads)."""

    def __init__(self, app: Any, *, max_bytes: int, upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # POSTs to an ``.../evidence`` path carry files; their handler checks the exact file limit.
        self.upload_bytes = upload_bytes

    def limit_for(self, scope: dict[str, Any]) -> int:
        if self.upload_bytes and scope["method"] == "POST" and scope["path"].endswith("/evidence"):
            return max(self.max_bytes, self.upload_bytes)
        return self.max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _answer_413(scope, receive, send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await _answer_413(scope, receive, send, limit)


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _answer_413(scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
    # The rest of the body is never read: the server drops the connection rather than drain it.
    exc = BodyTooLarge(limit)
    await problem(413, "Request too large", str(exc.detail))(scope, receive, send)
