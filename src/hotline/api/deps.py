"""Who is calling: the bearer token or the browser's session cookie, never the request body."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from hotline.domain.access import Principal
from hotline.domain.errors import Unauthorized
from hotline.service.hotline import Hotline

from . import policy
from .request_log import bind_caller

__all__ = ["COOKIE", "hotline", "credential", "principal", "Caller", "Service"]

COOKIE = "hotline_session"


def hotline(conn: HTTPConnection) -> Hotline:
    hl: Hotline = conn.app.state.hotline
    return hl


async def service(conn: HTTPConnection) -> Hotline:
    # A dependency declared ``async`` runs inline; a plain ``def`` one would be sent to the thread
    # pool on every request, which cost more than the rest of posting a message.
    return hotline(conn)


def credential(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
        return token.strip()
    return conn.cookies.get(COOKIE) or None


async def principal(request: Request) -> Principal:
    token = credential(request)
    if token is None:
        raise Unauthorized("Log in first: send a bearer token or the session cookie.")
    who = await hotline(request).auth.authenticate(token)
    request.state.principal = who
    route = request.scope.get("route")
    bind_caller(who, getattr(route, "name", None))
    policy.check(request, who)  # the route's row in api/policy.py, before the route reads its body
    return who


Caller = Annotated[Principal, Depends(principal)]
Service = Annotated[Hotline, Depends(service)]
