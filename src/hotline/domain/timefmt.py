"""Time as the record writes it: server UTC, ISO 8601 with a Z, and the military date-time group."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso", "parse_iso", "dtg"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def iso(moment: datetime) -> str:
    """``2026-11-25T19:30:00.000000Z``: fixed width, so strings sort as the instants do."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in the record; pass an aware UTC datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"expected a time with a zone (…Z or +hh:mm), got {text!r}")
    return moment.astimezone(UTC)


def dtg(moment: datetime) -> str:
    """The date-time group ``DDHHMMZ MON YY``, e.g. ``251930Z NOV 26``."""
    m = moment.astimezone(UTC)
    return f"{m.day:02d}{m.hour:02d}{m.minute:02d}Z {_MONTHS[m.month - 1]} {m.year % 100:02d}"
