import base64

import pytest

from hotline.ledger.checkpoint import (
    ALG_COSIGNATURE_V1,
    Checkpoint,
    CheckpointError,
    generate_key,
    open_checkpoint,
    parse_note,
    parse_skey,
    parse_vkey,
    sign_checkpoint,
)
from hotline.ledger.cosign import CosignatureError, cosign, verify_cosignature

CP = Checkpoint("hotline.example/joint", 1000, bytes(range(32)))


@pytest.fixture(scope="module")
def server():
    return generate_key("hotline.example/server")


@pytest.fixture(scope="module")
def witness():
    return generate_key("isr.example/witness", ALG_COSIGNATURE_V1)


def test_checkpoint_round_trip_and_keys_serialize(server):
    note = sign_checkpoint(CP, server)
    assert note.startswith("hotline.example/joint\n1000\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n— ")
    assert open_checkpoint(note, [server.verifier], origin=CP.origin).checkpoint == CP
    assert parse_vkey(server.verifier.vkey) == server.verifier
    assert parse_skey(server.skey) == server
    assert str(parse_note(note)) == note


def test_signed_note_key_id_follows_the_spec(server):
    import hashlib
    v = server.verifier
    assert v.key_id == hashlib.sha256(v.name.encode() + b"\n\x01" + v.public_key).digest()[:4]


def test_forged_checkpoint_is_refused(server):
    note = sign_checkpoint(CP, server).replace("\n1000\n", "\n1001\n")
    with pytest.raises(CheckpointError, match="does not verify"):
        open_checkpoint(note, [server.verifier])


def test_checkpoint_signed_by_another_key_is_refused(server):
    other = generate_key("hotline.example/server")  # same name, different key
    with pytest.raises(CheckpointError, match="expected a signature by one of"):
        open_checkpoint(sign_checkpoint(CP, other), [server.verifier])


def test_wrong_origin_is_refused(server):
    with pytest.raises(CheckpointError, match="expected a checkpoint of origin"):
        open_checkpoint(sign_checkpoint(CP, server), [server.verifier], origin="hotline.example/other")


@pytest.mark.parametrize("mangle", [
    lambda n: n.replace("\n\n", "\n"),                      # no blank line
    lambda n: n[:-1],                                       # no final newline
    lambda n: n.replace("— ", "-- "),                       # not an em dash
    lambda n: n.replace("\n1000\n", "\n01000\n"),           # leading zero
    lambda n: n.replace("\n1000\n", "\n1000\r\n"),          # control character
    lambda n: n.replace("=\n\n", "\n\n"),                   # root without padding
])
def test_malformed_notes_are_refused(server, mangle):
    with pytest.raises(CheckpointError):
        open_checkpoint(mangle(sign_checkpoint(CP, server)), [server.verifier])


def test_non_canonical_base64_signature_is_refused(server):
    note = sign_checkpoint(CP, server)
    sig = note.rsplit(" ", 1)[1].rstrip("\n")
    raw = base64.b64decode(sig)
    assert sig.endswith("=")
    alt = sig[:-2] + chr(ord(sig[-2]) + 1) + "="  # same bytes, other spelling of the unused bits
    assert base64.b64decode(alt) == raw
    with pytest.raises(CheckpointError, match="canonical base64"):
        open_checkpoint(note.replace(sig, alt), [server.verifier])


def test_vkey_with_wrong_key_id_is_refused(server):
    name, kid, material = server.verifier.vkey.split("+", 2)
    with pytest.raises(CheckpointError, match="expected key ID"):
        parse_vkey(f"{name}+00000000+{material}")


def test_cosignature_round_trip(witness):
    note = cosign(CP, witness, 1_790_000_000)
    got = verify_cosignature(note, [witness.verifier], checkpoint=CP)
    assert got.timestamp == 1_790_000_000 and got.key == witness.verifier
    assert note.startswith(CP.body + "\n— isr.example/witness ")


def test_cosignature_signs_the_cosignature_v1_message(witness):
    note = cosign(CP, witness, 7)
    raw = base64.b64decode(note.rsplit(" ", 1)[1])
    assert raw[:4] == witness.verifier.key_id and raw[4:12] == (7).to_bytes(8, "big")
    witness.verifier.verify(raw[12:], b"cosignature/v1\ntime 7\n" + CP.body.encode())


def test_forged_cosignature_is_refused(witness):
    note = cosign(CP, witness, 1_790_000_000)
    raw = bytearray(base64.b64decode(note.rsplit(" ", 1)[1]))
    raw[11] ^= 1  # the timestamp
    forged = note.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode() + "\n"
    with pytest.raises(CosignatureError, match="does not verify"):
        verify_cosignature(forged, [witness.verifier])


def test_cosignature_by_unknown_or_revoked_key_or_over_another_checkpoint_is_refused(witness):
    note = cosign(CP, witness, 1)
    stranger = generate_key("isr.example/witness", ALG_COSIGNATURE_V1)
    with pytest.raises(CosignatureError, match="unknown key"):
        verify_cosignature(note, [stranger.verifier])
    with pytest.raises(CosignatureError, match="revoked key"):
        verify_cosignature(note, [witness.verifier], revoked=[witness.verifier])
    other = Checkpoint(CP.origin, 1001, CP.root_hash)
    with pytest.raises(CosignatureError, match="expected a cosignature over"):
        verify_cosignature(note, [witness.verifier], checkpoint=other)


def test_a_server_note_key_cannot_pass_for_a_witness_key(server):
    with pytest.raises(CosignatureError, match="0x04"):
        cosign(CP, server, 1)
