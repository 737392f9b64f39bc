"""The OpenAPI document completed with what the routes alone do not state.

FastAPI documents each route's success answer and its own 422. The hotline also answers every error
as application/problem+json (RFC 9457) from ``problems``, refuses by role from ``policy`` (401/403),
hides what a party may not see (404), bounds bodies (413/415) and throttles (429): each operation's
possible answers are added here, from the same facts the code uses, so the contract cannot drift
route by route. Schemathesis (scripts/fuzz) checks every answer against this document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from . import policy

__all__ = ["install", "PROBLEM"]

PROBLEM: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; errors name each refused field.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "detail"],
            "properties": {"field": {"type": "string"}, "detail": {"type": "string"}}}},
    },
}
_REF = {"$ref": "#/components/schemas/Problem"}
_WHY = {
    400: "The body is not valid JSON.",
    401: "Not signed in: no, an expired or a revoked bearer token or session cookie.",
    403: "The caller's role or party may not do this (api/policy.py and the domain's rules).",
    404: "No such record, or one the caller's party may not see (the two read the same).",
    409: "The record's state does not allow this, or the id is taken.",
    413: "The body is larger than the server accepts.",
    415: "The body's media type is not one this operation reads.",
    422: "A field is out of range, malformed or missing; errors name it.",
    429: "Too many attempts; wait Retry-After seconds.",
    503: "The record could not be written; nothing was saved. Retry after Retry-After seconds.",
}
_BODY_STATUSES = (400, 413, 415)


def _statuses(method: str, path: str, op: dict[str, Any]) -> list[int]:
    rule = policy.rule_for(method.upper(), path)
    out = [422, 503]
    if rule is None or not rule.public:
        out += [401, 403, 404, 429]
    if method in ("post", "put", "patch", "delete"):
        out += [409, *_BODY_STATUSES, 429]
    if path.endswith("/auth/login"):
        out += [401, 429]
    return sorted(set(out))


def _complete(doc: dict[str, Any]) -> None:
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    body = schemas.get("MessageIn", {}).get("properties", {}).get("body")
    if body is not None:  # "" is the model's default only so a template may stand in for the text
        body.pop("default", None)
        body["description"] = "The text: required, and not empty, unless a template is given; at most 64 KiB."
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            for code, answer in responses.items():
                content = answer.get("content", {})
                js = content.get("application/json")
                # A route answering with a pre-encoded JSON response shows up as a string or as {}.
                if js is not None and js.get("schema") in ({}, {"type": "string"}, None):
                    js["schema"] = {"type": "object"}
                if code.startswith(("4", "5")):
                    answer["content"] = {"application/problem+json": {"schema": _REF}}
            for status in _statuses(method, path, op):
                responses.setdefault(str(status), {"description": _WHY[status],
                                                   "content": {"application/problem+json": {"schema": _REF}}})
            rule = policy.rule_for(method.upper(), path)
            if rule is not None and not rule.public:
                op.setdefault("security", [{"bearer": []}])
                roles = ", ".join(sorted(rule.roles))
                op["description"] = (op.get("description") or "") + f"\n\nRoles: {roles}."


def install(app: FastAPI) -> None:
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _complete(original())  # FastAPI's own document, cached on the app, completed in place
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
