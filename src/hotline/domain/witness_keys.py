"""Party witness keys as ledger events: registration, rotation and revocation.

A party's witness cosigns checkpoints with a cosignature/v1 key (type 0x04). The key is trusted only
through the ledger: ``witness_key.registered`` and ``witness_key.revoked`` events with payload
``{"party", "vkey", "key_id"}``, made by a supervisor of that very party, in the world's common channel
so that every party sees every key. A key is valid for a checkpoint whose last event has seq ``s`` when
it was registered at a seq <= s and not revoked at a seq <= s (the rule ``ledger.offline`` applies).

The state of one party's keys is an aggregate (``witness_keys:<party>``) derived by ``evolve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, CheckpointError, VerifierKey, parse_vkey

from .access import Principal
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import Pending
from .world import World

__all__ = ["KIND", "REGISTERED", "REVOKED", "aggregate_id", "evolve", "next_due", "RegisterKey", "RevokeKey",
           "Command", "decide", "decide_register", "decide_revoke", "valid_keys", "parse_witness_vkey"]

KIND = "witness_keys"
REGISTERED = "witness_key.registered"
REVOKED = "witness_key.revoked"

State = dict[str, Any]


def aggregate_id(party: str) -> str:
    return f"{KIND}:{party}"


@dataclass(frozen=True, slots=True)
class RegisterKey:
    party: str
    vkey: str
    replaces: str | None = None  # the key ID of the current key this one replaces (a rotation)


@dataclass(frozen=True, slots=True)
class RevokeKey:
    party: str
    key_id: str  # 8 hex digits


Command = RegisterKey | RevokeKey


def evolve(state: State | None, event: dict[str, Any]) -> State:
    p = event["payload"]
    keys: list[dict[str, Any]] = list(state["keys"]) if state else []
    if event["type"] == REGISTERED:
        keys.append({"vkey": p["vkey"], "key_id": p["key_id"], "registered_seq": event["seq"],
                     "registered_at": event["ts"], "registered_by": event["actor"], "revoked_seq": None})
    elif event["type"] == REVOKED:
        keys = [{**k, "revoked_seq": event["seq"], "revoked_at": event["ts"]}
                if k["vkey"] == p["vkey"] and k["revoked_seq"] is None else k for k in keys]
    return {"party": p["party"], "keys": keys}


def next_due(_state: State) -> str | None:
    return None


def parse_witness_vkey(text: str) -> VerifierKey:
    """A cosignature/v1 vkey, or ``Invalid`` saying what is wrong with it."""
    try:
        key = parse_vkey(text)
    except CheckpointError as e:
        raise Invalid(f"The witness key is malformed: {e}.", field="vkey") from None
    if key.alg != ALG_COSIGNATURE_V1:
        raise Invalid(f"A witness key must be a cosignature/v1 key (type 0x04), got type 0x{key.alg:02x}; "
                      "generate one with `hotline witness keygen`.", field="vkey")
    return key


def _require_supervisor_of(who: Principal, party: str, action: str) -> None:
    if who.party != party:
        raise Forbidden(f"Only a supervisor of {party} may {action} its witness keys; you act for "
                        f"{who.party or 'no party'}.", field="party")
    if who.role != "supervisor":
        raise Forbidden(f"Your role ({who.role}) may not {action} witness keys; only a supervisor of "
                        f"{party} may.")


def _payload(party: str, key: VerifierKey) -> dict[str, Any]:
    return {"party": party, "vkey": key.vkey, "key_id": key.key_id.hex()}


def decide_register(world: World, who: Principal, party: str, vkey: str, states: dict[str, State | None],
                    *, replaces: str | None = None) -> list[Pending]:
    """Register ``vkey`` for ``party``; with ``replaces`` (a key ID) also revoke that key (a rotation).

    ``states`` holds the key state of every party, so a key already held by another party is refused.
    Registering a key that is already current for the party is a no-op (a retry writes nothing).
    """
    _require_supervisor_of(who, party, "register")
    if party not in world.parties:
        raise NotFound(f"No party {party!r} is defined in this world.", field="party")
    key = parse_witness_vkey(vkey)
    mine = (states.get(party) or {}).get("keys", [])
    for other, state in states.items():
        for k in (state or {}).get("keys", []):
            if k["vkey"] != key.vkey:
                continue
            if other != party:
                raise Conflict(f"This key is already registered for party {other}; each party needs its own "
                               "witness key.", field="vkey")
            if k["revoked_seq"] is not None:
                raise Conflict("This key was revoked; a revoked key is never trusted again. Generate a new "
                               "one.", field="vkey")
            if replaces is None:
                return []
    events = [Pending(world.common_channel, REGISTERED, party, who.username, _payload(party, key),
                      aggregate=(KIND, aggregate_id(party)))]
    if replaces is not None:
        old = next((k for k in mine if k["key_id"] == replaces and k["revoked_seq"] is None), None)
        if old is None:
            raise NotFound(f"Party {party} has no current witness key with ID {replaces!r} to replace.",
                           field="replaces")
        events.append(Pending(world.common_channel, REVOKED, party, who.username,
                              _payload(party, parse_witness_vkey(old["vkey"])), aggregate=(KIND, aggregate_id(party))))
    return events


def decide_revoke(world: World, who: Principal, party: str, key_id: str, state: State | None) -> list[Pending]:
    """Revoke the current key of ``party`` with ``key_id`` (8 hex digits)."""
    _require_supervisor_of(who, party, "revoke")
    for k in (state or {}).get("keys", []):
        if k["key_id"] == key_id and k["revoked_seq"] is None:
            return [Pending(world.common_channel, REVOKED, party, who.username,
                            _payload(party, parse_witness_vkey(k["vkey"])), aggregate=(KIND, aggregate_id(party)))]
    raise NotFound(f"Party {party} has no current witness key with ID {key_id!r}.", field="key_id")


def decide(world: World, who: Principal, state: State | None, cmd: Command, now: datetime, *,
           states: dict[str, State | None] | None = None) -> list[Pending]:
    """One command on ``cmd.party``'s keys (in state ``state``). ``states`` holds every party's key state,
    which registering needs (a key already held by another party is refused)."""
    if isinstance(cmd, RegisterKey):
        return decide_register(world, who, cmd.party, cmd.vkey, {**(states or {}), cmd.party: state},
                               replaces=cmd.replaces)
    return decide_revoke(world, who, cmd.party, cmd.key_id, state)


def valid_keys(state: State | None, seq: int) -> tuple[list[VerifierKey], list[VerifierKey]]:
    """(keys valid at ``seq``, keys revoked at or before ``seq``) of one party."""
    valid, revoked = [], []
    for k in (state or {}).get("keys", []):
        key = parse_vkey(k["vkey"])
        if k["revoked_seq"] is not None and k["revoked_seq"] <= seq:
            revoked.append(key)
        elif k["registered_seq"] <= seq:
            valid.append(key)
    return valid, revoked
