"""Shared bits of the incident tests: a report body, small files of each type, event counting."""

from __future__ import annotations

from typing import Any

from hotline.service.hotline import Hotline
from hotline.store.ledger import read_events

# Just enough of each format for the magic-byte check: what matters is what the bytes say they are.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def report_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "uav_sighting",
        "occurred_from": "2026-11-25T19:10:00Z",
        "occurred_to": "2026-11-25T19:25:00Z",
        "location": {"lat": 33.1256, "lon": 35.8241, "uncertainty_m": 300},
        "involved": ["isr"],
        "description": "A small UAV crossed west to east over the Area of Separation near Quneitra.",
        "language": "en",
        "casualties": {"killed": 0, "injured": 0},
        "damage": "None observed.",
    }
    body.update(fields)
    return body


async def count_events(hl: Hotline) -> int:
    async with hl.db.read() as conn:
        return len(await read_events(conn, after=0, channels=None, limit=1_000_000))


async def event_types(hl: Hotline) -> list[str]:
    async with hl.db.read() as conn:
        return [e.type for e in await read_events(conn, after=0, channels=None, limit=1_000_000)]
