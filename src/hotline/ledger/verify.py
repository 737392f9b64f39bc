"""Recompute every chain and report the first broken link precisely.

Works on any iterable of event dicts in ``seq`` order (a database read or an exported file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from .envelope import GENESIS, HASHED_FIELDS
from .seal import reseal

__all__ = ["Break", "ChainReport", "verify_events"]


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the record does not hold together."""

    seq: int | None
    channel: str | None
    field: str
    detail: str

    def __str__(self) -> str:
        where = f"event seq={self.seq}" if self.seq is not None else "record"
        chan = f" in channel {self.channel!r}" if self.channel else ""
        return f"{where}{chan}, field {self.field!r}: {self.detail}"


@dataclass
class ChainReport:
    events: int = 0
    channels: dict[str, int] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


_ENVELOPE = frozenset((*HASHED_FIELDS, "hash"))


def _hash_of_encoded(ev: dict[str, Any], body: bytes) -> str:
    """The event hash from ``body``, the RFC 8785 bytes of the whole envelope, without encoding it again.

    With sorted keys the envelope's members are ``actor, chain_index, channel, hash, party, ...``: the
    bytes of the hashed form are ``body`` minus its one top-level ``,"hash":"<hex>"`` member. No string
    before it can contain that text (an unescaped quote cannot occur inside a JSON string), and no
    member before it is an object. Any other envelope shape takes the ordinary path.
    """
    h = ev["hash"]
    member = b',"hash":"' + h.encode() + b'"' if type(h) is str and len(h) == 64 and h.isascii() else b""
    at = body.find(b',"hash":"') if member else -1
    if at < 0 or body[at:at + len(member)] != member or ev.keys() != _ENVELOPE:
        return reseal(ev)
    return hashlib.sha256(body[:at] + body[at + len(member):]).hexdigest()


def verify_events(events: Iterable[dict[str, Any]] | Iterable[tuple[dict[str, Any], bytes]], *,
                  expected_heads: dict[str, tuple[int, str]] | None = None, encoded: bool = False) -> ChainReport:
    """Check seq is gapless from 1, each chain links, and each hash is the hash of its event.

    ``expected_heads`` (channel -> (length, head hash)), when given, is what the store's chain table
    claims; a truncated chain whose remaining links are intact is caught there. With ``encoded`` the
    items are ``(event, canonical bytes of the event)`` pairs, and the hash is taken from those bytes.
    """
    report = ChainReport()
    last_seq: dict[str, int] = {}
    expected_seq = 1
    for item in events:
        ev: dict[str, Any]
        body = b""
        if encoded:
            ev, body = cast(tuple[dict[str, Any], bytes], item)
        else:
            ev = cast(dict[str, Any], item)
        missing = [name for name in (*HASHED_FIELDS, "hash") if name not in ev]
        if missing:
            report.broken = Break(ev.get("seq"), ev.get("channel"), missing[0], "field is missing")
            return report
        seq, channel = ev["seq"], ev["channel"]
        if seq != expected_seq:
            report.broken = Break(seq, channel, "seq",
                                  f"expected seq {expected_seq}, got {seq} (an event was deleted or moved)")
            return report
        index = report.channels.get(channel, 0)
        if ev["chain_index"] != index:
            report.broken = Break(seq, channel, "chain_index", f"expected {index}, got {ev['chain_index']}")
            return report
        prev = report.heads.get(channel, GENESIS)
        if ev["prev_hash"] != prev:
            before = last_seq.get(channel)
            report.broken = Break(seq, channel, "prev_hash",
                                  f"expected {prev[:16]}…, got {str(ev['prev_hash'])[:16]}…: the event before it "
                                  f"in this channel (seq={before}) was rewritten, removed or reordered")
            return report
        actual = _hash_of_encoded(ev, body) if encoded else reseal(ev)
        if ev["hash"] != actual:
            report.broken = Break(seq, channel, "hash",
                                  f"stored {str(ev['hash'])[:16]}…, recomputed {actual[:16]}…: a field of this "
                                  "event (type, party, actor, ts or payload) was changed after it was written")
            return report
        report.heads[channel] = ev["hash"]
        last_seq[channel] = seq
        report.channels[channel] = index + 1
        report.events += 1
        expected_seq += 1
    for channel, (length, head) in (expected_heads or {}).items():
        if report.channels.get(channel, 0) != length or report.heads.get(channel, GENESIS) != head:
            report.broken = Break(None, channel, "chain_head",
                                  f"the chain table says {length} events ending {head[:16]}…, the events "
                                  f"give {report.channels.get(channel, 0)} ending "
                                  f"{report.heads.get(channel, GENESIS)[:16]}… "
                                  "(events were removed from the end)")
            return report
    return report

