"""A real server, three real witness processes (one per party), and a host who edits the database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, generate_key
from hotline.ledger.envelope import GENESIS, canonical, event_hash
from hotline.testing import DEMO_PASSWORD, ServerProcess, login
from hotline.witness.store import WitnessStore

PARTIES = ("isr", "syr", "usa")
CHANNELS = {"joint": PARTIES, "isr-usa": ("isr", "usa"), "syr-usa": ("syr", "usa")}
ENV = {"HOTLINE_CHECKPOINT_INTERVAL": "0.1"}


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Deployment:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "hotline.db"
        self.server = ServerProcess(f"sqlite:///{self.db}", env=ENV, log=tmp / "server.log")
        self.server.prepare()
        self.server.start()
        self.witnesses: dict[str, subprocess.Popen[bytes]] = {}
        self.keys = {}
        for party in PARTIES:
            key = generate_key(f"{party}.example/witness", ALG_COSIGNATURE_V1)
            (tmp / f"{party}.key").write_text(key.skey + "\n")
            with login(self.server.base_url, f"{party}-super") as c:
                r = c.post(f"/api/v1/witness/parties/{party}/keys", json={"vkey": key.verifier.vkey})
                assert r.status_code == 201, r.text
            self.keys[party] = key
        self.clients = {p: login(self.server.base_url, f"{p}-duty") for p in PARTIES}

    def store(self, party: str) -> Path:
        return self.tmp / f"{party}.witness.db"

    def start_witness(self, party: str, base_url: str | None = None) -> None:
        self.witnesses[party] = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "hotline.cli", "witness", "run", "--server", base_url or self.server.base_url,
             "--user", f"{party}-duty", "--key", str(self.tmp / f"{party}.key"), "--store", str(self.store(party)),
             "--interval", "0.2"],
            env={**os.environ, "HOTLINE_PASSWORD": DEMO_PASSWORD},
            stdout=subprocess.DEVNULL, stderr=open(self.tmp / f"{party}.witness.log", "ab"))  # noqa: SIM115

    def start_witnesses(self) -> None:
        for party in PARTIES:
            self.start_witness(party)

    def stop(self) -> None:
        for proc in self.witnesses.values():
            proc.terminate()
            proc.wait(10)
        for c in self.clients.values():
            c.close()
        self.server.stop()

    def post(self, party: str, channel: str, subject: str) -> dict[str, Any]:
        r = self.clients[party].post(f"/api/v1/channels/{channel}/messages",
                                     json={"precedence": "ROUTINE", "subject": subject, "body": f"{subject} body"})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def traffic(self) -> None:
        for i in range(3):
            for channel, members in CHANNELS.items():
                self.post(members[i % len(members)], channel, f"{channel} report {i}")

    def agreed_everywhere(self, base_url: str | None = None) -> bool:
        with httpx.Client(base_url=base_url or self.server.base_url,
                          headers=self.clients["usa"].headers) as c:
            for record in c.get("/api/v1/witness/agreed").json()["channels"]:
                n = len([e for e in self.events() if e["channel"] == record["channel"]])
                if record["agreed"] is None or record["agreed"]["size"] != n:
                    return False
        return True

    def events(self, party: str = "usa") -> list[dict[str, Any]]:
        """The events as ``party`` reads them (numbered by its own cursors)."""
        return self.clients[party].get("/api/v1/events", params={"limit": 1000}).json()["events"]  # type: ignore[no-any-return]

    def alarms(self, party: str) -> list[dict[str, Any]]:
        if not self.store(party).exists():
            return []
        s = WitnessStore(self.store(party))
        try:
            return s.alarms()
        finally:
            s.close()

    def restart(self, tamper: Callable[[sqlite3.Connection], None]) -> None:
        self.server.stop()
        rewrite(self.db, tamper)
        self.server.start()
        for party in PARTIES:
            self.clients[party].close()
            self.clients[party] = login(self.server.base_url, f"{party}-duty")


def rows(conn: sqlite3.Connection, channel: str) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    out = [dict(r) for r in conn.execute("SELECT * FROM events WHERE channel = ? ORDER BY seq", (channel,))]
    for r in out:
        r["payload"] = orjson.loads(r["payload"])
    return out


def reseal(conn: sqlite3.Connection, channel: str, events: list[dict[str, Any]]) -> None:
    """What a careful host does after editing: rewrite the channel's chain so every hash checks again."""
    conn.execute("DELETE FROM events WHERE channel = ?", (channel,))
    head = GENESIS
    for i, ev in enumerate(events):
        ev.update(chain_index=i, prev_hash=head)
        ev["hash"] = head = event_hash(ev)
        conn.execute("INSERT INTO events (seq, channel, chain_index, ts, type, party, actor, payload, prev_hash, hash, "
                     "v) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (ev["seq"], channel, i, ev["ts"], ev["type"], ev["party"], ev["actor"],
                      canonical(ev["payload"]).decode(), ev["prev_hash"], ev["hash"], ev.get("v", 1)))
    conn.execute("UPDATE chains SET length = ?, head_hash = ? WHERE channel = ?", (len(events), head, channel))


def rewrite(db: Path, tamper: Callable[[sqlite3.Connection], None]) -> None:
    conn = sqlite3.connect(db)
    try:
        tamper(conn)
        conn.commit()
    finally:
        conn.close()
