"""Bounded request parameters, defined once and used by every route.

SQLite's INTEGER and PostgreSQL's BIGINT hold 64-bit signed integers; Python's int does not stop there,
so an unbounded ``?after=1e30``-sized number reached the driver and failed there (a 500). Every integer
the API reads is bounded here, so out-of-range input is a 422 naming the field, written nowhere.
Routes use these as one-line annotations: ``after: params.After = 0``.

The stream cannot answer 422 (it is a WebSocket): an out-of-range ``after`` is accepted and closed at
once with ``CLOSE_INVALID`` (4022) and a reason naming the field (``install`` wires this).

Dates are bounded by ``bounded_datetime``: a year 1 or 9999 instant with a zone offset is outside
what ``datetime`` can hold once moved to UTC. Free-form JSON in a body (``JsonObject``: GeoJSON, a
notice's window, a witness's evidence; ``check_depth`` for a document sent as text) is bounded in
nesting depth before anything recursive walks it, and its integers to what RFC 8785 canonical JSON,
which the ledger hashes, can encode (±2**53-1).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, WebSocket
from fastapi.exceptions import WebSocketRequestValidationError
from pydantic import AfterValidator, Field

from hotline.domain.errors import Invalid

__all__ = ["MAX_INT", "CLOSE_INVALID", "After", "Before", "AfterSize", "TreeSize", "OptionalTreeSize",
           "OptionalPositiveSize", "SeqPath", "IndexPath", "JsonInt", "JsonObject", "MAX_JSON_INT",
           "bounded_datetime", "check_depth", "MAX_DEPTH", "load_json", "install", "MIN_TIME", "MAX_TIME"]

MAX_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL (BIGINT) hold
CLOSE_INVALID = 4022  # the stream's close code for an invalid query parameter
MAX_DEPTH = 64  # nesting of a JSON document; GeoJSON needs 5 (a MultiPolygon's coordinates)
# The instants the record can speak of: a date beyond these is a typing error, not a period.
MIN_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(9000, 1, 1, tzinfo=UTC)

After = Annotated[int, Query(ge=0, le=MAX_INT, description="Only events with a larger seq (the caller's own cursor).")]
Before = Annotated[int | None, Query(ge=1, le=MAX_INT, description="Only items older than this cursor.")]
AfterSize = Annotated[int, Query(ge=-1, le=MAX_INT, description="Only checkpoints of a larger tree size.")]
TreeSize = Annotated[int, Query(ge=0, le=MAX_INT, description="A tree size.")]
OptionalTreeSize = Annotated[int | None, Query(ge=0, le=MAX_INT, description="A tree size.")]
OptionalPositiveSize = Annotated[int | None, Query(ge=1, le=MAX_INT, description="A tree size.")]
SeqPath = Annotated[int, Path(ge=0, le=MAX_INT, description="An event's seq.")]
IndexPath = Annotated[int, Path(ge=0, le=MAX_INT, description="A number within its parent.")]
# An integer in a JSON body (casualties, a round's number): one every JSON reader holds exactly
# (RFC 8785 canonical JSON, which the ledger hashes, is limited to these). The domain's own rules,
# such as "not negative", still speak for themselves.
MAX_JSON_INT = 2**53 - 1
JsonInt = Annotated[int, Field(ge=-MAX_JSON_INT, le=MAX_JSON_INT)]


def bounded_datetime(value: datetime, field: str) -> datetime:
    """``value`` in UTC, or an ``Invalid`` naming ``field`` when it lies outside what the record can hold."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise Invalid(f"{value.isoformat()} is out of range.", field=field) from None
    if not MIN_TIME <= utc < MAX_TIME:
        raise Invalid(f"{value.isoformat()} is out of range (years {MIN_TIME.year} to {MAX_TIME.year - 1}).",
                      field=field)
    return value


def _problem(doc: Any, limit: int) -> str | None:
    """What makes a JSON value unfit for the record (too deep, an integer no JSON reader holds), or None.
    Walks with its own stack, so a deep document cannot exhaust Python's recursion limit."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return f"The document is nested deeper than {limit} levels."
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INT:
            return f"The integer {value} is beyond what JSON readers hold exactly (±{MAX_JSON_INT})."
    return None


def check_depth(doc: Any, field: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a JSON value nested deeper than ``limit`` or holding an out-of-range integer."""
    problem = _problem(doc, limit)
    if problem is not None:
        raise Invalid(problem, field=field)


def _fit_document(doc: dict[str, Any]) -> dict[str, Any]:
    problem = _problem(doc, MAX_DEPTH)
    if problem is not None:
        raise ValueError(problem)
    return doc


# A free-form JSON object in a request body (GeoJSON, a notice's window, a witness's evidence).
JsonObject = Annotated[dict[str, Any], AfterValidator(_fit_document)]


def load_json(text: str, field: str) -> Any:
    """``json.loads`` for a document inside a request, with nesting the parser cannot follow refused."""
    try:
        return json.loads(text)
    except RecursionError:
        raise Invalid(f"The document is nested deeper than {MAX_DEPTH} levels.", field=field) from None
    except json.JSONDecodeError as e:
        raise Invalid(f"The document is not valid JSON ({e.msg}).", field=field) from e


def install(app: FastAPI) -> None:
    """Close a stream whose query is invalid with ``CLOSE_INVALID`` instead of refusing the handshake
    with a bare 403, so a client can tell a bad cursor from a refused login."""

    @app.exception_handler(WebSocketRequestValidationError)
    async def invalid_stream(ws: WebSocket, exc: WebSocketRequestValidationError) -> None:
        names = [".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path")) for e in exc.errors()]
        await ws.accept()
        await ws.close(CLOSE_INVALID, f"invalid {', '.join(names) or 'query'}"[:120])
