"""The witness's own record, in a SQLite file of its own: the events it saw, the checkpoints it saw and
cosigned or refused, and its alarms with their evidence. Nothing here comes from the server's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

__all__ = ["WitnessStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, channel TEXT NOT NULL, chain_index INTEGER NOT NULL,
                                   hash TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS ix_events_channel ON events (channel, chain_index);
CREATE TABLE IF NOT EXISTS checkpoints (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, size INTEGER NOT NULL,
                                        root BLOB NOT NULL, note TEXT NOT NULL, status TEXT NOT NULL,
                                        seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                                        UNIQUE (channel, size, root));
CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, detail TEXT NOT NULL,
                                   evidence TEXT NOT NULL,
                                   raised_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class WitnessStore:
    def __init__(self, path: str | Path) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                        "excluded.value", (key, value))

    def add_event(self, ev: dict[str, Any], body: bytes) -> None:
        self.db.execute("INSERT INTO events (seq, channel, chain_index, hash, body) VALUES (?, ?, ?, ?, ?)",
                        (ev["seq"], ev["channel"], ev["chain_index"], ev["hash"], body))

    def events(self, channel: str | None = None) -> list[tuple[str, bytes]]:
        """(channel, canonical body) in chain order."""
        if channel is None:
            rows = self.db.execute("SELECT channel, body FROM events ORDER BY channel, chain_index").fetchall()
        else:
            rows = self.db.execute("SELECT channel, body FROM events WHERE channel = ? ORDER BY chain_index",
                                   (channel,)).fetchall()
        return [(r[0], bytes(r[1])) for r in rows]

    def renumber(self, cursors: dict[tuple[str, int], int]) -> int:
        """Move a copy kept in the ledger's global numbering to the party's cursors: ``cursors`` maps
        (channel, chain index) to the cursor the server numbers that event now. Each body becomes what
        the server serves (a version 1 event keeps its global seq as ``ledger_seq``, which its hash
        covers). Events the server no longer serves keep negative seqs, so the checks still see them
        in my tree. Returns how many events were renumbered."""
        rows = self.db.execute("SELECT seq, channel, chain_index, body FROM events ORDER BY seq").fetchall()
        moved = 0
        self.db.execute("BEGIN")
        try:
            self.db.execute("UPDATE events SET seq = -seq")
            for seq, channel, index, body in rows:
                cursor = cursors.get((channel, index))
                if cursor is None:
                    continue
                ev = orjson.loads(body)
                if "v" not in ev and "ledger_seq" not in ev:
                    ev["ledger_seq"] = ev["seq"]
                ev["seq"] = cursor
                self.db.execute("UPDATE events SET seq = ?, body = ? WHERE seq = ?",
                                (cursor, orjson.dumps(ev, option=orjson.OPT_SORT_KEYS), -seq))
                moved += 1
            self.put("numbering", "party")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return moved

    def last_seq(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def record_checkpoint(self, channel: str, size: int, root: bytes, note: str, status: str) -> None:
        self.db.execute("INSERT INTO checkpoints (channel, size, root, note, status) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (channel, size, root) DO UPDATE SET status = excluded.status",
                        (channel, size, root, note, status))

    def checkpoint_status(self, channel: str, size: int, root: bytes) -> str | None:
        row = self.db.execute("SELECT status FROM checkpoints WHERE channel = ? AND size = ? AND root = ?",
                              (channel, size, root)).fetchone()
        return None if row is None else str(row[0])

    def last_cosigned(self, channel: str) -> tuple[int, bytes, str] | None:
        row = self.db.execute("SELECT size, root, note FROM checkpoints WHERE channel = ? AND status = 'cosigned' "
                              "ORDER BY size DESC, id DESC LIMIT 1", (channel,)).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]), str(row[2]))

    def checkpoints(self) -> list[tuple[str, int, bytes, str, str]]:
        """Every checkpoint seen: (channel, size, root, note, status)."""
        rows = self.db.execute("SELECT channel, size, root, note, status FROM checkpoints ORDER BY id").fetchall()
        return [(r[0], int(r[1]), bytes(r[2]), r[3], r[4]) for r in rows]

    def add_alarm(self, channel: str, detail: str, evidence: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO alarms (channel, detail, evidence) VALUES (?, ?, ?)",
                        (channel, detail, orjson.dumps(evidence).decode()))

    def alarms(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT channel, detail, evidence, raised_at FROM alarms ORDER BY id").fetchall()
        return [{"channel": r[0], "detail": r[1], "evidence": orjson.loads(r[2]), "raised_at": r[3]} for r in rows]

    def alarmed_channels(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT channel FROM alarms").fetchall()}
