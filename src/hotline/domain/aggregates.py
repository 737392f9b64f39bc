"""The registry of projected aggregates: how each kind's state follows from its events.

A feature adds a kind here (``message``, later ``notice``, ``incident`` …). The store keeps one row
per aggregate holding the state that ``evolve`` derived, updated in the same transaction as the events;
``next_due`` feeds the timer that calls ``tick``. Nothing else changes an aggregate's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import (
    commitments,
    desks,
    disputes,
    findings,
    incidents,
    line,
    messages,
    notices,
    sightings,
    translations,
    witness_keys,
    zones_agreed,
)
from .events import Pending
from .world import World

__all__ = ["AggregateKind", "KINDS", "register"]

State = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AggregateKind:
    name: str
    evolve: Callable[[State | None, dict[str, Any]], State]
    next_due: Callable[[State], str | None]
    tick: Callable[[World, State, datetime], list[Pending]] | None = None
    # The parties whose action the aggregate waits for (an acknowledgement, an answer).
    awaiting: Callable[[State], list[str]] = lambda _state: []


KINDS: dict[str, AggregateKind] = {}


def register(kind: AggregateKind) -> AggregateKind:
    KINDS[kind.name] = kind
    return kind


register(AggregateKind(messages.KIND, messages.evolve, messages.next_due, messages.tick, messages.awaiting))
register(AggregateKind(incidents.KIND, incidents.evolve, incidents.next_due, incidents.tick, incidents.awaiting))
register(AggregateKind(disputes.KIND, disputes.evolve, disputes.next_due, None, disputes.awaiting))
for _kind in (commitments.ROUND, commitments.UNDERSTANDING, commitments.COMMITMENT):
    register(AggregateKind(_kind, commitments.evolve, commitments.next_due, commitments.tick, commitments.awaiting))
register(AggregateKind(witness_keys.KIND, witness_keys.evolve, witness_keys.next_due))
register(AggregateKind(zones_agreed.KIND, zones_agreed.evolve, zones_agreed.next_due, None, zones_agreed.awaiting))
register(AggregateKind(notices.KIND, notices.evolve, notices.next_due, notices.tick, notices.awaiting))
register(AggregateKind(findings.KIND, findings.evolve, findings.next_due, findings.tick, findings.awaiting))
register(AggregateKind(desks.KIND, desks.evolve, desks.next_due, desks.tick))
register(AggregateKind(line.KIND, line.evolve, line.next_due))
register(AggregateKind(translations.KIND, translations.evolve, translations.next_due, None, translations.awaiting))
register(AggregateKind(sightings.KIND, sightings.evolve, sightings.next_due))
