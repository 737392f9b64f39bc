"""The witness API in-process: keys as ledger events, checkpoints, proofs, cosignatures, the agreed record,
and every kind of bad input refused with a clear error while nothing is recorded as agreed."""

from __future__ import annotations

import asyncio
import base64

import pytest

from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, Checkpoint, generate_key, open_checkpoint, parse_vkey
from hotline.ledger.cosign import cosign
from hotline.ledger.merkle import verify_consistency, verify_inclusion
from hotline.service.hotline import Hotline
from hotline.testing import Api

pytestmark = pytest.mark.anyio
PARTIES = ("isr", "syr", "usa")


def b64(text: str) -> bytes:
    return base64.b64decode(text)


async def register(api: Api, party: str):  # type: ignore[no-untyped-def]
    key = generate_key(f"{party}.example/witness", ALG_COSIGNATURE_V1)
    r = await api.as_(f"{party}-super", "POST", f"/api/v1/witness/parties/{party}/keys",
                      json={"vkey": key.verifier.vkey})
    assert r.status_code == 201, r.text
    return key


async def latest(api: Api, hl: Hotline, channel: str = "joint", user: str = "isr-duty") -> dict:  # type: ignore[type-arg]
    await hl.checkpoints.issue()
    r = await api.as_(user, "GET", f"/api/v1/witness/channels/{channel}/checkpoint")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def post_cosig(api: Api, party: str, note: str, channel: str = "joint"):  # type: ignore[no-untyped-def]
    return await api.as_(f"{party}-duty", "POST", f"/api/v1/witness/channels/{channel}/cosignatures",
                         json={"note": note})


async def test_every_member_cosigns_and_the_record_is_agreed(api: Api, service: Hotline) -> None:
    keys = {p: await register(api, p) for p in PARTIES}
    for i in range(5):
        assert (await api.post_message("isr-duty", subject=f"m{i}")).status_code == 201
    cp = await latest(api, service)
    server = parse_vkey((await api.as_("isr-duty", "GET", "/api/v1/witness/server-key")).json()["vkey"])
    signed = open_checkpoint(cp["note"], [server], origin="hotline.example/joint").checkpoint
    assert signed.size == cp["size"] == 3 + 5
    r = await api.as_("isr-duty", "GET", "/api/v1/witness/channels/joint/agreed")
    assert r.json()["agreed"] is None
    for i, p in enumerate(PARTIES):
        r = await post_cosig(api, p, cosign(signed, keys[p], 1_790_000_000))
        assert r.status_code == 201, r.text
        assert (r.json()["agreed"] is None) == (i < 2)
    assert (await post_cosig(api, "isr", cosign(signed, keys["isr"], 1_790_000_000))).status_code == 200
    record = (await api.as_("syr-duty", "GET", "/api/v1/witness/channels/joint/agreed")).json()["agreed"]
    assert record["size"] == signed.size and [c["party"] for c in record["cosignatures"]] == list(PARTIES)
    # Each party names an event by its own seq (cursor): usa asks about the events as usa reads them.
    usa_events = (await api.as_("usa-duty", "GET", "/api/v1/events")).json()["events"]
    status = (await api.as_("usa-duty", "GET", "/api/v1/witness/events/"
                            f"{[e for e in usa_events if e['channel'] == 'joint'][-1]['seq']}/agreement")).json()
    assert status["agreed"] is True
    # A later event is not under the agreed checkpoint until it is cosigned again.
    await api.post_message("syr-duty", subject="later")
    usa_events = (await api.as_("usa-duty", "GET", "/api/v1/events")).json()["events"]
    status = (await api.as_("usa-duty", "GET", f"/api/v1/witness/events/{usa_events[-1]['seq']}/agreement")).json()
    assert status["agreed"] is False
    events = (await api.as_("isr-duty", "GET", "/api/v1/events")).json()["events"]
    joint = [e for e in events if e["channel"] == "joint"]

    # Proofs verify against the signed roots.
    proof = (await api.as_("isr-duty", "GET", f"/api/v1/witness/events/{joint[2]['seq']}/inclusion",
                           params={"size": signed.size})).json()
    verify_inclusion(b64(proof["leaf_hash"]), 2, signed.size, [b64(p) for p in proof["proof"]], signed.root_hash)
    new = open_checkpoint((await latest(api, service))["note"], [server]).checkpoint
    c = (await api.as_("isr-duty", "GET", "/api/v1/witness/channels/joint/consistency",
                       params={"first": signed.size, "second": new.size})).json()
    verify_consistency(signed.size, new.size, signed.root_hash, new.root_hash, [b64(p) for p in c["proof"]])


async def test_bad_cosignatures_are_refused_and_nothing_is_agreed(api: Api, service: Hotline) -> None:
    keys = {p: await register(api, p) for p in PARTIES}
    await api.post_message("isr-duty")
    cp = await latest(api, service)
    signed = Checkpoint.parse(cp["note"][: cp["note"].rfind("\n\n") + 1])
    good = cosign(signed, keys["isr"], 1_790_000_000)

    forged_body = Checkpoint(signed.origin, signed.size, bytes(32))
    r = await post_cosig(api, "isr", cosign(forged_body, keys["isr"], 1))
    assert r.status_code == 409 and "forged or altered" in r.json()["detail"]

    sig_line = good.split("\n\n")[1]
    raw = bytearray(b64(sig_line.split(" ")[2]))
    raw[-1] ^= 1
    tampered = good.split("\n\n")[0] + "\n\n" + " ".join(sig_line.split(" ")[:2]) + " " + \
        base64.b64encode(bytes(raw)).decode() + "\n"
    r = await post_cosig(api, "isr", tampered)
    assert r.status_code == 422 and "does not verify" in r.json()["detail"]

    r = await post_cosig(api, "isr", "not a note")
    assert r.status_code == 422 and "malformed" in r.json()["detail"]

    stranger = generate_key("isr.example/stranger", ALG_COSIGNATURE_V1)
    r = await post_cosig(api, "isr", cosign(signed, stranger, 1))
    assert r.status_code == 403 and "not a registered witness key of isr" in r.json()["detail"]

    # syr posting a cosignature made with isr's key: the key is not one of syr's.
    r = await post_cosig(api, "syr", good)
    assert r.status_code == 403 and "not a registered witness key of syr" in r.json()["detail"]

    wrong_channel = await post_cosig(api, "isr", good, channel="isr-usa")
    assert wrong_channel.status_code == 422 and "origin" in wrong_channel.json()["detail"]

    # Revoked: the key stops being trusted for checkpoints after its revocation.
    kid = keys["isr"].verifier.key_id.hex()
    r = await api.as_("isr-super", "DELETE", f"/api/v1/witness/parties/isr/keys/{kid}")
    assert r.status_code == 200, r.text
    newer = Checkpoint.parse((n := (await latest(api, service))["note"])[: n.rfind("\n\n") + 1])
    r = await post_cosig(api, "isr", cosign(newer, keys["isr"], 2))
    assert r.status_code == 403 and "revoked" in r.json()["detail"]

    for p in ("syr", "usa"):
        assert (await post_cosig(api, p, cosign(newer, keys[p], 3))).status_code == 201
    record = (await api.as_("usa-duty", "GET", "/api/v1/witness/channels/joint/agreed")).json()
    assert record["agreed"] is None and record["cosigned_size"]["isr"] is None


async def test_keys_only_by_the_partys_supervisor(api: Api, service: Hotline) -> None:
    key = generate_key("isr.example/witness", ALG_COSIGNATURE_V1)
    body = {"vkey": key.verifier.vkey}
    r = await api.as_("syr-super", "POST", "/api/v1/witness/parties/isr/keys", json=body)
    assert r.status_code == 403 and "Only a supervisor of isr" in r.json()["detail"]
    r = await api.as_("isr-duty", "POST", "/api/v1/witness/parties/isr/keys", json=body)
    assert r.status_code == 403
    r = await api.as_("isr-super", "POST", "/api/v1/witness/parties/isr/keys",
                      json={"vkey": generate_key("isr.example/server").verifier.vkey})
    assert r.status_code == 422 and "type 0x04" in r.json()["detail"]
    r = await api.as_("isr-super", "POST", "/api/v1/witness/parties/isr/keys", json={"vkey": "garbage"})
    assert r.status_code == 422
    assert (await api.as_("isr-super", "POST", "/api/v1/witness/parties/isr/keys", json=body)).status_code == 201
    r = await api.as_("syr-super", "POST", "/api/v1/witness/parties/syr/keys", json=body)
    assert r.status_code == 409 and "already registered for party isr" in r.json()["detail"]
    # The key events are in the common channel: every party sees them.
    events = (await api.as_("syr-duty", "GET", "/api/v1/events")).json()["events"]
    assert [(e["type"], e["party"], e["payload"]["party"]) for e in events] == [
        ("witness_key.registered", "isr", "isr")]


async def test_proofs_for_wrong_sizes_and_hidden_channels(api: Api, service: Hotline) -> None:
    await api.post_message("isr-duty", channel="isr-usa")
    await asyncio.sleep(0)
    await service.checkpoints.issue()
    r = await api.as_("isr-duty", "GET", "/api/v1/witness/channels/isr-usa/consistency",
                      params={"first": 2, "second": 1})
    assert r.status_code == 422 and "expected first <= second" in r.json()["detail"]
    r = await api.as_("isr-duty", "GET", "/api/v1/witness/channels/isr-usa/consistency",
                      params={"first": 1, "second": 99})
    assert r.status_code == 422 and "No proof for those sizes" in r.json()["detail"]
    events = (await api.as_("isr-duty", "GET", "/api/v1/events")).json()["events"]
    r = await api.as_("isr-duty", "GET", f"/api/v1/witness/events/{events[0]['seq']}/inclusion",
                      params={"size": 5})
    assert r.status_code == 422
    # syr cannot even name isr's event: every seq it passes is its own cursor, and the first one past
    # its last event reads like one far beyond.
    past = (await api.as_("syr-duty", "GET", "/api/v1/events")).json()["last_seq"] + 1
    for path in ("channels/isr-usa/checkpoint", "channels/isr-usa/agreed", "channels/isr-usa/checkpoints",
                 f"events/{past}/inclusion", f"events/{past}/agreement",
                 "channels/isr-usa/consistency?first=1"):
        hidden = await api.as_("syr-duty", "GET", f"/api/v1/witness/{path}")
        absent = await api.as_("syr-duty", "GET", f"/api/v1/witness/{path.replace('isr-usa', 'nowhere')}"
                               .replace(f"events/{past}", "events/999"))
        assert hidden.status_code == absent.status_code == 404, (path, hidden.text)
