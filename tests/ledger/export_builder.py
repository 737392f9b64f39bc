"""Build real exports for tests and the benchmark: hashed events, signed checkpoints, cosignatures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hotline.domain.events import Pending
from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, Checkpoint, SignerKey, generate_key, sign_checkpoint
from hotline.ledger.cosign import cosign
from hotline.ledger.envelope import GENESIS, VERSION, leaf_data
from hotline.ledger.merkle import MerkleTree
from hotline.ledger.offline import write_export
from hotline.ledger.seal import ChainHead, seal

CHANNELS = {"joint": ["isr", "syr", "usa"], "isr-usa": ["isr", "usa"], "syr-usa": ["syr", "usa"]}


class ExportBuilder:
    def __init__(self, channels: dict[str, list[str]] | None = None, origin: str = "hotline.example") -> None:
        self.channels = channels or CHANNELS
        self.origins = {c: f"{origin}/{c}" for c in self.channels}
        self.server = generate_key(f"{origin}/server")
        self.witness: dict[str, SignerKey] = {}
        self.trees = {c: MerkleTree() for c in self.channels}
        self.heads = {c: GENESIS for c in self.channels}
        self.seq = 0
        self.events: list[dict[str, Any]] = []
        self.checkpoints: list[tuple[str, str]] = []
        self.cosignatures: list[tuple[str, str, str]] = []
        self.keep_events = True
        self.v = VERSION  # the envelope version of the events sealed next (1: as before version 2)

    def event(self, channel: str, type: str, party: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        ts = f"2026-11-25T19:{self.seq // 60 % 60:02d}:{self.seq % 60:02d}Z"
        decided = Pending(channel, type, party, f"{party}.duty", payload)
        ev = seal(decided, ChainHead(len(self.trees[channel]), self.heads[channel]), self.seq, ts,
                  v=self.v).event.to_dict()
        self.heads[channel] = ev["hash"]
        self.trees[channel].append_data(leaf_data(ev))
        if self.keep_events:
            self.events.append(ev)
        return ev

    def register_witness(self, party: str, channel: str = "joint", *, revoke: bool = False) -> SignerKey:
        """Register a fresh witness key for ``party`` (revoking its current one first if asked)."""
        old = self.witness.get(party)
        if revoke and old is not None:
            v = old.verifier
            self.event(channel, "witness_key.revoked", party,
                       {"party": party, "vkey": v.vkey, "key_id": v.key_id.hex()})
        key = generate_key(f"{party}.example/witness{self.seq}", ALG_COSIGNATURE_V1)
        v = key.verifier
        self.event(channel, "witness_key.registered", party,
                   {"party": party, "vkey": v.vkey, "key_id": v.key_id.hex()})
        self.witness[party] = key
        return key

    def checkpoint(self, channel: str, *, cosigners: list[str] | None = None) -> str:
        tree = self.trees[channel]
        cp = Checkpoint(self.origins[channel], len(tree), tree.root())
        note = sign_checkpoint(cp, self.server)
        self.checkpoints.append((channel, note))
        for party in self.channels[channel] if cosigners is None else cosigners:
            self.cosignatures.append((channel, party, cosign(cp, self.witness[party], 1_790_000_000 + self.seq)))
        return note

    def checkpoint_all(self) -> None:
        for channel, tree in self.trees.items():
            if len(tree) and not any(c == channel and f"\n{len(tree)}\n" in n for c, n in self.checkpoints):
                self.checkpoint(channel)

    def write(self, path: Path, events: Any = None) -> Path:
        with open(path, "wb") as fp:
            write_export(fp, {"channels": self.channels, "origins": self.origins},
                         self.events if events is None else events,
                         self.checkpoints, self.cosignatures, [self.server.verifier.vkey])
        return path


def demo_builder(n: int = 60, every: int = 20) -> ExportBuilder:
    """Three channels, witness keys for all parties, a checkpoint of every channel every ``every`` events."""
    b = ExportBuilder()
    for party in ("isr", "syr", "usa"):
        b.register_witness(party)
    names = list(b.channels)
    for i in range(n):
        channel = names[i % 3]
        party = b.channels[channel][i % len(b.channels[channel])]
        b.event(channel, "message.posted", party, {"precedence": "ROUTINE", "text": f"message {i} — שלום مرحبا",
                                                   "to": [p for p in b.channels[channel] if p != party]})
        if (i + 1) % every == 0:
            b.checkpoint_all()
    b.checkpoint_all()
    return b


def stream_events(b: ExportBuilder, n: int, every: int) -> Iterator[dict[str, Any]]:
    """Generate ``n`` more events lazily, checkpointing as they are consumed (for big exports)."""
    names = list(b.channels)
    for i in range(n):
        channel = names[i % 3]
        party = b.channels[channel][i % len(b.channels[channel])]
        yield b.event(channel, "message.posted", party,
                      {"precedence": "ROUTINE", "text": f"Movement of two vehicles near grid 36S YB {i % 1000:03d}",
                       "to": [p for p in b.channels[channel] if p != party]})
        if (i + 1) % every == 0:
            b.checkpoint_all()
    b.checkpoint_all()
