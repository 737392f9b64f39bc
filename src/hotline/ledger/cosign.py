"""Cosignatures: C2SP tlog-cosignature, cosignature/v1 (Ed25519).

A party's witness checks that a checkpoint is consistent with everything it saw before and cosigns it.
The cosignature is a note signature line on the checkpoint body, by a key of type 0x04::

    — <witness name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)

over the message ``cosignature/v1\\ntime <timestamp>\\n<checkpoint body>``. The note stored with it is
the checkpoint body, a blank line, and that one signature line.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from .checkpoint import (
    ALG_COSIGNATURE_V1,
    Checkpoint,
    CheckpointError,
    Note,
    NoteSignature,
    SignerKey,
    VerifierKey,
    parse_note,
)

__all__ = ["Cosignature", "CosignatureError", "cosign", "cosignature_message", "verify_cosignature"]

_MAX_TIMESTAMP = 2**63 - 1


class CosignatureError(CheckpointError):
    """A cosignature is malformed, forged, by an unknown or revoked key, or over another checkpoint."""


def cosignature_message(body: str, timestamp: int) -> bytes:
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise CosignatureError(f"expected a timestamp in [0, 2**63 - 1], got {timestamp}")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True, slots=True)
class Cosignature:
    checkpoint: Checkpoint
    timestamp: int
    key: VerifierKey
    note: Note


def cosign(checkpoint: Checkpoint | str, signer: SignerKey, timestamp: int) -> str:
    """The note ``<checkpoint body>\\n— <name> <base64(key ID || timestamp || signature)>\\n``."""
    if signer.alg != ALG_COSIGNATURE_V1:
        raise CosignatureError(f"expected a cosignature/v1 key (0x04) for {signer.name!r}, "
                               f"got algorithm 0x{signer.alg:02x}")
    body = checkpoint.body if isinstance(checkpoint, Checkpoint) else Checkpoint.parse(checkpoint).body
    signature = signer.sign(cosignature_message(body, timestamp))
    line = NoteSignature(signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + signature)
    return str(Note(body, (line,)))


def verify_cosignature(note: str, keys: Iterable[VerifierKey], *, revoked: Iterable[VerifierKey] = (),
                       checkpoint: Checkpoint | None = None) -> Cosignature:
    """Verify a cosignature note by one of ``keys`` (cosignature/v1 keys of the witnesses trusted now).

    Refuses a note with other than one signature line, a key in ``revoked`` or not in ``keys``, a
    signature that does not verify, and (when ``checkpoint`` is given) a note over another checkpoint.
    """
    parsed = parse_note(note)
    if len(parsed.signatures) != 1:
        raise CosignatureError(f"expected exactly one cosignature line, got {len(parsed.signatures)}")
    sig = parsed.signatures[0]
    cosigned = Checkpoint.parse(parsed.text)
    if checkpoint is not None and cosigned != checkpoint:
        raise CosignatureError(f"expected a cosignature over {checkpoint.origin} size {checkpoint.size} "
                               f"root {checkpoint.root_hash.hex()[:16]}…, got one over {cosigned.origin} "
                               f"size {cosigned.size} root {cosigned.root_hash.hex()[:16]}…")
    ident = (sig.name, sig.key_id)
    if any((k.name, k.key_id) == ident for k in revoked):
        raise CosignatureError(f"expected a cosignature by a current key, got one by the revoked key "
                               f"{sig.name}+{sig.key_id.hex()}")
    key = next((k for k in keys if k.alg == ALG_COSIGNATURE_V1 and (k.name, k.key_id) == ident), None)
    if key is None:
        raise CosignatureError(f"expected a cosignature by a known witness key, got one by the unknown key "
                               f"{sig.name}+{sig.key_id.hex()}")
    if len(sig.signature) != 8 + 64:
        raise CosignatureError(f"expected a timestamp and a 64-byte signature from {sig.name!r}, got "
                               f"{len(sig.signature)} bytes")
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    if not key.verify(sig.signature[8:], cosignature_message(parsed.text, timestamp)):
        raise CosignatureError(f"expected a valid cosignature by {sig.name!r} over {cosigned.origin} size "
                               f"{cosigned.size}, got one that does not verify: forged or altered")
    return Cosignature(cosigned, timestamp, key, parsed)
