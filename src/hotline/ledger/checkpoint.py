"""Signed checkpoints: C2SP signed-note with Ed25519 keys, carrying a C2SP tlog-checkpoint body.

A checkpoint commits the server to the Merkle root of the first ``size`` events of one channel::

    hotline.example/joint
    1000
    <base64 root hash>

    — hotline.example/server <base64(4-byte key ID || 64-byte Ed25519 signature)>

Keys are Ed25519. A key is named (a schema-less URL) and identified by
``key ID = SHA-256(name || 0x0A || type || public key)[:4]``, where ``type`` is 0x01 for note signatures
(the server signing checkpoints) and 0x04 for cosignature/v1 (a witness cosigning them, see ``cosign``).
Public keys travel as vkeys ``<name>+<hex key ID>+<base64(type || public key)>``; private keys as
``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>``.

Every parser here is strict: one spelling per value (canonical base64, decimal without leading zeros),
so a changed byte is never silently accepted as the same note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "Checkpoint",
    "CheckpointError",
    "Note",
    "NoteSignature",
    "SignedCheckpoint",
    "SignerKey",
    "VerifierKey",
    "b64decode_strict",
    "generate_key",
    "key_id",
    "open_checkpoint",
    "parse_note",
    "parse_skey",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
    "verify_note",
]

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
_ALGORITHMS = {ALG_ED25519: "Ed25519 note signature", ALG_COSIGNATURE_V1: "Ed25519 cosignature/v1"}
_MAX_SIGNATURES = 64
_KEY_NAME = re.compile(r"[^\s+]+")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


class CheckpointError(ValueError):
    """A key, note or checkpoint is malformed, forged, or signed by no key we trust."""


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard base64 with padding, in its one canonical spelling."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise CheckpointError(f"expected base64 for {what}, got {text[:40]!r}: {e}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"expected canonical base64 for {what}, got {text[:40]!r}")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key ID of signed-note: SHA-256(name || 0x0A || alg || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not _KEY_NAME.fullmatch(name):
        raise CheckpointError(f"expected a key name without spaces or '+', got {name!r}")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public key: its name, its algorithm byte, the 32-byte Ed25519 key and the derived key ID."""

    name: str
    alg: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([self.alg]) + self.public_key)}"

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A private key; ``verifier`` is its public half."""

    name: str
    alg: int
    seed: bytes

    @property
    def verifier(self) -> VerifierKey:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return VerifierKey(self.name, self.alg, public.public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def skey(self) -> str:
        kid = self.verifier.key_id.hex()
        return f"PRIVATE+KEY+{self.name}+{kid}+{_b64(bytes([self.alg]) + self.seed)}"

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def generate_key(name: str, alg: int = ALG_ED25519) -> SignerKey:
    """A fresh Ed25519 key: ``ALG_ED25519`` for a server signing checkpoints, ``ALG_COSIGNATURE_V1`` for
    a witness."""
    _check_name(name)
    if alg not in _ALGORITHMS:
        raise CheckpointError(f"expected algorithm 0x01 or 0x04, got 0x{alg:02x}")
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return SignerKey(name, alg, seed)


def _parse_key(text: str, prefix: str, what: str) -> tuple[str, int, bytes, bytes]:
    if not text.startswith(prefix):
        raise CheckpointError(f"expected a {what} starting with {prefix!r}, got {text[:40]!r}")
    parts = text[len(prefix):].split("+", 2)
    if len(parts) != 3:
        raise CheckpointError(f"expected a {what} of the form <name>+<hex key ID>+<base64 key>, got {text!r}")
    name, kid_hex, material = parts
    _check_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", kid_hex):
        raise CheckpointError(f"expected 8 lowercase hex digits as the key ID of {name!r}, got {kid_hex!r}")
    raw = b64decode_strict(material, f"the key of {name!r}")
    if len(raw) != 33 or raw[0] not in _ALGORITHMS:
        raise CheckpointError(f"expected an algorithm byte 0x01 or 0x04 and 32 key bytes for {name!r}, "
                              f"got {len(raw)} bytes starting 0x{raw[:1].hex() or '--'}")
    return name, raw[0], raw[1:], bytes.fromhex(kid_hex)


def parse_vkey(text: str) -> VerifierKey:
    """Parse ``<name>+<hex key ID>+<base64(alg || public key)>``; the key ID must match the key."""
    name, alg, public, kid = _parse_key(text, "", "verifier key")
    key = VerifierKey(name, alg, public)
    if key.key_id != kid:
        raise CheckpointError(f"expected key ID {key.key_id.hex()} for verifier key {name!r}, "
                              f"got {kid.hex()}")
    return key


def parse_skey(text: str) -> SignerKey:
    name, alg, seed, kid = _parse_key(text, "PRIVATE+KEY+", "signer key")
    key = SignerKey(name, alg, seed)
    if key.verifier.key_id != kid:
        raise CheckpointError(f"expected key ID {key.verifier.key_id.hex()} for signer key {name!r}, "
                              f"got {kid.hex()}")
    return key


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes  # the bytes after the key ID

    @property
    def line(self) -> str:
        return f"— {self.name} {_b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A signed note: ``text`` (ending in a newline) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def parse_note(note: str) -> Note:
    """Split a signed note into its text and signatures, refusing anything the format does not allow."""
    if _CONTROL.search(note):
        raise CheckpointError("expected a note without control characters other than newline, got one")
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("expected a note text, a blank line and signature lines, got no blank line")
    text, block = note[: split + 1], note[split + 2:]
    if not block.endswith("\n"):
        raise CheckpointError("expected the note to end with a newline after its last signature line")
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise CheckpointError(f"expected at most {_MAX_SIGNATURES} signatures, got {len(lines)}")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "—":
            raise CheckpointError(f"expected a signature line '— <key name> <base64>', got {line[:60]!r}")
        _check_name(parts[1])
        raw = b64decode_strict(parts[2], f"the signature by {parts[1]!r}")
        if len(raw) < 5:
            raise CheckpointError(f"expected a key ID and a signature from {parts[1]!r}, "
                                  f"got {len(raw)} bytes")
        signatures.append(NoteSignature(parts[1], raw[:4], raw[4:]))
    return Note(text, tuple(signatures))


def sign_note(text: str, signers: Iterable[SignerKey]) -> str:
    """Sign ``text`` (which must end in a newline) with each Ed25519 note key in ``signers``."""
    if not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("expected a note text ending in a newline, without control characters")
    signatures = []
    for signer in signers:
        if signer.alg != ALG_ED25519:
            raise CheckpointError(f"expected an Ed25519 note key (0x01) to sign a note, got "
                                  f"0x{signer.alg:02x} for {signer.name!r}; witnesses cosign with cosign()")
        signatures.append(NoteSignature(signer.name, signer.verifier.key_id, signer.sign(text.encode())))
    if not signatures:
        raise CheckpointError("expected at least one key to sign the note, got none")
    return str(Note(text, tuple(signatures)))


def verify_note(note: str | Note, known: Iterable[VerifierKey]) -> tuple[Note, tuple[VerifierKey, ...]]:
    """Verify ``note`` against the ``known`` Ed25519 note keys.

    Signatures by unknown keys are ignored (as signed-note requires); a signature by a known key that
    does not verify refuses the whole note, and so does a note that no known key signed.
    Returns the note and the keys whose signatures verified.
    """
    parsed = parse_note(note) if isinstance(note, str) else note
    keys = {(k.name, k.key_id): k for k in known if k.alg == ALG_ED25519}
    good: list[VerifierKey] = []
    message = parsed.text.encode()
    for sig in parsed.signatures:
        key = keys.get((sig.name, sig.key_id))
        if key is None:
            continue
        if not key.verify(sig.signature, message):
            raise CheckpointError(f"expected a valid signature by {sig.name!r} (key ID {sig.key_id.hex()}), "
                                  "got one that does not verify: the note was forged or altered")
        good.append(key)
    if not good:
        names = ", ".join(sorted(f"{n}+{i.hex()}" for n, i in keys)) or "(no keys)"
        found = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures)
        raise CheckpointError(f"expected a signature by one of {names}, got signatures by {found} only")
    return parsed, tuple(good)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash, and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise CheckpointError("expected the checkpoint body to end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(f"expected at least 3 checkpoint lines (origin, size, root), "
                                  f"got {len(lines)}")
        origin, size, root, *extensions = lines
        if not origin or any(not line for line in extensions):
            raise CheckpointError("expected non-empty origin and extension lines in the checkpoint, "
                                  "got an empty one")
        if not _DECIMAL.fullmatch(size):
            raise CheckpointError(f"expected a decimal tree size without leading zeros, got {size!r}")
        raw = b64decode_strict(root, "the checkpoint root hash")
        if len(raw) != 32:
            raise CheckpointError(f"expected a 32-byte root hash, got {len(raw)} bytes")
        return cls(origin, int(size), raw, tuple(extensions))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    note: Note
    signed_by: tuple[VerifierKey, ...]


def sign_checkpoint(checkpoint: Checkpoint, signer: SignerKey) -> str:
    """The signed note of ``checkpoint`` by the server key ``signer``."""
    return sign_note(checkpoint.body, [signer])


def open_checkpoint(note: str, known: Iterable[VerifierKey], *,
                    origin: str | None = None) -> SignedCheckpoint:
    """Verify a signed checkpoint and parse its body; ``origin``, when given, must match."""
    parsed, good = verify_note(note, known)
    checkpoint = Checkpoint.parse(parsed.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"expected a checkpoint of origin {origin!r}, got {checkpoint.origin!r}")
    return SignedCheckpoint(checkpoint, parsed, good)
