"""Every error as RFC 9457 problem details, from one place.

A rejected request writes nothing: validation happens before the writer is asked, and a domain error
raised while deciding leaves the batch without that command's events.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from hotline.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooMany,
    Unauthorized,
    UnsupportedType,
)
from hotline.store.database import StoreUnavailable

__all__ = ["install", "problem", "status_of", "STATUS"]

log = logging.getLogger("hotline.api")
MEDIA = "application/problem+json"


# Each kind of domain error as (status, title); the most specific class on the error's MRO wins.
STATUS: dict[type[DomainError], tuple[int, str]] = {
    DomainError: (400, "Bad request"),
    Invalid: (422, "Invalid input"),
    TooLarge: (413, "Payload too large"),
    UnsupportedType: (415, "Unsupported media type"),
    NotFound: (404, "Not found"),
    Forbidden: (403, "Forbidden"),
    Conflict: (409, "Conflict"),
    Unauthorized: (401, "Unauthorized"),
    TooMany: (429, "Too many requests"),
}


def status_of(exc: DomainError) -> tuple[int, str]:
    """The HTTP status and title a domain error is reported with."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return STATUS[DomainError]


def problem(status: int, title: str, detail: str, *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _allowed(req: Request) -> str:
    """Every method some route serves at this path. Starlette names only the first route's methods,
    so OPTIONS /api/v1/disputes said ``Allow: POST`` though GET is served there too."""
    methods: set[str] = set()
    for ctx in iter_route_contexts(req.app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and route.matches(req.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_req: Request, exc: DomainError) -> JSONResponse:
        errors = [{"field": exc.field, "detail": exc.detail}] if exc.field else None
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooMany) else None
        status, title = status_of(exc)
        if status == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="hotline"'}
        return problem(status, title, exc.detail, errors=errors, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_req: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        if any(e.get("type") == "json_invalid" for e in raw):
            return problem(400, "Malformed JSON", "The request body is not valid JSON.",
                           errors=[{"field": "body", "detail": "not valid JSON"}])
        errors = []
        for e in raw:
            name = _field(tuple(e.get("loc", ())))
            msg = str(e.get("msg", "invalid"))
            if e.get("type") == "extra_forbidden":
                msg = "is not a field of this request (the acting party and user come from your session)"
            errors.append({"field": name, "detail": msg})
        detail = "; ".join(f"{x['field']}: {x['detail']}" for x in errors)
        return problem(422, "Invalid input", f"The request was not accepted: {detail}.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(req: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed(req)}
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, headers=headers)

    @app.exception_handler(StoreUnavailable)
    async def store_error(_req: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("store unavailable: %s", exc)
        return problem(503, "Service unavailable",
                       "The record could not be written; nothing was saved. Try again in a moment.",
                       headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def crash(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "Internal error", "The server failed on this request; nothing was saved.")
