"""Per-channel Merkle trees and the signed checkpoints the server issues over them.

The trees live in memory: rebuilt from the ledger at start (one pass, one hash per leaf and about one
per node), then fed by ``Hotline.listeners`` after each commit, in commit order. A channel that changed
gets a new signed checkpoint as soon as the issuing task wakes, but at most once per ``interval``
seconds, so a burst of appends costs one signature, not one per batch.

The server's Ed25519 key is read from the file named by ``HOTLINE_SERVER_KEY`` (created on first start
if missing) or, without it, from the ``meta`` table (created on first start). Its vkey is public.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline.domain.timefmt import iso
from hotline.ledger.checkpoint import Checkpoint, SignerKey, generate_key, parse_skey, sign_checkpoint
from hotline.ledger.envelope import Event, leaf_data
from hotline.ledger.merkle import MerkleTree
from hotline.store import checkpoints as store

if TYPE_CHECKING:  # the service owns its Checkpoints: import only for the annotations
    from .hotline import Hotline

__all__ = ["Checkpoints", "load_server_key"]

log = logging.getLogger("hotline.checkpoints")
META_KEY = "server_signing_key"


def _key_file(path: str, name: str, create: bool) -> SignerKey:
    file = Path(path)
    if file.exists():
        return parse_skey(file.read_text("ascii").strip())
    if not create:
        raise FileNotFoundError(f"no server key file at {path}")
    key = generate_key(name)
    file.touch(mode=0o600)  # private from the first byte written
    file.write_text(key.skey + "\n", "ascii")
    return key


async def load_server_key(hl: Hotline, *, create: bool = True) -> SignerKey:
    """The server's note key: from HOTLINE_SERVER_KEY's file, else from the meta table."""
    name = f"{hl.settings.origin}/server"
    path = os.environ.get("HOTLINE_SERVER_KEY")
    if path:
        return _key_file(path, name, create)
    async with hl.db.read() as conn:
        text = await store.get_meta(conn, META_KEY)
    if text:
        return parse_skey(text)
    if not create:
        raise LookupError("this database has no server signing key yet; start the server once")
    key = generate_key(name)
    async with hl.db.write() as conn:
        # Another process may have won the race: keep the first key written.
        text = await store.get_meta(conn, META_KEY)
        if text:
            return parse_skey(text)
        await store.set_meta(hl.db, conn, META_KEY, key.skey)
    return key


class Checkpoints:
    """The trees of every channel and the task that signs checkpoints over them."""

    def __init__(self, hl: Hotline, *, interval: float | None = None) -> None:
        self.hl = hl
        self.interval = interval if interval is not None else float(os.environ.get("HOTLINE_CHECKPOINT_INTERVAL",
                                                                                   "0.5"))
        self.trees: dict[str, MerkleTree] = {c: MerkleTree() for c in hl.world.channels}
        self.seqs: dict[str, array[int]] = {c: array("q") for c in hl.world.channels}
        self.signed: dict[str, tuple[int, bytes]] = {}  # channel -> (size, root) of its newest checkpoint
        self.key: SignerKey | None = None
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def origin(self, channel: str) -> str:
        return f"{self.hl.settings.origin}/{channel}"

    @property
    def vkey(self) -> str:
        assert self.key is not None
        return self.key.verifier.vkey

    async def start(self) -> None:
        self.key = await load_server_key(self.hl)
        t0 = time.perf_counter()
        count = 0
        async for seq, channel, data in store.leaves(self.hl.db):
            self._tree(channel).append_data(data)
            self.seqs[channel].append(seq)
            count += 1
        log.info("rebuilt the Merkle trees of %d events in %.2f s", count, time.perf_counter() - t0)
        async with self.hl.db.read() as conn:
            for channel, row in (await store.latest_checkpoints(conn)).items():
                self.signed[channel] = (row.size, bytes.fromhex(row.root_hash))
        for channel, tree in self.trees.items():
            last = self.signed.get(channel)
            if last is not None and last[0] <= len(tree) and tree.root(last[0]) != last[1]:
                # The ledger no longer gives the root this server signed: its database was changed.
                log.error("channel %s: the events no longer match the checkpoint signed at size %d; the "
                          "database was altered. Witnesses will refuse to cosign.", channel, last[0])
            if len(tree) and (last is None or last != (len(tree), tree.root())):
                self._dirty.add(channel)
        self.hl.listeners.append(self.on_commit)
        await self.issue()
        self._task = asyncio.create_task(self._run(), name="hotline-checkpoints")

    async def stop(self) -> None:
        if self.on_commit in self.hl.listeners:
            self.hl.listeners.remove(self.on_commit)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.issue()  # the last appends get their checkpoint before the server goes

    def _tree(self, channel: str) -> MerkleTree:
        if channel not in self.trees:  # a channel the world no longer lists still has a log
            self.trees[channel] = MerkleTree()
            self.seqs[channel] = array("q")
        return self.trees[channel]

    def on_commit(self, events: list[Event]) -> None:
        """Called in commit order right after each commit: grow the trees, wake the signer."""
        for ev in events:
            seqs = self.seqs.get(ev.channel)
            if seqs and ev.seq <= seqs[-1]:
                continue  # already in the tree (read at start, or delivered twice across processes)
            self._tree(ev.channel).append_data(leaf_data(ev.to_dict()))
            self.seqs[ev.channel].append(ev.seq)
            self._dirty.add(ev.channel)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.issue()
            except Exception:
                log.exception("issuing checkpoints failed; retrying")
            await asyncio.sleep(self.interval)  # the bound on how often a channel is re-signed

    async def issue(self) -> list[str]:
        """Sign and store a checkpoint of every channel that changed; returns their notes."""
        assert self.key is not None
        dirty, self._dirty = self._dirty, set()
        rows: list[dict[str, Any]] = []
        for channel in sorted(dirty):
            tree = self.trees[channel]
            size = len(tree)
            if not size or self.signed.get(channel) == (size, tree.root()):
                continue
            cp = Checkpoint(self.origin(channel), size, tree.root(size))
            rows.append({"channel": channel, "size": size, "root_hash": cp.root_hash.hex(),
                         "seq": self.seqs[channel][size - 1], "note": sign_checkpoint(cp, self.key),
                         "issued_at": iso(self.hl.clock())})
        if not rows:
            return []
        try:
            async with self.hl.db.write() as conn:
                for row in rows:
                    await store.insert_checkpoint(conn, row)
        except Exception:
            self._dirty |= {r["channel"] for r in rows}
            raise
        for row in rows:
            self.signed[row["channel"]] = (row["size"], bytes.fromhex(row["root_hash"]))
        return [r["note"] for r in rows]
