"""Use cases of incidents: report, the workflow steps, evidence in and out, read."""

from __future__ import annotations

import uuid
from typing import Any

from hotline.domain import incidents
from hotline.domain.access import Principal
from hotline.domain.errors import Invalid, NotFound, TooLarge, UnsupportedType
from hotline.domain.events import Pending
from hotline.geo.coords import format_all, parse_location
from hotline.geo.errors import GeoError
from hotline.service.unit_of_work import UnitOfWork
from hotline.store.evidence import Blob, get_blob, put_blob, sha256_hex
from hotline.store.ledger import list_aggregates, list_awaiting, load_aggregate

from .commands import on_aggregate
from .hotline import Hotline

__all__ = ["new_incident_id", "read_location", "report", "act", "attach_evidence", "get_incident",
           "list_incidents", "awaiting_me", "get_evidence", "sniff", "MAX_EVIDENCE_BYTES", "ALLOWED_TYPES"]

KIND = incidents.KIND
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = ("image/jpeg", "image/png", "application/pdf", "text/plain")


def new_incident_id() -> str:
    return "inc-" + uuid.uuid4().hex[:20]


def read_location(spec: dict[str, Any]) -> incidents.Location:
    """A location from ``{"text": any grid}`` or ``{"lat", "lon"}``, with ``uncertainty_m``.

    A grid reference that names a square (MGRS) is as uncertain as its square is large, so the radius
    recorded is never smaller than the precision the reference itself carries.
    """
    radius = float(spec.get("uncertainty_m", 0.0))
    if spec.get("text"):
        try:
            parsed = parse_location(str(spec["text"]))
        except GeoError as e:
            raise Invalid(e.detail, field="location.text") from None
        lat, lon, grid, text = parsed.lat, parsed.lon, parsed.grid, parsed.text
        radius = max(radius, round(parsed.precision_m, 1))
    elif spec.get("lat") is not None and spec.get("lon") is not None:
        lat, lon, grid, text = float(spec["lat"]), float(spec["lon"]), "dd", ""
    else:
        raise Invalid("Give the location as text in any grid (DD, DMS, MGRS, UTM, ITM) or as lat and lon.",
                      field="location")
    loc = incidents.Location(lat, lon, radius, grid, text)
    incidents.check_location(loc)
    try:
        formats = format_all(lat, lon)
    except (GeoError, ValueError):  # a point some grid cannot name (e.g. MGRS near the poles) keeps the others
        formats = {"dd": f"{lat:.6f}, {lon:.6f}"}
    return incidents.Location(lat, lon, radius, grid, text, formats)


async def report(hl: Hotline, who: Principal, cmd: incidents.ReportIncident) -> tuple[dict[str, Any], bool]:
    incidents.validate_report(hl.world, cmd, hl.clock())

    return await on_aggregate(hl, KIND, cmd.incident_id, new=True,
                              decide=lambda existing, _others, now: incidents.decide_report(
                                  hl.world, who, cmd, now, existing))


async def act(hl: Hotline, who: Principal, cmd: incidents.Step) -> tuple[dict[str, Any], bool]:
    """One workflow step on an existing incident; returns its state and whether anything was written."""
    return await on_aggregate(hl, KIND, cmd.incident_id, lambda state, _others, now: incidents.decide(
        hl.world, who, state, cmd, now))


def sniff(data: bytes) -> str | None:
    """The type the bytes really are, by their magic numbers; None for anything we do not accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Text is text only if it has no control characters besides tab and line breaks.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\x7f" in text:
        return None
    return "text/plain"


def check_file(data: bytes, declared: str | None) -> str:
    if len(data) > MAX_EVIDENCE_BYTES:
        raise TooLarge(f"The file is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB; send a smaller one.",
                       field="file")
    if not data:
        raise Invalid("The file is empty.", field="file")
    actual = sniff(data)
    if actual is None:
        raise UnsupportedType(f"This kind of file is not accepted; send one of {', '.join(ALLOWED_TYPES)}.",
                              field="file")
    base = (declared or "").split(";", 1)[0].strip().lower()
    if base and base != "application/octet-stream" and base != actual:
        raise UnsupportedType(f"The file is declared as {base} but its content is {actual}; declare it truly.",
                              field="file")
    return actual


async def attach_evidence(hl: Hotline, who: Principal, incident_id: str, data: bytes, declared: str | None,
                          filename: str, description: str = "") -> tuple[dict[str, Any], bool]:
    media_type = check_file(data, declared)
    sha = sha256_hex(data)
    # The name goes into a Content-Disposition header later: ASCII letters, digits and ._- only.
    name = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "._- "))[:120].strip() or sha[:12]
    blob = {"sha256": sha, "size": len(data), "media_type": media_type, "filename": name,
            "description": description}

    async def handle(uow: UnitOfWork) -> list[Pending]:
        state = await uow.load(KIND, incident_id)
        decided = incidents.decide_evidence(hl.world, who, state, incident_id, blob)
        if decided:  # the bytes join the same transaction as the event naming them
            await put_blob(uow.conn, Blob(sha, len(data), media_type, data), uow.ts, is_sqlite=hl.db.is_sqlite)
        return decided

    events, state = await hl.writer.submit(handle, lambda uow: uow.peek(incident_id))
    return state, bool(events)


async def get_incident(hl: Hotline, who: Principal, incident_id: str) -> dict[str, Any]:
    async with hl.db.read() as conn:
        state = await load_aggregate(conn, KIND, incident_id)
    if state is None or state["channel"] not in hl.world.channels_of(who.party):
        raise NotFound(f"No incident {incident_id!r} is visible to you.", field="incident_id")
    return state


async def list_incidents(hl: Hotline, who: Principal, *, status: str | None = None, limit: int = 200,
                         before: int | None = None) -> list[dict[str, Any]]:
    async with hl.db.read() as conn:
        items = await list_aggregates(conn, KIND, hl.world.channels_of(who.party), limit=limit, before=before)
    return [i for i in items if status is None or i["status"] == status]


async def awaiting_me(hl: Hotline, who: Principal) -> list[dict[str, Any]]:
    if who.party is None:
        return []
    async with hl.db.read() as conn:
        return await list_awaiting(conn, KIND, who.party, hl.world.channels_of(who.party))


async def get_evidence(hl: Hotline, who: Principal, incident_id: str, sha256: str) -> tuple[Blob, dict[str, Any]]:
    """The bytes and their ledger entry, only if the file is attached to an incident the caller sees."""
    state = await get_incident(hl, who, incident_id)
    entry = next((e for e in state["evidence"] if e["sha256"] == sha256.lower()), None)
    if entry is None:
        raise NotFound(f"Incident {incident_id!r} has no evidence {sha256!r}.", field="sha256")
    async with hl.db.read() as conn:
        blob = await get_blob(conn, entry["sha256"])
    if blob is None or sha256_hex(blob.data) != entry["sha256"]:
        raise NotFound("The stored file does not match the hash in the record; it is withheld.", field="sha256")
    return blob, entry
