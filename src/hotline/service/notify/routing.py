"""Which deliveries an escalation step calls for: one per target and medium (and e-mail address).

Pure: from the world file and one ledger event to the delivery-log rows to create. The console medium
needs no sending: the step's own ledger event is what the desk's console shows, so its row is written
as delivered at once (or failed, if the target's party does not see the event's channel).
"""

from __future__ import annotations

from typing import Any

from hotline.domain.world import World
from hotline.ledger.envelope import Event

__all__ = ["is_step", "plan_deliveries", "item_of", "target_party", "aggregate_kind"]

_STEP_SUFFIXES = (".ack_overdue", ".ack_escalated", ".escalation_step")


def is_step(event: Event) -> bool:
    return event.type.endswith(_STEP_SUFFIXES) and isinstance(event.payload.get("party"), str)


# A link test's steps are about its desk: the desk's record holds the test and its escalation.
_AGGREGATE = {"linktest": "desk"}


def aggregate_kind(event_type: str) -> str:
    """The kind of aggregate an escalation event of ``event_type`` is about."""
    prefix = event_type.split(".", 1)[0]
    return _AGGREGATE.get(prefix, prefix)


def item_of(event: Event) -> tuple[str, str]:
    """The aggregate kind and id the step is about (``message``/``msg-…``, ``desk``/``desk:isr``)."""
    kind = aggregate_kind(event.type)
    return kind, str(event.payload.get(f"{kind}_id", ""))


def target_party(world: World, target: str, party: str) -> str | None:
    """Whose people a target names: the failing party's desk or supervisors, the mediator, a principal's."""
    if target in ("desk", "supervisors"):
        return party
    if target == "mediator":
        return world.mediator
    if target.startswith("principal:"):
        return world.escalation.principals.get(target[len("principal:"):])
    return None


def plan_deliveries(world: World, event: Event) -> list[dict[str, Any]]:
    p = event.payload
    party = p["party"]
    targets = p.get("targets") or [t for t in str(p.get("escalated_to", "")).split(",") if t]
    media = p.get("channels") or ["console"]
    kind, item_id = item_of(event)
    step = p.get("step") or (2 if event.type.endswith(".ack_escalated") else 1)
    members = world.channels[event.channel].members if event.channel in world.channels else ()
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def row(target: str, tparty: str | None, medium: str, address: str, status: str,
            outcome: str | None = None) -> None:
        if (medium, address) in seen and medium != "console":
            return  # two targets reached at one address get one delivery
        seen.add((medium, address))
        key = target if tparty is None or target.startswith("principal:") else f"{tparty}/{target}"
        log = [] if outcome is None else [{"at": event.ts, "attempt": 0, "outcome": status, "detail": outcome}]
        rows.append({"id": f"{event.seq}:{key}:{medium}:{len(rows)}"[:96], "event_seq": event.seq,
                     "event_type": event.type, "channel": event.channel, "item_id": item_id, "party": party,
                     "step": step, "target": key, "target_party": tparty, "medium": medium, "address": address,
                     "status": status, "attempts": 0, "log": log,
                     "next_at": event.ts if status == "pending" else None, "lease_until": None,
                     "created_at": event.ts, "updated_at": event.ts})

    for target in targets:
        tparty = target_party(world, target, party)
        contact = world.escalation.contact(target, tparty)
        for medium in media:
            if medium == "console":
                if tparty is not None and tparty in members:
                    row(target, tparty, medium, f"console:{event.channel}", "delivered",
                        f"on the console of {tparty}")
                else:
                    row(target, tparty, medium, f"console:{event.channel}", "failed",
                        f"{tparty or target} does not see channel {event.channel}")
            elif medium == "email":
                addresses = contact.email if contact else ()
                if not addresses:
                    row(target, tparty, medium, "-", "failed", "no e-mail address is configured for this target")
                for address in addresses:
                    row(target, tparty, medium, address, "pending")
            elif medium == "webhook":
                if contact is None or not contact.webhook:
                    row(target, tparty, medium, "-", "failed", "no webhook is configured for this target")
                else:
                    row(target, tparty, medium, contact.webhook, "pending")
    return rows
