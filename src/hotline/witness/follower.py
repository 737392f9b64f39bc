"""A party's witness: follow the server, check every checkpoint, cosign only what is consistent.

For each channel its party belongs to, the witness

1. keeps its own copy of the events (``/api/v1/events``, numbered by its party's own cursors), checking
   that each one extends its copy of the chain (index, link, hash) and recomputing the channel's Merkle
   tree itself. Neither needs the ledger's global order: a version 2 event's hash and Merkle leaf
   leave it out, and a version 1 event comes with the ``ledger_seq`` its hash covers
   (``hotline.ledger.envelope.ledger_form``);
2. fetches the newest signed checkpoint and verifies the server's signature (key pinned on first use,
   or given);
3. checks it against the last checkpoint it cosigned (same size: same root; larger: the server's
   consistency proof verifies; smaller: refused) and against its own tree (same root at that size);
4. cosigns and posts the cosignature, or refuses: records the two signed checkpoints as evidence,
   names the events that changed, logs, posts a ``witness.alarm_raised`` event to its party's channel,
   and never cosigns that channel again. It keeps running for the other channels.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Any

import httpx
import orjson

from hotline.ledger.checkpoint import CheckpointError, SignerKey, VerifierKey, open_checkpoint, parse_vkey
from hotline.ledger.cosign import cosign
from hotline.ledger.envelope import GENESIS, canonical, event_hash, ledger_form
from hotline.ledger.merkle import MerkleTree, ProofError, verify_consistency

from .diff import describe_changes
from .store import WitnessStore

__all__ = ["Witness"]

log = logging.getLogger("hotline.witness")


class Witness:
    def __init__(self, client: httpx.Client, key: SignerKey, store: WitnessStore, *,
                 server_key: str | None = None) -> None:
        self.http = client
        self.key = key
        self.store = store
        pinned = server_key or store.get("server_vkey")
        self.server_key: VerifierKey | None = parse_vkey(pinned) if pinned else None
        self.trees: dict[str, MerkleTree] = {}
        self.heads: dict[str, str] = {}
        self.broken: set[str] = store.alarmed_channels()  # a channel once alarmed is never cosigned again
        self.new_alarms: list[str] = []
        self.cosigned = 0
        for channel, body in store.events():
            self._grow(channel, orjson.loads(body))

    def _grow(self, channel: str, ev: dict[str, Any]) -> None:
        """Extend my tree of ``channel`` by the event as served: its leaf is its ledger form's bytes."""
        self.trees.setdefault(channel, MerkleTree()).append_data(canonical(ledger_form(ev)))
        self.heads[channel] = ev["hash"]

    def _get(self, path: str, **params: Any) -> Any:
        r = self.http.get(path, params=params)
        r.raise_for_status()
        return r.json()

    # -- one pass ---------------------------------------------------------------------------------

    def run_once(self) -> list[str]:
        """One pass over every channel; returns the alarms raised in it."""
        self.new_alarms = []
        if self.server_key is None:
            vkey = self._get("/api/v1/witness/server-key")["vkey"]
            self.server_key = parse_vkey(vkey)
            self.store.put("server_vkey", vkey)
            log.warning("pinned the server key %s on first use; pass --server-key to check it out of band", vkey)
        self.adopt_cursors()
        self.sync_events()
        for channel in sorted(c["id"] for c in self._get("/api/v1/channels")["channels"]):
            if channel not in self.broken:
                self.check_channel(channel)
        return self.new_alarms

    def adopt_cursors(self) -> None:
        """Once: a copy kept before the server numbered events per party is renumbered to my party's
        cursors (matched by channel and chain index), so that I resume where I stopped."""
        if self.store.get("numbering") == "party":
            return
        cursors: dict[tuple[str, int], int] = {}
        if self.store.last_seq():
            after = 0
            while True:
                page = self._get("/api/v1/events", after=after, limit=1000)["events"]
                cursors.update({(e["channel"], e["chain_index"]): e["seq"] for e in page})
                if len(page) < 1000:
                    break
                after = page[-1]["seq"]
        moved = self.store.renumber(cursors)
        if moved:
            log.warning("renumbered %d events of my copy to my party's own cursors", moved)

    def sync_events(self) -> None:
        after = self.store.last_seq()
        while True:
            page = self._get("/api/v1/events", after=after, limit=1000)
            for ev in page["events"]:
                after = max(after, ev["seq"])
                channel = ev["channel"]
                if channel in self.broken:
                    continue
                problem = self._link_problem(ev)
                if problem:
                    self.alarm(channel, f"event seq={ev['seq']} (chain index {ev['chain_index']}) of channel "
                               f"{channel!r} does not extend my copy: {problem}", None, None)
                    continue
                self.store.add_event(ev, canonical(ev))
                self._grow(channel, ev)
            if len(page["events"]) < 1000:
                return

    def _link_problem(self, ev: dict[str, Any]) -> str | None:
        channel = ev["channel"]
        size = len(self.trees.get(channel, ()))
        if ev["seq"] <= self.store.last_seq():
            return f"its seq is not after the last one I hold ({self.store.last_seq()}): history was rewritten"
        if ev["chain_index"] != size:
            return f"expected chain index {size}, got {ev['chain_index']} (events were removed or inserted)"
        if ev["prev_hash"] != self.heads.get(channel, GENESIS):
            return (f"it links to {ev['prev_hash'][:16]}…, my copy ends at {self.heads.get(channel, GENESIS)[:16]}… "
                    "(an earlier event was rewritten)")
        try:
            if event_hash(ledger_form(ev)) != ev["hash"]:
                return "its hash is not the hash of its content"
        except (KeyError, ValueError) as e:
            return f"it cannot be checked ({e!r})"
        return None

    def check_channel(self, channel: str) -> None:
        try:
            latest = self._get(f"/api/v1/witness/channels/{channel}/checkpoint")
        except httpx.HTTPStatusError as e:
            if e.response.status_code == 404:
                return  # no events yet
            raise
        note = latest["note"]
        assert self.server_key is not None
        try:
            cp = open_checkpoint(note, [self.server_key], origin=None).checkpoint
        except CheckpointError as e:
            self.alarm(channel, f"the newest checkpoint of {channel!r} is not validly signed by the server: {e}",
                       note, None)
            return
        status = self.store.checkpoint_status(channel, cp.size, cp.root_hash)
        if status in ("cosigned", "refused"):
            return
        last = self.store.last_cosigned(channel)
        problem = None
        if last is not None:
            size, root, _ = last
            if cp.size < size:
                problem = f"the log shrank: checkpoint size {cp.size} after I cosigned size {size}"
            elif cp.size == size and cp.root_hash != root:
                problem = f"two signed checkpoints of size {size} with different roots"
            elif cp.size > size:
                proof = self._get(f"/api/v1/witness/channels/{channel}/consistency", first=size, second=cp.size)
                try:
                    verify_consistency(size, cp.size, root, cp.root_hash,
                                       [base64.b64decode(p) for p in proof["proof"]])
                except ProofError as e:
                    problem = f"checkpoint size {cp.size} is not consistent with the size {size} I cosigned: {e}"
        tree = self.trees.get(channel, MerkleTree())
        if problem is None and len(tree) < cp.size:
            self.sync_events()
            tree = self.trees.get(channel, MerkleTree())
            if channel in self.broken:
                return
            if len(tree) < cp.size:
                return  # the events are not visible yet; check again on the next pass
        if problem is None and tree.root(cp.size) != cp.root_hash:
            problem = (f"checkpoint size {cp.size} has root {cp.root_hash.hex()[:16]}…, my own copy of the events "
                       f"gives {tree.root(cp.size).hex()[:16]}…")
        if problem is not None:
            self.store.record_checkpoint(channel, cp.size, cp.root_hash, note, "refused")
            self.alarm(channel, f"channel {channel!r}: {problem}", note, last[2] if last else None,
                       logged_as=f"REFUSED to cosign {channel} at size {cp.size}:")
            return
        cosignature = cosign(cp, self.key, int(time.time()))
        r = self.http.post(f"/api/v1/witness/channels/{channel}/cosignatures", json={"note": cosignature})
        if r.status_code in (200, 201):
            self.store.record_checkpoint(channel, cp.size, cp.root_hash, note, "cosigned")
            self.cosigned += 1
            log.info("cosigned %s at size %d", channel, cp.size)
        else:
            # Consistent, but the server would not take it (e.g. the key is newer than the checkpoint).
            self.store.record_checkpoint(channel, cp.size, cp.root_hash, note, "unaccepted")
            log.warning("cosignature of %s size %d not accepted: %s", channel, cp.size, r.text)

    # -- alarms -----------------------------------------------------------------------------------

    def _served(self, channel: str) -> list[dict[str, Any]]:
        out, after = [], 0
        while True:
            page = self._get("/api/v1/events", after=after, limit=1000)["events"]
            out += [e for e in page if e["channel"] == channel]
            if len(page) < 1000:
                return out
            after = page[-1]["seq"]

    def alarm(self, channel: str, detail: str, note: str | None, cosigned_note: str | None, *,
              logged_as: str = "ALARM") -> None:
        self.broken.add(channel)
        if cosigned_note is None and (last := self.store.last_cosigned(channel)) is not None:
            cosigned_note = last[2]
        if note is None:  # caught on the events: attach the checkpoint the server signs now, if any
            try:
                note = self._get(f"/api/v1/witness/channels/{channel}/checkpoint")["note"]
            except httpx.HTTPError:
                pass
        mine = [orjson.loads(body) for _, body in self.store.events(channel)]
        try:
            findings = describe_changes(mine, self._served(channel))
        except httpx.HTTPError as e:
            findings = [f"could not read the served events to name them: {e}"]
        if findings:
            detail += "; " + "; ".join(findings)
        evidence = {"checkpoint_cosigned": cosigned_note, "checkpoint_refused": note, "findings": findings,
                    "server_key": self.server_key.vkey if self.server_key else None}
        self.store.add_alarm(channel, detail, evidence)
        self.new_alarms.append(detail)
        log.error("%s %s", logged_as, detail)  # one line in the witness's own log
        try:
            r = self.http.post(f"/api/v1/witness/channels/{channel}/alarms", json={"detail": detail[:4000],
                                                                                  "evidence": evidence})
            if r.status_code != 201:
                log.error("the server did not record the alarm (%s): %s", r.status_code, r.text)
        except httpx.HTTPError as e:
            log.error("could not post the alarm to the server: %s", e)
