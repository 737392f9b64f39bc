"""The event envelope and its hash.

Every event is hashed as SHA-256 over the RFC 8785 (JCS) canonical JSON of the envelope without its
``hash`` field. ``prev_hash`` links each event to the previous one of the same channel; the first
event of a channel links to ``GENESIS``. Because ``seq``, ``channel`` and ``chain_index`` are inside
the hashed form, changing, deleting or reordering any event breaks a link that verification names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import rfc8785

__all__ = ["GENESIS", "Event", "HASHED_FIELDS", "canonical", "event_hash"]

GENESIS = "0" * 64

# The fields that the hash covers, in the order the envelope documents them.
HASHED_FIELDS = ("seq", "channel", "chain_index", "ts", "type", "party", "actor", "payload", "prev_hash")


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``."""
    return rfc8785.dumps(value)


def event_hash(envelope: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical form of ``envelope``'s hashed fields."""
    body = {name: envelope[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One ledger entry. ``seq`` is global and gapless; ``chain_index`` counts within ``channel``."""

    seq: int
    channel: str
    chain_index: int
    ts: str
    type: str
    party: str | None
    actor: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "channel": self.channel,
            "chain_index": self.chain_index,
            "ts": self.ts,
            "type": self.type,
            "party": self.party,
            "actor": self.actor,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            seq=d["seq"],
            channel=d["channel"],
            chain_index=d["chain_index"],
            ts=d["ts"],
            type=d["type"],
            party=d["party"],
            actor=d["actor"],
            payload=d["payload"],
            prev_hash=d["prev_hash"],
            hash=d["hash"],
        )

    def sealed(self) -> Event:
        """This event with its ``hash`` computed."""
        d = self.to_dict()
        return Event.from_dict({**d, "hash": event_hash(d)})
