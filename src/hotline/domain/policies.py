"""Escalation policies as data: who is told, how, and after how long, when a party does not act.

A world file may hold ``[[escalation.policies]]`` (per party and per kind) and
``[[escalation.contacts]]`` (how each target is reached off the console)::

    [[escalation.policies]]
    id = "isr-flash"            # optional; another policy's ``then`` may name it
    party = "isr"               # the party that must act; "*" for any party
    kind = "message.FLASH"      # message.<PRECEDENCE> | finding | incident | link_test | desk_unmanned
    body = false                # may an e-mail carry the message's body (default: never)
    steps = [
      { delay = 0, targets = ["desk"], channels = ["console"] },
      { delay = 60, targets = ["supervisors"], channels = ["console", "email"] },
      { delay = 120, targets = ["mediator"], channels = ["webhook"] },
    ]
    then = "another-policy"     # optional: its steps follow these

    [[escalation.contacts]]
    target = "supervisors"      # desk | supervisors | mediator | principal:<name>
    party = "isr"               # whose desk or supervisors (not for mediator or a principal)
    email = ["isr-supervisors@isr.example"]
    webhook = "https://pager.isr.example/hotline"
    language = "he"             # the e-mail's language (default: the party's working language)

``delay`` is in seconds after the previous step; the first step's delay counts from the deadline that
was missed. Without a policy the default is the hotline's two steps: the supervisors on the console
at the deadline, the mediator on the console one acknowledgement window later. Everything here is
pure; a world file that breaks a rule is refused at load with the key that breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import Invalid

__all__ = ["Step", "Policy", "Contact", "Escalation", "KINDS", "TARGETS", "CHANNELS", "parse_escalation",
           "check_webhook_url", "default_steps"]

KINDS = ("message", "finding", "incident", "link_test", "desk_unmanned")
TARGETS = ("desk", "supervisors", "mediator")  # and principal:<name>
CHANNELS = ("console", "email", "webhook")
MAX_STEPS = 20
MAX_DELAY_S = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Step:
    delay_s: int
    targets: tuple[str, ...]
    channels: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        return {"delay_s": self.delay_s, "targets": list(self.targets), "channels": list(self.channels)}


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    party: str
    kind: str
    steps: tuple[Step, ...]
    body: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    target: str
    party: str | None
    email: tuple[str, ...] = ()
    webhook: str | None = None
    language: str | None = None

    @property
    def key(self) -> str:
        """The stable name of this target in delivery logs: ``isr/supervisors``, ``principal:x``."""
        return self.target if self.party is None else f"{self.party}/{self.target}"


@dataclass(frozen=True, slots=True)
class Escalation:
    policies: tuple[Policy, ...] = ()
    contacts: tuple[Contact, ...] = ()
    principals: dict[str, str] = field(default_factory=dict)  # name -> party

    def policy_for(self, kind: str, party: str) -> Policy | None:
        """The party's own policy for ``kind`` (``message.FLASH`` falls back to ``message``), else "*"."""
        wanted = [kind, kind.split(".", 1)[0]] if "." in kind else [kind]
        for k in wanted:
            for who in (party, "*"):
                for p in self.policies:
                    if p.kind == k and p.party == who:
                        return p
        return None

    def contact(self, target: str, party: str | None) -> Contact | None:
        for c in self.contacts:
            if c.target == target and (c.party == party or c.party is None):
                return c
        return None


def default_steps(window_s: int) -> tuple[Step, ...]:
    """The hotline's own escalation: supervisors at the deadline, the mediator a window later."""
    return (Step(0, ("supervisors",), ("console",)), Step(window_s, ("mediator",), ("console",)))


def check_webhook_url(url: str, key: str) -> None:
    """A webhook is http(s) with a host; anything else (file:, javascript:, a bare path) is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{key}: {url!r} is not an http(s) URL; a webhook must start with https:// or http://.",
                      field=key)


def _fail(key: str, why: str) -> Invalid:
    return Invalid(f"{key}: {why}", field=key)


def _target_ok(target: object, principals: dict[str, str]) -> bool:
    if not isinstance(target, str):
        return False
    if target.startswith("principal:"):
        return target[len("principal:"):] in principals
    return target in TARGETS


def _parse_step(raw: object, key: str, principals: dict[str, str]) -> Step:
    if not isinstance(raw, dict):
        raise _fail(key, "a step is a table with delay, targets and channels.")
    unknown = sorted(set(raw) - {"delay", "targets", "channels"})
    if unknown:
        raise _fail(f"{key}.{unknown[0]}", "is not a key of a step (delay, targets, channels).")
    delay = raw.get("delay")
    if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
        raise _fail(f"{key}.delay", f"{delay!r} is not a delay; give a whole number of seconds, 0 or more.")
    if delay > MAX_DELAY_S:
        raise _fail(f"{key}.delay", f"{delay} s is more than a week; at most {MAX_DELAY_S} s.")
    targets = raw.get("targets")
    if not isinstance(targets, list) or not targets:
        raise _fail(f"{key}.targets", "a step must name at least one target; a step that reaches nobody "
                                      "escalates to no one.")
    for i, t in enumerate(targets):
        if not _target_ok(t, principals):
            raise _fail(f"{key}.targets[{i}]", f"unknown target {t!r}; use desk, supervisors, mediator or "
                                               "principal:<name> of an [[escalation.principals]] entry.")
    channels = raw.get("channels")
    if not isinstance(channels, list) or not channels:
        raise _fail(f"{key}.channels", "a step must name at least one channel (console, email, webhook).")
    for i, c in enumerate(channels):
        if c not in CHANNELS:
            raise _fail(f"{key}.channels[{i}]", f"unknown channel {c!r}; use console, email or webhook.")
    return Step(delay, tuple(targets), tuple(channels))


def _parse_contact(raw: object, key: str, parties: set[str], principals: dict[str, str]) -> Contact:
    if not isinstance(raw, dict):
        raise _fail(key, "a contact is a table with target, party, email, webhook and language.")
    target = raw.get("target")
    if not _target_ok(target, principals):
        raise _fail(f"{key}.target", f"unknown target {target!r}; use desk, supervisors, mediator or "
                                     "principal:<name>.")
    assert isinstance(target, str)
    party = raw.get("party")
    if target in ("desk", "supervisors") and party not in parties:
        raise _fail(f"{key}.party", f"{party!r} is not a party of this world; a {target} contact names its party.")
    if target == "mediator" or target.startswith("principal:"):
        party = None
    email = raw.get("email", [])
    if isinstance(email, str):
        email = [email]
    if not isinstance(email, list) or not all(isinstance(e, str) and "@" in e and " " not in e for e in email):
        raise _fail(f"{key}.email", "give e-mail addresses such as supervisors@party.example.")
    webhook = raw.get("webhook")
    if webhook is not None:
        if not isinstance(webhook, str):
            raise _fail(f"{key}.webhook", "a webhook is a URL.")
        check_webhook_url(webhook, f"{key}.webhook")
    language = raw.get("language")
    if language is not None and language not in ("en", "he", "ar"):
        raise _fail(f"{key}.language", f"{language!r}: e-mails are written in en, he or ar.")
    return Contact(target, party, tuple(email), webhook, language)


def _flatten(pid: str, raw_by_id: dict[str, dict[str, Any]], parsed: dict[str, tuple[Step, ...]],
             trail: tuple[str, ...], key_of: dict[str, str]) -> tuple[Step, ...]:
    if pid in trail:
        loop = " -> ".join((*trail, pid))
        raise _fail(f"{key_of[trail[0]]}.then", f"the policies loop ({loop}); a chain of 'then' must end.")
    then = raw_by_id[pid].get("then")
    steps = parsed[pid]
    if then is None:
        return steps
    if then not in raw_by_id:
        raise _fail(f"{key_of[pid]}.then", f"no policy has the id {then!r}.")
    return steps + _flatten(then, raw_by_id, parsed, (*trail, pid), key_of)


def parse_escalation(raw: object, parties: set[str], precedences: tuple[str, ...]) -> Escalation:
    """The ``[escalation]`` table of a world file, checked; errors name the key (the loader adds the file)."""
    if raw is None:
        return Escalation()
    if not isinstance(raw, dict):
        raise _fail("escalation", "must be a table ([escalation]).")
    unknown = sorted(set(raw) - {"policies", "contacts", "principals"})
    if unknown:
        raise _fail(f"escalation.{unknown[0]}", "is not a key of [escalation] (policies, contacts, principals).")
    principals: dict[str, str] = {}
    for i, p in enumerate(raw.get("principals", [])):
        key = f"escalation.principals[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p["name"]:
            raise _fail(f"{key}.name", "a principal has a name.")
        if p.get("party") not in parties:
            raise _fail(f"{key}.party", f"{p.get('party')!r} is not a party of this world.")
        principals[p["name"]] = p["party"]
    contacts = tuple(_parse_contact(c, f"escalation.contacts[{i}]", parties, principals)
                     for i, c in enumerate(raw.get("contacts", [])))
    raw_policies = raw.get("policies", [])
    if not isinstance(raw_policies, list):
        raise _fail("escalation.policies", "must be an array of tables ([[escalation.policies]]).")
    raw_by_id: dict[str, dict[str, Any]] = {}
    key_of: dict[str, str] = {}
    parsed: dict[str, tuple[Step, ...]] = {}
    seen: set[tuple[str, str]] = set()
    for i, p in enumerate(raw_policies):
        key = f"escalation.policies[{i}]"
        if not isinstance(p, dict):
            raise _fail(key, "a policy is a table with party, kind and steps.")
        unknown = sorted(set(p) - {"id", "party", "kind", "steps", "then", "body"})
        if unknown:
            raise _fail(f"{key}.{unknown[0]}", "is not a key of a policy (id, party, kind, steps, then, body).")
        pid = p.get("id", f"#{i}")
        if not isinstance(pid, str) or pid in raw_by_id:
            raise _fail(f"{key}.id", f"{pid!r} is not a unique policy id.")
        party = p.get("party", "*")
        if party != "*" and party not in parties:
            raise _fail(f"{key}.party", f"{party!r} is not a party of this world (or \"*\" for any).")
        kind = p.get("kind")
        base, _, prec = kind.partition(".") if isinstance(kind, str) else ("", "", "")
        if base not in KINDS or (prec and (base != "message" or prec not in precedences)):
            raise _fail(f"{key}.kind", f"unknown kind {kind!r}; use message, message.<{'|'.join(precedences)}>, "
                                       "finding, incident, link_test or desk_unmanned.")
        if (party, kind) in seen:
            raise _fail(f"{key}.kind", f"party {party!r} already has a policy for {kind!r}.")
        seen.add((str(party), str(kind)))
        steps = p.get("steps")
        if not isinstance(steps, list) or not steps:
            raise _fail(f"{key}.steps", "a policy needs at least one step.")
        if not isinstance(p.get("body", False), bool):
            raise _fail(f"{key}.body", "is true or false.")
        raw_by_id[pid] = p
        key_of[pid] = key
        parsed[pid] = tuple(_parse_step(s, f"{key}.steps[{j}]", principals) for j, s in enumerate(steps))
    policies = []
    for pid, p in raw_by_id.items():
        steps = _flatten(pid, raw_by_id, parsed, (), key_of)
        if len(steps) > MAX_STEPS:
            raise _fail(f"{key_of[pid]}.steps", f"{len(steps)} steps; at most {MAX_STEPS}.")
        policies.append(Policy(pid, p.get("party", "*"), p["kind"], steps, bool(p.get("body", False))))
    return Escalation(tuple(policies), contacts, principals)
