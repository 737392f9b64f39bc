"""Use cases of witnessing: party keys, cosignatures, the agreed record, proofs and witness alarms.

A cosignature is accepted only if it is over a checkpoint this server issued for that channel and
verifies with a key of the caller's party that was valid at that checkpoint (registered at or before
its last event, not revoked by then). The agreed record of a channel is the newest checkpoint that
every member party cosigned; it is computed from the stored cosignatures, never set by hand.
"""

from __future__ import annotations

import base64
from typing import Any

from hotline.domain import witness_keys as wk
from hotline.domain.access import Principal, require_speaker, visible_channel
from hotline.domain.errors import Conflict, Forbidden, Invalid, NotFound
from hotline.domain.events import Pending
from hotline.domain.timefmt import iso
from hotline.ledger.checkpoint import Checkpoint, CheckpointError, parse_note
from hotline.ledger.cosign import verify_cosignature
from hotline.ledger.merkle import ProofError
from hotline.service.unit_of_work import UnitOfWork
from hotline.store import checkpoints as store
from hotline.store.ledger import load_aggregate

from .commands import on_aggregate
from .cursors import ledger_seq
from .hotline import Hotline

__all__ = ["act", "list_keys", "accept_cosignature", "agreed", "agreed_all",
           "event_agreement", "inclusion", "consistency", "raise_alarm", "latest", "checkpoint_list",
           "ALARM_RAISED"]

ALARM_RAISED = "witness.alarm_raised"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def present_checkpoint(row: Any) -> dict[str, Any]:
    return {"channel": row.channel, "size": row.size, "root_hash": _b64(bytes.fromhex(row.root_hash)),
            "last_seq": row.seq, "note": row.note, "issued_at": row.issued_at}


async def _key_states(hl: Hotline) -> dict[str, dict[str, Any] | None]:
    async with hl.db.read() as conn:
        return {p: await load_aggregate(conn, wk.KIND, wk.aggregate_id(p)) for p in hl.world.parties}


async def act(hl: Hotline, who: Principal, cmd: wk.Command) -> tuple[dict[str, Any], bool]:
    """Register, rotate or revoke a party's witness key; its key state and whether anything was written."""
    others = [p for p in hl.world.parties if p != cmd.party] if isinstance(cmd, wk.RegisterKey) else []
    state, wrote = await on_aggregate(
        hl, wk.KIND, wk.aggregate_id(cmd.party), also=[(wk.KIND, wk.aggregate_id(p)) for p in others],
        decide=lambda state, loaded, now: wk.decide(
            hl.world, who, state, cmd, now, states={p: loaded[wk.aggregate_id(p)] for p in others}))
    return state or {"party": cmd.party, "keys": []}, wrote


async def list_keys(hl: Hotline) -> list[dict[str, Any]]:
    """Every party's keys: they are in the common channel, which every party sees."""
    states = await _key_states(hl)
    return [{"party": p, "keys": (s or {}).get("keys", [])} for p, s in states.items()]


async def latest(hl: Hotline, who: Principal, channel: str) -> dict[str, Any]:
    visible_channel(hl.world, who, channel)
    async with hl.db.read() as conn:
        row = (await store.latest_checkpoints(conn, [channel])).get(channel)
    if row is None:
        raise NotFound(f"Channel {channel!r} has no checkpoint yet: it has no events.", field="channel_id")
    return present_checkpoint(row)


async def checkpoint_list(hl: Hotline, who: Principal, channel: str, after_size: int, limit: int
                          ) -> list[dict[str, Any]]:
    visible_channel(hl.world, who, channel)
    async with hl.db.read() as conn:
        return [present_checkpoint(r) for r in await store.list_checkpoints(conn, channel, after_size=after_size,
                                                                            limit=limit)]


async def accept_cosignature(hl: Hotline, who: Principal, channel: str, note: str) -> tuple[dict[str, Any], bool]:
    visible_channel(hl.world, who, channel)
    party = require_speaker(who, "cosign checkpoints")
    try:
        parsed = parse_note(note)
        cp = Checkpoint.parse(parsed.text)
    except CheckpointError as e:
        raise Invalid(f"The cosignature is malformed: {e}.", field="note") from None
    if len(parsed.signatures) != 1:
        raise Invalid(f"A cosignature note carries exactly one signature line, got {len(parsed.signatures)}.",
                      field="note")
    if cp.origin != hl.checkpoints.origin(channel):
        raise Invalid(f"The cosigned checkpoint is of origin {cp.origin!r}, not of channel {channel!r} "
                      f"({hl.checkpoints.origin(channel)!r}).", field="note")
    async with hl.db.read() as conn:
        row = await store.find_checkpoint(conn, channel, cp.size, cp.root_hash.hex())
        state = await load_aggregate(conn, wk.KIND, wk.aggregate_id(party))
    if row is None or not row.note.startswith(parsed.text + "\n"):
        raise Conflict(f"This server issued no checkpoint of channel {channel!r} at size {cp.size} with root "
                       f"{cp.root_hash.hex()[:16]}…: the cosigned checkpoint is forged or altered.", field="note")
    sig = parsed.signatures[0]
    ident = (sig.name, sig.key_id.hex())
    known = {(k["vkey"].split("+")[0], k["key_id"]): k for k in (state or {}).get("keys", [])}
    entry = known.get(ident)
    if entry is None:
        raise Forbidden(f"The key {sig.name}+{sig.key_id.hex()} is not a registered witness key of {party}; "
                        f"a supervisor of {party} registers it first.", field="note")
    if entry["revoked_seq"] is not None and entry["revoked_seq"] <= row.seq:
        # Errors name no ledger seq (a party reads them): the revocation's time says when.
        raise Forbidden(f"The key {sig.name}+{sig.key_id.hex()} of {party} was revoked (at "
                        f"{entry.get('revoked_at')}) before this checkpoint; it cosigns nothing.", field="note")
    if entry["registered_seq"] > row.seq:
        raise Forbidden(f"The key {sig.name}+{sig.key_id.hex()} was registered at {entry['registered_at']}, "
                        "after this checkpoint; cosign a newer checkpoint.", field="note")
    valid, revoked = wk.valid_keys(state, row.seq)
    try:
        cosig = verify_cosignature(note, valid, revoked=revoked, checkpoint=cp)
    except CheckpointError as e:
        raise Invalid(f"The cosignature was refused: {e}.", field="note") from None
    async with hl.db.write() as conn:
        created = await store.insert_cosignature(conn, {
            "checkpoint_id": row.id, "party": party, "channel": channel, "size": row.size,
            "key_id": cosig.key.key_id.hex(), "timestamp": cosig.timestamp, "note": note,
            "received_at": iso(hl.clock())})
    return await agreed(hl, who, channel), created


async def _agreed(hl: Hotline, channel: str) -> dict[str, Any]:
    members = hl.world.channels[channel].members if channel in hl.world.channels else ()
    async with hl.db.read() as conn:
        row = await store.agreed_checkpoint(conn, channel, members)
        newest = (await store.latest_checkpoints(conn, [channel])).get(channel)
        sizes = await store.cosigned_sizes(conn, channel)
        cosigs = await store.cosignatures_of(conn, row.id) if row is not None else []
    out: dict[str, Any] = {"channel": channel, "members": list(members),
                           "latest": present_checkpoint(newest) if newest is not None else None,
                           "cosigned_size": {p: sizes.get(p) for p in members}, "agreed": None}
    if row is not None:
        out["agreed"] = {**present_checkpoint(row), "events_covered": row.size,
                         "cosignatures": [{"party": c.party, "key_id": c.key_id, "timestamp": c.timestamp,
                                           "note": c.note} for c in cosigs]}
    return out


async def agreed(hl: Hotline, who: Principal, channel: str) -> dict[str, Any]:
    visible_channel(hl.world, who, channel)
    return await _agreed(hl, channel)


async def agreed_all(hl: Hotline, who: Principal) -> list[dict[str, Any]]:
    return [await _agreed(hl, c) for c in sorted(hl.world.channels_of(who.party))]


async def _visible_event(hl: Hotline, who: Principal, seq: int) -> Any:
    """The event the caller numbers ``seq`` (its own cursor, as the events page and stream give it)."""
    ledger = await ledger_seq(hl, who, seq)
    row = None
    if ledger is not None:
        async with hl.db.read() as conn:
            row = await store.event_row(conn, ledger)
    if row is None or row.channel not in hl.world.channels_of(who.party):
        raise NotFound(f"No event seq={seq} is visible to you.", field="seq")
    return row


async def event_agreement(hl: Hotline, who: Principal, seq: int) -> dict[str, Any]:
    row = await _visible_event(hl, who, seq)
    record = await _agreed(hl, row.channel)
    size = record["agreed"]["size"] if record["agreed"] else 0
    return {"seq": seq, "channel": row.channel, "chain_index": row.chain_index, "hash": row.hash,
            "agreed": row.chain_index < size, "agreed_size": size}


def _proof_error(e: ProofError, field: str) -> Invalid:
    return Invalid(f"No proof for those sizes: {e}.", field=field)


async def inclusion(hl: Hotline, who: Principal, seq: int, size: int | None) -> dict[str, Any]:
    row = await _visible_event(hl, who, seq)
    tree = hl.checkpoints.trees[row.channel]
    if size is None:
        size = hl.checkpoints.signed.get(row.channel, (len(tree), b""))[0]
    try:
        proof = tree.inclusion_proof(row.chain_index, size)
        root, leaf = tree.root(size), tree.leaf(row.chain_index)
    except ProofError as e:
        raise _proof_error(e, "size") from None
    return {"seq": seq, "channel": row.channel, "index": row.chain_index, "size": size, "leaf_hash": _b64(leaf),
            "root_hash": _b64(root), "proof": [_b64(p) for p in proof]}


async def consistency(hl: Hotline, who: Principal, channel: str, first: int, second: int | None
                      ) -> dict[str, Any]:
    visible_channel(hl.world, who, channel)
    tree = hl.checkpoints.trees[channel]
    second = len(tree) if second is None else second
    if first > second:
        raise Invalid(f"No proof for those sizes: expected first <= second, got first={first} and "
                      f"second={second}.", field="first")
    try:
        proof = tree.consistency_proof(first, second) if first else []
        first_root, second_root = tree.root(first), tree.root(second)
    except ProofError as e:
        raise _proof_error(e, "second") from None
    return {"channel": channel, "first": first, "second": second, "first_root": _b64(first_root),
            "second_root": _b64(second_root), "proof": [_b64(p) for p in proof]}


async def raise_alarm(hl: Hotline, who: Principal, channel: str, detail: str, evidence: dict[str, Any]
                      ) -> dict[str, Any]:
    """A party's witness reports what it refused to cosign; every member of the channel sees it."""
    visible_channel(hl.world, who, channel)
    party = require_speaker(who, "raise a witness alarm")
    payload = {"party": party, "channel": channel, "detail": detail, "evidence": evidence}

    async def handle(_uow: UnitOfWork) -> list[Pending]:
        return [Pending(channel, ALARM_RAISED, party, who.username, payload)]

    events, _ = await hl.writer.submit(handle)
    return events[0].to_dict()
