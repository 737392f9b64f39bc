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
from .policies import Escalation, parse_escalation

__all__ = ["ROLES", "PRECEDENCES", "ALERT_LEVELS", "Party", "Channel", "Desk", "Duty", "World"]

ROLES = ("operator", "supervisor", "translator", "observer", "admin")
PRECEDENCES = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")
DEFAULT_DEADLINES = {"FLASH": 120, "IMMEDIATE": 600, "PRIORITY": 1800, "ROUTINE": 14400}
LANGUAGES = ("en", "he", "ar")
ALERT_LEVELS = ("normal", "heightened", "crisis")


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
class Desk:
    """A staffed position of one party (the world file may name several per party: air, ground)."""
    id: str
    party: str
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Duty:
    """How desks are watched: presence, alerts, handovers, link tests and what each alert level changes.

    Times are seconds so a test world can make them short; the defaults are the agreement's."""
    presence_timeout_s: float = 60.0
    unmanned_alert_s: int = 600  # N: own supervisors after N, the mediator after 2N
    handover_grace_s: int = 600
    linktest_interval_s: int = 3600
    linktest_jitter_s: int = 300
    linktest_answer_s: int = 300
    # level -> {"deadline_factor": float, "linktest_interval_s": int}
    levels: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "normal": {"deadline_factor": 1.0, "linktest_interval_s": 3600},
        "heightened": {"deadline_factor": 0.75, "linktest_interval_s": 1800},
        "crisis": {"deadline_factor": 0.5, "linktest_interval_s": 600}})

    def deadline_factor(self, level: str) -> float:
        return float(self.levels.get(level, {}).get("deadline_factor", 1.0))

    def linktest_interval(self, level: str) -> int:
        return int(self.levels.get(level, {}).get("linktest_interval_s", self.linktest_interval_s))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Duty:
        known = {"presence_timeout_s", "unmanned_alert_s", "handover_grace_s", "linktest_interval_s",
                 "linktest_jitter_s", "linktest_answer_s"}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "levels":
                continue
            if key not in known:
                raise Invalid(f"Unknown setting duty.{key}; use one of {sorted(known)}.", field=f"duty.{key}")
            if not isinstance(value, int | float) or value < 0 or (value == 0 and key != "linktest_jitter_s"):
                raise Invalid(f"duty.{key} must be a positive number of seconds.", field=f"duty.{key}")
            values[key] = value
        duty = cls(**values)
        levels = {"normal": {"deadline_factor": 1.0, "linktest_interval_s": duty.linktest_interval_s},
                  "heightened": {"deadline_factor": 0.75, "linktest_interval_s": duty.linktest_interval_s / 2},
                  "crisis": {"deadline_factor": 0.5, "linktest_interval_s": min(600, duty.linktest_interval_s)}}
        for name, effects in raw.get("levels", {}).items():
            if name not in ALERT_LEVELS:
                raise Invalid(f"Unknown alert level {name!r}; use one of {ALERT_LEVELS}.", field="duty.levels")
            factor = effects.get("deadline_factor", levels[name]["deadline_factor"])
            interval = effects.get("linktest_interval_s", levels[name]["linktest_interval_s"])
            if not (isinstance(factor, int | float) and 0 < factor <= 1):
                raise Invalid(f"duty.levels.{name}.deadline_factor must be above 0 and at most 1.",
                              field=f"duty.levels.{name}.deadline_factor")
            if not (isinstance(interval, int | float) and interval > 0):
                raise Invalid(f"duty.levels.{name}.linktest_interval_s must be a positive number of seconds.",
                              field=f"duty.levels.{name}.linktest_interval_s")
            levels[name] = {"deadline_factor": float(factor), "linktest_interval_s": int(interval)}
        return cls(**values, levels=levels)


@dataclass(frozen=True, slots=True)
class World:
    name: str
    parties: dict[str, Party]
    channels: dict[str, Channel]
    deadlines: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    common_channel: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    desks: dict[str, Desk] = field(default_factory=dict)
    duty: Duty = field(default_factory=Duty)
    escalation: Escalation = field(default_factory=Escalation)
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
        escalation = parse_escalation(data.get("escalation"), set(parties), PRECEDENCES)
        known = {"world", "parties", "channels", "precedence", "desks", "duty", "escalation", "geography"}
        settings = {k: v for k, v in data.items() if k not in known}
        desks: dict[str, Desk] = {}
        for raw in data.get("desks", []):
            if raw.get("party") not in parties or not str(raw.get("id", "")).strip():
                raise Invalid(f"Desk {raw.get('id')!r} needs an id and a party of this world.", field="desks")
            if raw["id"] in desks:
                raise Invalid(f"Desk {raw['id']!r} is defined twice in the world file.", field="desks")
            desks[raw["id"]] = Desk(raw["id"], raw["party"], dict(raw.get("names", {})))
        for pid, party in parties.items():  # every party has a desk, named after it unless the file says
            if not any(d.party == pid for d in desks.values()):
                desks[pid] = Desk(pid, pid, dict(party.names))
        duty = Duty.from_dict(data.get("duty", {}))
        return cls(meta.get("name", "hotline"), parties, channels, deadlines, common, settings, desks, duty, escalation,
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
            "desks": [{"id": d.id, "party": d.party, "names": d.names} for d in self.desks.values()],
        }
