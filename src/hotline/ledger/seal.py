"""Sealing: the one definition of how a decided event becomes a ledger entry.

``seal`` takes what a decision produced (channel, type, party, actor, payload) and its place in the
record (the channel's chain head, the global seq, the server time) and returns the envelope with its
hash. The writer seals with it, test and benchmark exports seal with it, and the verifiers check an
event by sealing it again at the place the record says it holds (``reseal``): producer and verifier
cannot drift apart because there is only one of them.

Newly sealed events are envelope version 2 (``envelope.VERSION``: the hash does not cover the global
seq); ``v=1`` seals the way records written before it were, which the tests use to build old
records. ``reseal`` checks either by the version the envelope states.

The payload is round-tripped through its RFC 8785 form before hashing, so what is hashed is exactly
what is stored and exported; ``Sealed.payload_text`` is that form, kept so the store encodes it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from .envelope import GENESIS, VERSION, Event, canonical, event_hash, version

__all__ = ["ChainHead", "Decided", "Sealed", "seal", "reseal", "START"]


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where a channel's chain stands: how many events it holds and the hash of the last one."""

    length: int
    hash: str


# A channel with no event yet.
START = ChainHead(0, GENESIS)


class Decided(Protocol):
    """What a decision hands to the ledger (``hotline.domain.events.Pending`` is one)."""

    @property
    def channel(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def party(self) -> str | None: ...
    @property
    def actor(self) -> str | None: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Sealed:
    """A sealed event and the canonical text of its payload, exactly as hashed."""

    event: Event
    payload_text: str

    @property
    def head(self) -> ChainHead:
        """The channel's chain head once this event is appended."""
        return ChainHead(self.event.chain_index + 1, self.event.hash)


def _envelope(decided: Decided, payload: Any, head: ChainHead, seq: int, ts: str, version: int) -> dict[str, Any]:
    out = {"seq": seq, "channel": decided.channel, "chain_index": head.length, "ts": ts, "type": decided.type,
           "party": decided.party, "actor": decided.actor, "payload": payload, "prev_hash": head.hash}
    if version != 1:
        out["v"] = version
    return out


def seal(decided: Decided, head: ChainHead, seq: int, ts: str, *, v: int = VERSION) -> Sealed:
    """The envelope of ``decided`` appended at ``seq`` after ``head`` of its channel, at time ``ts``, in
    envelope version ``v``."""
    if v not in (1, 2):
        raise ValueError(f"unknown envelope version {v!r}")
    payload_bytes = canonical(dict(decided.payload))
    envelope = _envelope(decided, orjson.loads(payload_bytes), head, seq, ts, v)
    envelope["hash"] = event_hash(envelope)
    return Sealed(Event.from_dict(envelope), payload_bytes.decode())


@dataclass(frozen=True, slots=True)
class _Fields:
    channel: str
    type: str
    party: str | None
    actor: str | None
    payload: Mapping[str, Any]


def reseal(envelope: Mapping[str, Any]) -> str:
    """The hash ``seal`` gives the event ``envelope`` at the place it claims (its seq, chain index,
    previous hash and time) and in the version it states: equal to ``envelope["hash"]`` exactly when
    nothing was changed. Raises ValueError for an unknown version.

    The payload read back from JSON is already what sealing's round trip produces, so it is hashed as
    it stands (one encoding per event, which keeps verifying a large record quick)."""
    fields = _Fields(envelope["channel"], envelope["type"], envelope["party"], envelope["actor"],
                     envelope["payload"])
    head = ChainHead(envelope["chain_index"], envelope["prev_hash"])
    v = version(dict(envelope))
    return event_hash(_envelope(fields, envelope["payload"], head, envelope.get("seq", 0), envelope["ts"], v))
