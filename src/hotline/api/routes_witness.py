"""Checkpoints, proofs, cosignatures, party witness keys and the agreed record.

Every channel path answers 404 alike for a channel that does not exist and one the caller may not see.
Hashes and proofs are standard base64, as in the signed notes. Every seq here (an event's, a
checkpoint's ``last_seq``, a key's ``registered_seq``) is the caller's own cursor, as the events page
and the stream number that event.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain import witness_keys as wk
from hotline.service import witnessing as use
from hotline.service.cursors import localize

from . import params
from .deps import Caller, Service
from .responses import JSON, answer

router = APIRouter(prefix="/api/v1/witness", tags=["witness"])


class CosignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=4096, description="A C2SP cosignature/v1 note: the checkpoint "
                      "body, a blank line, and one signature line by a witness key of the caller's party.")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vkey: str = Field(min_length=1, max_length=512, description="A cosignature/v1 vkey (type 0x04).")
    replaces: str | None = Field(default=None, pattern="^[0-9a-f]{8}$",
                                 description="Key ID of the party's current key to revoke in the same step "
                                             "(a rotation).")


class AlarmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detail: str = Field(min_length=1, max_length=4000)
    evidence: params.JsonObject = Field(default_factory=dict, description="The two signed checkpoints that "
                                     "contradict each other, and what the witness found.")


@router.get("/server-key", summary="The server's checkpoint-signing key (vkey) and the origins of the channels")
async def server_key(hl: Service) -> dict[str, Any]:
    return {"vkey": hl.checkpoints.vkey, "origin": hl.settings.origin}


@router.get("/channels/{channel_id}/checkpoint", summary="The newest signed checkpoint of a channel")
async def checkpoint(channel_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return (await localize(hl, who, [await use.latest(hl, who, channel_id)]))[0]


@router.get("/channels/{channel_id}/checkpoints", summary="Signed checkpoints of a channel, by size")
async def checkpoints(channel_id: str, who: Caller, hl: Service, after_size: params.AfterSize = -1,
                      limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    return {"checkpoints": await localize(hl, who, await use.checkpoint_list(hl, who, channel_id, after_size,
                                                                             limit))}


@router.get("/channels/{channel_id}/consistency",
            summary="RFC 9162 consistency proof between two tree sizes of a channel")
async def consistency(channel_id: str, who: Caller, hl: Service, first: params.TreeSize,
                      second: params.OptionalTreeSize = None) -> dict[str, Any]:
    return await use.consistency(hl, who, channel_id, first, second)


@router.get("/events/{seq}/inclusion", summary="RFC 9162 inclusion proof of an event in its channel's tree")
async def inclusion(seq: params.SeqPath, who: Caller, hl: Service,
                    size: params.OptionalPositiveSize = None) -> dict[str, Any]:
    return await use.inclusion(hl, who, seq, size)


@router.get("/events/{seq}/agreement", summary="Whether an event is under a checkpoint every member cosigned")
async def event_agreement(seq: params.SeqPath, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.event_agreement(hl, who, seq)


@router.post("/channels/{channel_id}/cosignatures", status_code=201,
             summary="Post a party's cosignature of a checkpoint (a repeat answers 200)")
async def cosign(channel_id: str, body: CosignatureIn, who: Caller, hl: Service) -> JSON:
    return answer(await use.accept_cosignature(hl, who, channel_id, body.note))


@router.get("/channels/{channel_id}/agreed",
            summary="The agreed record: the newest checkpoint cosigned by every member party")
async def agreed(channel_id: str, who: Caller, hl: Service) -> dict[str, Any]:
    return (await localize(hl, who, [await use.agreed(hl, who, channel_id)]))[0]


@router.get("/agreed", summary="The agreed record of every channel the caller sees")
async def agreed_all(who: Caller, hl: Service) -> dict[str, Any]:
    return {"channels": await localize(hl, who, await use.agreed_all(hl, who))}


@router.get("/keys", summary="Every party's witness keys with the seq that registered or revoked them")
async def keys(who: Caller, hl: Service) -> dict[str, Any]:
    return {"parties": await localize(hl, who, await use.list_keys(hl))}


@router.post("/parties/{party}/keys", status_code=201,
             summary="Register (or rotate to) a witness key of the caller's party; supervisors only")
async def register_key(party: str, body: KeyIn, who: Caller, hl: Service) -> JSON:
    state, created = await use.act(hl, who, wk.RegisterKey(party, body.vkey, body.replaces))
    return answer(((await localize(hl, who, [state]))[0], created))


@router.delete("/parties/{party}/keys/{key_id}",
               summary="Revoke a witness key of the caller's party; supervisors only")
async def revoke_key(party: str, key_id: str, who: Caller, hl: Service) -> JSON:
    state, created = await use.act(hl, who, wk.RevokeKey(party, key_id))
    return answer(((await localize(hl, who, [state]))[0], created), creates=False)


@router.post("/channels/{channel_id}/alarms", status_code=201,
             summary="A party's witness reports a checkpoint it refused (event witness.alarm_raised)")
async def alarm(channel_id: str, body: AlarmIn, who: Caller, hl: Service) -> dict[str, Any]:
    return await use.raise_alarm(hl, who, channel_id, body.detail, body.evidence)
