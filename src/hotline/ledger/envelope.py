"""The event envelope and its hash.

Every event is hashed as SHA-256 over the RFC 8785 (JCS) canonical JSON of the envelope without its
``hash`` field. ``prev_hash`` links each event to the previous one of the same channel; the first
event of a channel links to ``GENESIS``. Because ``seq``, ``channel`` and ``chain_index`` are inside
the hashed form, changing, deleting or reordering any event breaks a link that verification names.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import rfc8785

__all__ = ["is_canonical", "GENESIS", "Event", "HASHED_FIELDS", "canonical", "event_hash"]

GENESIS = "0" * 64

# The fields that the hash covers, in the order the envelope documents them.
HASHED_FIELDS = ("seq", "channel", "chain_index", "ts", "type", "party", "actor", "payload", "prev_hash")


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
