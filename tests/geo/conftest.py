"""Fixtures for the geography suite: the demo zones and a notice builder with readable defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline.demo.geography import load_zones
from hotline.geo import Notice, Zone, notice_from_dict

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    """A time ``hours`` after NOW: scenarios read as "starts at +48 h"."""
    return NOW + timedelta(hours=hours)


def notice(
    nid: str,
    party: str,
    geometry: dict[str, Any],
    start_h: float,
    end_h: float,
    *,
    type: str = "ground_movement",
    **extra: Any,
) -> Notice:
    d: dict[str, Any] = {
        "id": nid,
        "party": party,
        "type": type,
        "geometry": geometry,
        "window": {"start": at(start_h).isoformat(), "end": at(end_h).isoformat()},
        **extra,
    }
    return notice_from_dict(d, now=NOW)


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def route(*lonlat: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in lonlat]}


@pytest.fixture(scope="session")
def zones() -> list[Zone]:
    return load_zones()


@pytest.fixture
def make_notice() -> Callable[..., Notice]:
    return notice
