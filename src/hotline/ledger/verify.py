"""Recompute every chain and report the first broken link precisely.

Works on any iterable of event dicts in ``seq`` order (a database read or an exported file), of
either envelope version (``hotline.ledger.envelope``): a record written before version 2 and extended
after it holds both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from .envelope import GENESIS, HASHED_FIELDS_V1, HASHED_FIELDS_V2, leaf_data, version
from .seal import reseal

__all__ = ["Break", "ChainReport", "encoded_leaf", "verify_events"]


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


_ENVELOPE_V1 = frozenset((*HASHED_FIELDS_V1, "hash"))
_ENVELOPE_V2 = frozenset((*HASHED_FIELDS_V2, "seq", "hash"))


def _hash_of_encoded(ev: dict[str, Any], body: bytes) -> str:
    """The event hash from ``body``, the RFC 8785 bytes of the whole envelope, without encoding it again.

    With sorted keys the envelope's members are ``actor, chain_index, channel, hash, party, payload,
    prev_hash, seq, ts, type[, v]``: the bytes of the hashed form are ``body`` minus its one top-level
    ``,"hash":"<hex>"`` member (and, for version 2, minus its ``,"seq":N`` member). No string can
    contain either text (an unescaped quote cannot occur inside a JSON string); no member before
    ``hash`` is an object, and none after ``seq`` is, so the first ``hash`` and the last ``seq`` found
    are the top-level ones. Any other envelope shape takes the ordinary path.
    """
    h = ev["hash"]
    member = b',"hash":"' + h.encode() + b'"' if type(h) is str and len(h) == 64 and h.isascii() else b""
    at = body.find(b',"hash":"') if member else -1
    keys = ev.keys()
    if at < 0 or body[at:at + len(member)] != member or (keys != _ENVELOPE_V1 and keys != _ENVELOPE_V2):
        return reseal(ev)
    hashed = body[:at] + body[at + len(member):]
    if keys == _ENVELOPE_V2:
        seq = ev["seq"]
        seq_member = b',"seq":' + str(seq).encode() if type(seq) is int else b""
        cut = hashed.rfind(b',"seq":')
        if not seq_member or cut < 0 or hashed[cut:cut + len(seq_member) + 1] != seq_member + b",":
            return reseal(ev)
        hashed = hashed[:cut] + hashed[cut + len(seq_member):]
    return hashlib.sha256(hashed).hexdigest()


def encoded_leaf(ev: dict[str, Any], body: bytes) -> bytes:
    """``leaf_data(ev)`` from ``body``, the canonical bytes of ``ev``: the body itself for version 1,
    the body minus its top-level ``,"seq":N`` member for version 2 (the last one: see above)."""
    if version(ev) == 1:
        return body
    seq = ev.get("seq")
    member = b',"seq":' + str(seq).encode() + b"," if type(seq) is int else b""
    cut = body.rfind(b',"seq":')
    if not member or cut < 0 or body[cut:cut + len(member)] != member:
        return leaf_data(ev)
    return body[:cut] + body[cut + len(member) - 1:]


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
        try:
            fields = HASHED_FIELDS_V1 if version(ev) == 1 else (*HASHED_FIELDS_V2, "seq")
        except ValueError as e:
            report.broken = Break(ev.get("seq"), ev.get("channel"), "v",
                                  f"{e}: this verifier knows envelope versions 1 and 2")
            return report
        missing = [name for name in (*fields, "hash") if name not in ev]
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
            report.broken = Break(seq, channel, "chain_index",
                                  f"expected {index}, got {ev['chain_index']}: the channel's event {index} is "
                                  f"not here (after seq={last_seq.get(channel)}, its previous event in this "
                                  "channel); it was removed, or moved in the record's order")
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
                                  "event (type, party, actor, ts, payload or v) was changed after it was written")
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

