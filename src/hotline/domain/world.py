"""The world as data: parties, channels, roles, precedence deadlines and geography.

A world is read from a TOML document (see ``hotline/demo/world.toml``); nothing about a particular
border is written in code, so the same system serves another line tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .errors import Invalid
from .geography import Geography

__all__ = ["ROLES", "PRECEDENCES", "Party", "Channel", "World"]

ROLES = ("operator", "supervisor", "observer", "admin")
PRECEDENCES = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")
DEFAULT_DEADLINES = {"FLASH": 120, "IMMEDIATE": 600, "PRIORITY": 1800, "ROUTINE": 14400}
LANGUAGES = ("en", "he", "ar")


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    names: dict[str, str]
    timezone: str = "UTC"
    language: str = "en"
    mediator: bool = False


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    names: dict[str, str]
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class World:
    name: str
    parties: dict[str, Party]
    channels: dict[str, Channel]
    deadlines: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    common_channel: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    geography: Geography = field(default_factory=Geography)

    @property
    def mediator(self) -> str | None:
        return next((p.id for p in self.parties.values() if p.mediator), None)

    def channels_of(self, party: str | None) -> frozenset[str]:
        """The channels a party belongs to; a user of no party (an admin) sees none."""
        if party is None:
            return frozenset()
        return frozenset(c.id for c in self.channels.values() if party in c.members)

    def ack_window(self, precedence: str) -> timedelta:
        return timedelta(seconds=self.deadlines[precedence])

    @classmethod
    def from_dict(cls, data: dict[str, Any], geography: Geography | None = None) -> World:
        """The world of a parsed TOML document; ``geography`` holds the files its ``[geography]`` names."""
        meta = data.get("world", {})
        parties: dict[str, Party] = {}
        for raw in data.get("parties", []):
            pid = raw["id"]
            if pid in parties:
                raise Invalid(f"Party {pid!r} is defined twice in the world file.", field="parties")
            parties[pid] = Party(pid, dict(raw.get("names", {})), raw.get("timezone", "UTC"),
                                 raw.get("language", "en"), bool(raw.get("mediator", False)))
        channels: dict[str, Channel] = {}
        for raw in data.get("channels", []):
            members = tuple(raw["members"])
            unknown = [m for m in members if m not in parties]
            if unknown:
                raise Invalid(f"Channel {raw['id']!r} names unknown parties {unknown}; define them under "
                              "[[parties]] first.", field="channels")
            channels[raw["id"]] = Channel(raw["id"], dict(raw.get("names", {})), members)
        deadlines = dict(DEFAULT_DEADLINES)
        for name, seconds in data.get("precedence", {}).items():
            if name not in PRECEDENCES:
                raise Invalid(f"Unknown precedence {name!r} in the world file; use one of {PRECEDENCES}.",
                              field="precedence")
            if not isinstance(seconds, int) or seconds <= 0:
                raise Invalid(f"The deadline of {name} must be a positive number of seconds.", field="precedence")
            deadlines[name] = seconds
        common = meta.get("common_channel") or next(iter(channels), "")
        if common and common not in channels:
            raise Invalid(f"common_channel {common!r} is not a channel of this world.", field="world.common_channel")
        known = {"world", "parties", "channels", "precedence", "geography"}
        settings = {k: v for k, v in data.items() if k not in known}
        return cls(meta.get("name", "hotline"), parties, channels, deadlines, common, settings,
                   geography or Geography())

    def describe(self) -> dict[str, Any]:
        """The public description the console needs (names in every language)."""
        return {
            "name": self.name,
            "mediator": self.mediator,
            "common_channel": self.common_channel,
            "deadlines": self.deadlines,
            "parties": [{"id": p.id, "names": p.names, "timezone": p.timezone, "language": p.language,
                         "mediator": p.mediator} for p in self.parties.values()],
        }
