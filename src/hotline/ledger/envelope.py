"""The event envelope and its hash, in two versions.

Every event is hashed as SHA-256 over the RFC 8785 (JCS) canonical JSON of its hashed fields.
``prev_hash`` links each event to the previous one of the same channel; the first event of a channel
links to ``GENESIS``. ``channel`` and ``chain_index`` are inside the hashed form, so changing, deleting
or reordering any event breaks a link that verification names.

- Version 1 (no ``v`` member; every event sealed before envelope version 2): the hash covers the
  global ``seq`` too, so checking it needs the ledger's global order.
- Version 2 (``"v": 2``): the hash leaves the global ``seq`` out. A channel's chain is ordered by
  ``chain_index`` and linked by ``prev_hash`` alone, so a party can check its channels' events without
  learning how many events of other channels lie between them (see ``reader_form``).

The Merkle leaf of an event (``leaf_data``) follows the same rule: the whole envelope for version 1,
the envelope without ``seq`` for version 2.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import rfc8785

__all__ = ["is_canonical", "GENESIS", "Event", "HASHED_FIELDS", "HASHED_FIELDS_V1", "HASHED_FIELDS_V2", "VERSION",
           "canonical", "event_hash", "hashed_fields", "leaf_data", "reader_form", "ledger_form", "version"]

GENESIS = "0" * 64

# The envelope version every newly sealed event gets.
VERSION = 2

# The fields that the hash covers, in the order the envelope documents them.
HASHED_FIELDS_V1 = ("seq", "channel", "chain_index", "ts", "type", "party", "actor", "payload", "prev_hash")
HASHED_FIELDS_V2 = ("v", "channel", "chain_index", "ts", "type", "party", "actor", "payload", "prev_hash")
HASHED_FIELDS = HASHED_FIELDS_V2


# orjson with sorted keys writes exactly the RFC 8785 bytes for JSON data made of dicts, lists, str, int
# (within the safe integer range), bool and None, provided no key needs UTF-16 ordering (code points
# beyond U+FFFF). Anything else (floats, other types, astral characters) goes to the reference library.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_SCALARS = frozenset((str, int, bool, type(None)))
_ASTRAL = re.compile(rb"[\xf0-\xf4]")  # lead byte of a 4-byte UTF-8 sequence


def _plain(value: Any) -> bool:
    """True if ``value`` holds only dicts, lists, str, int, bool and None (no floats, no other types)."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _SCALARS
    for item in items:
        if type(item) not in _SCALARS and not ((type(item) is dict or type(item) is list) and _plain(item)):
            return False
    return True


def is_canonical(value: Any, encoded: bytes) -> bool:
    """True if ``encoded`` (the bytes ``value`` was parsed from) is the RFC 8785 form of ``value``.

    The quick test: orjson, keys sorted, gives these very bytes and no key needs UTF-16 ordering. A
    float that orjson spells differently from RFC 8785 only makes the quick test fail, never pass
    wrongly, since the bytes would then differ. Otherwise the full encoding decides."""
    try:
        quick = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:
        quick = None
    if quick == encoded and (encoded.isascii() or not _ASTRAL.search(encoded)):
        return True
    return canonical(value) == encoded


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value`` (byte-identical to ``rfc8785.dumps``)."""
    if _plain(value):
        try:
            out = orjson.dumps(value, option=_ORJSON_OPTIONS)
        except TypeError:  # an integer outside the safe range, a non-str key, a lone surrogate
            return rfc8785.dumps(value)
        if out.isascii() or not _ASTRAL.search(out):
            return out
    return rfc8785.dumps(value)


def version(envelope: dict[str, Any]) -> int:
    """The envelope version ``envelope`` states (no ``v``: 1). Raises ValueError for a version this
    code does not know, so a verifier names it instead of guessing."""
    v = envelope.get("v", 1)
    if type(v) is not int or v not in (1, 2):
        raise ValueError(f"unknown envelope version {v!r}")
    return v


def hashed_fields(envelope: dict[str, Any]) -> tuple[str, ...]:
    """The fields the hash of ``envelope`` covers, by its version."""
    return HASHED_FIELDS_V1 if version(envelope) == 1 else HASHED_FIELDS_V2


def event_hash(envelope: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical form of ``envelope``'s hashed fields (by its version)."""
    body = {name: envelope[name] for name in hashed_fields(envelope)}
    return hashlib.sha256(canonical(body)).hexdigest()


def leaf_data(envelope: dict[str, Any]) -> bytes:
    """The bytes of ``envelope``'s Merkle leaf: its canonical form, without the global ``seq`` from
    version 2 on (so a party's witness builds the same tree from what it may read)."""
    if version(envelope) != 1:
        return canonical({k: v for k, v in envelope.items() if k != "seq"})
    return canonical(envelope)


def reader_form(envelope: dict[str, Any], cursor: int) -> dict[str, Any]:
    """The event as a party reads it (API and stream): ``seq`` is the reader's own cursor.

    A version 2 event carries nothing of the global order. A version 1 event's hash covers its global
    seq, so it keeps it as ``ledger_seq`` (a witness needs it to check the hash); only events sealed
    before version 2 reveal it."""
    out = {**envelope, "seq": cursor}
    if version(envelope) == 1:
        out["ledger_seq"] = envelope["seq"]
    return out


def ledger_form(read: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``reader_form`` as far as the hash and the Merkle leaf need it: a version 2 event
    without ``seq``, a version 1 event with its global seq."""
    out = {k: v for k, v in read.items() if k not in ("seq", "ledger_seq")}
    if version(read) == 1:
        # Without ``ledger_seq`` it is already in ledger form (as a copy kept before cursors was).
        out["seq"] = read.get("ledger_seq", read.get("seq"))
    return out


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
    v: int = 1  # the envelope version; 1 has no ``v`` member

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
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
        if self.v != 1:
            d["v"] = self.v
        return d

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
            v=d.get("v", 1),
        )

    def sealed(self) -> Event:
        """This event with its ``hash`` computed."""
        d = self.to_dict()
        return Event.from_dict({**d, "hash": event_hash(d)})
