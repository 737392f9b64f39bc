"""Request body limits, counted while the body streams in (enforced by ``edge.EdgeMiddleware``).

A ``Content-Length`` header is a claim; a ``Transfer-Encoding: chunked`` body has none at all. So the
limit is enforced on the bytes themselves: every ``http.request`` message is counted as it arrives and
the request is refused (413, problem+json) once the count passes the limit, before the rest is read and
before any handler or dependency (authentication included) has seen a byte of it. A declared length
over the limit is refused before the first byte is read.

The refusal is raised as an ``HTTPException`` from ``receive``: FastAPI passes it through its body
parsing unchanged, so the one error handler (``api/problems.py``) renders it and the security headers
are added like on every other answer. If a handler outside FastAPI's body parsing lets it escape, this
edge layer answers the same 413 itself, as long as no response has started, with the same security
headers as every other answer.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

from .problems import problem

__all__ = ["BodyTooLarge", "answer_413", "header"]


class BodyTooLarge(HTTPException):
    """The request body passed the limit; nothing of it was used."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is larger than {limit} bytes; nothing was saved.")
        self.limit = limit


def header(scope: dict[str, Any], name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def answer_413(scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
    # The rest of the body is never read: the server drops the connection rather than drain it.
    exc = BodyTooLarge(limit)
    await problem(413, "Request too large", str(exc.detail))(scope, receive, send)
