"""What the conflict engine reports: a Finding that explains itself.

Rule codes (stable; the console translates by code, the English sentence is for logs and tests):

=========================  ============================================================================
``separation.forces``      military forces (troops, tanks, artillery, SAM) in an area of separation
``limitation.troops``      one party's troops at one moment in an area of limitation over its cap
``limitation.tanks``       the same for tanks
``limitation.artillery``   the same for artillery pieces
``limitation.artillery_range``  artillery whose range exceeds what the area allows
``sam.band``               surface-to-air missiles inside a SAM exclusion band
``airspace.restricted``    an air activity inside restricted airspace, within its altitude band
``protected_site.buffer``  an activity closer to a protected site than its buffer
``notice.overlap``         two parties' activities close in space, time and (if both say) altitude
``notice.late``            a notice filed with less lead time than its type requires
=========================  ============================================================================

``by_how_much`` carries the numbers: ``{"cap", "declared", "excess"}`` for caps, ``{"distance_m",
"buffer_m"}`` for distances, altitude bands as ``[min_m, max_m]`` pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["RULES", "Finding", "iso"]

RULES = (
    "separation.forces",
    "limitation.troops",
    "limitation.tanks",
    "limitation.artillery",
    "limitation.artillery_range",
    "sam.band",
    "airspace.restricted",
    "protected_site.buffer",
    "notice.overlap",
    "notice.late",
)


def iso(t: datetime) -> str:
    """UTC time as 2026-11-25T06:00:00Z: the form both sides read the same way."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Finding:
    """One clash. ``where`` is (lat, lon) of a representative point; ``when`` the clash interval (UTC)."""

    rule: str
    parties: tuple[str, ...]
    notices: tuple[str, ...]
    zone: str | None
    where: tuple[float, float]
    when: tuple[datetime, datetime]
    by_how_much: Mapping[str, Any]
    explanation: str

    def key(self) -> tuple[str, str, tuple[str, ...], datetime, datetime]:
        """Identity of a finding, for sorting and comparing two engines' answers."""
        return (self.rule, self.zone or "", self.notices, self.when[0], self.when[1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (times as ISO 8601 UTC strings) for events and the API."""
        return {
            "rule": self.rule,
            "parties": list(self.parties),
            "notices": list(self.notices),
            "zone": self.zone,
            "where": {"lat": self.where[0], "lon": self.where[1]},
            "when": {"start": iso(self.when[0]), "end": iso(self.when[1])},
            "by_how_much": dict(self.by_how_much),
            "explanation": self.explanation,
        }
