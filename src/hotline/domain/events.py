"""What a decision produces: events not yet in the ledger.

The ledger gives each one its ``seq``, ``chain_index``, ``ts`` and hashes when it is appended.
``aggregate`` names the projection row (kind, id) the event changes, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Pending", "SYSTEM"]

# The actor of events the hotline writes by itself (deadlines, escalations, automatic findings).
SYSTEM = "hotline"


@dataclass(frozen=True, slots=True)
class Pending:
    channel: str
    type: str
    party: str | None
    actor: str
    payload: dict[str, Any]
    aggregate: tuple[str, str] | None = None
    # Parties other than the channel members who must never see it are not modelled: visibility is
    # per channel, so a decision that must be private to some members picks a channel that is.
    extra: dict[str, Any] = field(default_factory=dict)
