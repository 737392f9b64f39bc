"""A record begun before per-party cursors and envelope version 2, upgraded in place.

The database is brought back to what hotline wrote at schema 0006 (every event sealed as version 1,
whose hash covers the global seq; no cursors; no `v` column), checked by `hotline verify` as it stands,
then served again: the server numbers the old events per party, seals new ones as version 2, every
party's witness cosigns the whole record, and the export of both kinds verifies, a change to either
kind named.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson

from hotline.ledger.envelope import canonical
from hotline.witness.store import WitnessStore

from .deployment import CHANNELS, PARTIES, Deployment, reseal, rewrite, rows, wait_for


def as_schema_0006(conn: sqlite3.Connection) -> None:
    """What an older hotline left: version 1 events, no cursors, no `v` column, no checkpoints over
    version 2 leaves."""
    for channel in CHANNELS:
        evs = rows(conn, channel)
        for ev in evs:
            ev["v"] = 1
        reseal(conn, channel, evs)
    for sql in ("DELETE FROM checkpoints", "DELETE FROM cosignatures", "DROP TABLE cursors",
                "DROP TABLE cursor_heads", "DELETE FROM meta WHERE key = 'cursors_through'",
                "ALTER TABLE events DROP COLUMN v", "UPDATE alembic_version SET version_num = '0006_track_points'"):
        conn.execute(sql)


def old_witness_copy(db: Path, store: Path, party: str) -> int:
    """The copy a witness of ``party`` kept before cursors: every event of its channels as it was
    served then (numbered by the global seq, its hash over it), in seq order. Returns its last seq."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    mine = [c for c, members in CHANNELS.items() if party in members]
    evs = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq") if r["channel"] in mine]
    conn.close()
    s = WitnessStore(store)
    try:
        for ev in evs:
            ev["payload"] = json.loads(ev["payload"])
            s.add_event(ev, canonical(ev))
        return s.last_seq()
    finally:
        s.close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], capture_output=True, text=True,  # noqa: S603
                          timeout=120, env=dict(os.environ))


def test_an_old_record_is_numbered_per_party_witnessed_and_exported_with_new_events(dep: Deployment) -> None:
    dep.traffic()
    dep.server.stop()
    rewrite(dep.db, as_schema_0006)
    old = cli("verify", "--db", str(dep.db))
    assert old.returncode == 0, old.stdout + old.stderr  # read as it stands, not migrated
    # isr's witness had followed that record, numbering its copy by the global seq.
    old_last = old_witness_copy(dep.db, dep.store("isr"), "isr")
    dep.server.start()

    syr = dep.events("syr")
    assert [e["seq"] for e in syr] == list(range(1, len(syr) + 1))
    # Old events keep the global seq their hash covers (and only they reveal it).
    assert all("v" not in e and isinstance(e["ledger_seq"], int) for e in syr)

    dep.start_witnesses()
    dep.traffic()
    wait_for(dep.agreed_everywhere, what="every party's witness cosigning the old and the new events")
    assert not any(dep.alarms(p) for p in PARTIES)
    # isr's witness renumbered its old copy to isr's cursors and carried on from there, no alarm.
    isr = dep.events("isr")
    s = WitnessStore(dep.store("isr"))
    try:
        assert s.get("numbering") == "party" and s.last_seq() == isr[-1]["seq"] != old_last
        assert "renumbered" in (dep.tmp / "isr.witness.log").read_text()
        assert [orjson.loads(body)["hash"] for _, body in s.events()] == \
            [e["hash"] for e in sorted(isr, key=lambda e: (e["channel"], e["chain_index"]))]
    finally:
        s.close()
    syr = dep.events("syr")
    assert [e["seq"] for e in syr] == list(range(1, len(syr) + 1))
    assert {e.get("v", 1) for e in syr} == {1, 2}
    assert all("ledger_seq" not in e for e in syr if e.get("v") == 2)

    assert cli("verify", "--db", str(dep.db)).returncode == 0
    export = dep.tmp / "record.jsonl"
    r = cli("export", "--db", str(dep.db), "-o", str(export))
    assert r.returncode == 0, r.stderr
    r = cli("verify", str(export), "--db", str(dep.db))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = export.read_bytes().splitlines(keepends=True)
    events = [(i, json.loads(line)["event"]) for i, line in enumerate(lines) if line.startswith(b'{"event":')]
    assert {"v" in ev for _, ev in events} == {False, True}

    for i, ev in (next(x for x in events if "v" not in x[1]), next(x for x in events if "v" in x[1])):
        ev = {**ev, "payload": {**ev["payload"], "subject": "rewritten"}}
        tampered = dep.tmp / f"tampered-{ev['seq']}.jsonl"
        tampered.write_bytes(b"".join(lines[:i]) + b'{"event":' + canonical(ev) + b',"kind":"event"}\n'
                             + b"".join(lines[i + 1:]))
        r = cli("verify", str(tampered), "--db", str(dep.db))
        assert r.returncode == 1 and f"event seq={ev['seq']} in channel" in r.stdout + r.stderr, r.stdout + r.stderr
