"""Hot paths as plain Starlette endpoints in front of the FastAPI operations they stand for.

FastAPI spends, per request, more on solving an operation's dependencies and walking its parameters
than posting a message costs in the rest of the API layer. For the few operations on the hot path a
plain endpoint does the same steps in the same order, with the same answers:

1. read the body as FastAPI does for a JSON model parameter (``json_body``): a body that is not JSON
   is the same 400 ``Malformed JSON``; a body sent without a JSON content type stays bytes and fails
   validation as it does there;
2. the caller (``deps.principal``: the session, then the route's row in ``policy.POLICY``);
3. validate the body with the operation's own model (``validate_body``): the same 422 naming the field.

``install`` puts each endpoint in front of its operation; the operation itself stays registered, so
the OpenAPI document, the policy table (``scope["route"]`` is the operation's route), the metrics'
route template and ``Allow`` on a 405 are exactly what they were.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

__all__ = ["MISSING", "json_body", "validate_body", "install"]

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no body at all


async def json_body(request: Request) -> Any:
    """The request body as FastAPI hands it to a JSON model parameter (``fastapi.routing``)."""
    try:
        raw = await request.body()
        if not raw:
            return MISSING
        content_type = request.headers.get("content-type")
        if not content_type:
            return raw  # a JSON content type is required (FastAPI's strict_content_type)
        if content_type != "application/json":
            message = email.message.Message()
            message["content-type"] = content_type
            subtype = message.get_content_subtype()
            if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
                return raw
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", e.pos), "msg": "JSON decode error",
                                       "input": {}, "ctx": {"error": e.msg}}], body=e.doc) from e
    except HTTPException:
        raise  # the body limit's 413
    except Exception as e:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from e


def validate_body(adapter: TypeAdapter[T], body: Any) -> T:
    """``body`` as the operation's model, or the 422 FastAPI raises (errors located under ``body``)."""
    if body is MISSING:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return adapter.validate_python(body, from_attributes=True)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])}
                                      for err in e.errors(include_url=False)], body=body) from e


class _PlainRoute(Route):
    def __init__(self, operation: APIRoute, method: str, endpoint: Endpoint) -> None:
        super().__init__(operation.path, endpoint, methods=[method], name=operation.name, include_in_schema=False)
        self.operation = operation

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match != Match.NONE:
            child["route"] = self.operation  # what the policy table, the log and the metrics go by
        return match, child


def install(app: FastAPI, endpoints: Mapping[tuple[str, str], Endpoint]) -> None:
    """Serve each ``(method, path template)`` operation of ``app`` with its plain endpoint."""
    operations = {(method, ctx.original_route.path): ctx.original_route
                  for ctx in iter_route_contexts(app.routes) if isinstance(ctx.original_route, APIRoute)
                  for method in ctx.original_route.methods or ()}
    for (method, path), endpoint in endpoints.items():
        app.router.routes.insert(0, _PlainRoute(operations[(method, path)], method, endpoint))
