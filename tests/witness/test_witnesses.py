"""Three real witness processes follow a real server; every way the host can rewrite the record is caught,
named, proven with two signed checkpoints, and shown to the party."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from .deployment import PARTIES, Deployment, reseal, rows, wait_for


def agreed_with_traffic(dep: Deployment) -> list[dict[str, Any]]:
    dep.start_witnesses()
    dep.traffic()
    wait_for(dep.agreed_everywhere, what="an agreed checkpoint covering every event")
    return [e for e in dep.events() if e["channel"] == "joint"]


def named(ev: dict[str, Any]) -> str:
    """How every party's witness names an event: each reads it under its own seq, all by its chain index."""
    return f"chain index {ev['chain_index']}"


def detected_by_all(dep: Deployment, needle: str) -> list[str]:
    for party in PARTIES:
        wait_for(lambda p=party: dep.alarms(p), what=f"the {party} witness's alarm")  # type: ignore[misc]
    details = [a["detail"] for p in PARTIES for a in dep.alarms(p)]
    assert all("'joint'" in d and needle in d for d in details), details
    return details


def test_normal_operation_reaches_an_agreed_checkpoint_over_every_event(dep: Deployment) -> None:
    agreed_with_traffic(dep)
    dep.post("syr", "joint", "one more")
    wait_for(dep.agreed_everywhere, what="agreement over the new event too")
    joint = [e for e in dep.events("isr") if e["channel"] == "joint"]
    status = dep.clients["isr"].get(f"/api/v1/witness/events/{joint[-1]['seq']}/agreement").json()
    assert status["agreed"] is True
    assert not any(dep.alarms(p) for p in PARTIES)


def test_an_event_text_changed_in_the_database_is_named(dep: Deployment) -> None:
    joint = agreed_with_traffic(dep)
    target = joint[4]

    def change_text(conn: sqlite3.Connection) -> None:
        evs = rows(conn, "joint")
        for ev in evs:
            if ev["chain_index"] == target["chain_index"]:
                ev["payload"]["body"] = "nothing happened here"
        reseal(conn, "joint", evs)

    dep.restart(change_text)
    details = detected_by_all(dep, named(target))
    # A witness finds it either at the next checkpoint (and keeps both signed checkpoints as proof) or,
    # when an event appended after the edit reaches it first, at that event; both name the edited one.
    assert all(named(target) in d and "changed" in d for d in details), details
    assert any("two signed checkpoints of size" in d or "does not extend my copy" in d for d in details)
    # The party sees the alarm in its channel (the console shows witness.alarm_raised).
    wait_for(lambda: [e for e in dep.events() if e["type"] == "witness.alarm_raised"], what="the alarm event")
    # Nothing newer is agreed: the record stays at what every party cosigned before the edit.
    record = dep.clients["isr"].get("/api/v1/witness/channels/joint/agreed").json()
    assert record["agreed"]["size"] == len(joint) and record["latest"]["root_hash"] != record["agreed"]["root_hash"]


def test_an_event_deleted_is_named_and_once_exits_non_zero(dep: Deployment) -> None:
    joint = agreed_with_traffic(dep)
    target = joint[3]
    # isr's witness names the event by isr's own seq of it.
    isr_seq = next(e["seq"] for e in dep.events("isr") if e["channel"] == "joint" and e["hash"] == target["hash"])
    dep.restart(lambda conn: reseal(conn, "joint", [e for e in rows(conn, "joint")
                                                    if e["chain_index"] != target["chain_index"]]))
    details = detected_by_all(dep, named(target))
    assert all(any(word in d for word in ("deleted", "shrank", "removed")) for d in details), details
    dep.witnesses.pop("isr").terminate()
    once = subprocess.run([sys.executable, "-m", "hotline.cli", "witness", "run", "--once", "--server",  # noqa: S603
                           dep.server.base_url, "--user", "isr-duty", "--key", str(dep.tmp / "isr.key"),
                           "--store", str(dep.store("isr"))], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "HOTLINE_PASSWORD": "correct-horse-battery-staple"})
    assert once.returncode == 1 and f"seq={isr_seq}" in once.stdout


def test_two_events_swapped_are_named(dep: Deployment) -> None:
    joint = agreed_with_traffic(dep)
    a, b = joint[3]["chain_index"], joint[5]["chain_index"]

    def swap(conn: sqlite3.Connection) -> None:
        evs = rows(conn, "joint")
        i, j = [k for k, e in enumerate(evs) if e["chain_index"] in (a, b)]
        keep = ("ts", "type", "party", "actor", "payload")
        first = {k: evs[i][k] for k in keep}
        evs[i].update({k: evs[j][k] for k in keep})
        evs[j].update(first)
        reseal(conn, "joint", evs)

    dep.restart(swap)
    details = detected_by_all(dep, "were swapped")
    assert all(f"(chain index {a}) and seq=" in d and f"(chain index {b}) were swapped" in d for d in details), details


def test_the_log_truncated_and_regrown_is_caught(dep: Deployment) -> None:
    joint = agreed_with_traffic(dep)
    cut = joint[-2]["chain_index"]

    def truncate_and_regrow(conn: sqlite3.Connection) -> None:
        evs = [e for e in rows(conn, "joint") if e["chain_index"] < cut]
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        template = dict(evs[-1])
        for k in range(4):  # more events than were cut: the log is longer than the cosigned one
            evs.append({**template, "seq": last + 1 + k, "payload": {**template["payload"], "subject": f"forged {k}"}})
        reseal(conn, "joint", evs)

    dep.restart(truncate_and_regrow)
    details = detected_by_all(dep, f"chain index {cut}")
    # Caught either on the events (they no longer extend the witness's copy) or on the checkpoint.
    assert any(s in details[0] for s in ("does not extend my copy", "not consistent with the size")), details
    evidence = dep.alarms("isr")[0]["evidence"]
    assert evidence["checkpoint_cosigned"] and evidence["checkpoint_refused"]


def test_a_split_view_is_proven_from_the_checkpoints_the_witnesses_recorded(dep: Deployment, tmp_path: Path) -> None:
    from hotline.ledger.offline import compare_exports
    from hotline.testing import ServerProcess

    from .deployment import ENV

    dep.traffic()
    wait_for(lambda: dep.clients["isr"].get("/api/v1/witness/channels/joint/checkpoint").json()["size"]
             == len([e for e in dep.events() if e["channel"] == "joint"]), what="A's checkpoint")
    copy = tmp_path / "doctored.db"
    src = sqlite3.connect(dep.db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    target = [e for e in dep.events() if e["channel"] == "joint"][5]

    def doctor(conn: sqlite3.Connection) -> None:
        evs = rows(conn, "joint")
        evs[5]["payload"]["body"] = "a different story for syr"
        reseal(conn, "joint", evs)

    doctor(dst)
    dst.commit()
    dst.close()
    # The same host, the same key (it is in the copied database), a second process for syr only.
    b = ServerProcess(f"sqlite:///{copy}", env=ENV, log=tmp_path / "server-b.log").start()
    try:
        dep.start_witness("isr")
        dep.start_witness("usa")
        dep.start_witness("syr", b.base_url)
        joint_size = target["chain_index"] + 1 + 3  # the 9 messages and 3 key registrations... computed below
        joint_size = len([e for e in dep.events() if e["channel"] == "joint"])
        from hotline.witness.store import WitnessStore

        def cosigned(party: str) -> bool:
            s = WitnessStore(dep.store(party))
            try:
                last = s.last_cosigned("joint")
                return last is not None and last[0] == joint_size
            finally:
                s.close()

        wait_for(lambda: cosigned("isr") and cosigned("syr"), what="both witnesses cosigning their views")
        # Each witness alone saw a log that only grew; together they hold the proof of the split view.
        r = subprocess.run([sys.executable, "-m", "hotline.cli", "witness", "compare", str(dep.store("isr")),  # noqa: S603
                            str(dep.store("syr"))], capture_output=True, text=True, timeout=60)
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"split view of hotline.example/joint: two signed checkpoints at size {joint_size}" in r.stdout
        # Nothing is agreed on A that syr did not cosign there.
        record = dep.clients["isr"].get("/api/v1/witness/channels/joint/agreed").json()
        assert record["agreed"] is None and record["cosigned_size"]["syr"] is None
        # The exports of the two servers say the same.
        exports = []
        for name, db in (("a", dep.db), ("b", copy)):
            path = tmp_path / f"{name}.jsonl"
            subprocess.run([sys.executable, "-m", "hotline.cli", "export", "--db", str(db), "-o", str(path)],  # noqa: S603
                           check=True, capture_output=True, timeout=60)
            exports.append(path)
        vkey = dep.clients["isr"].get("/api/v1/witness/server-key").json()["vkey"]
        found = compare_exports(exports[0], exports[1], [vkey])
        assert any(f.first.origin == "hotline.example/joint" and f.first.size == joint_size for f in found)
    finally:
        b.stop()


def test_the_witness_log_says_what_it_cosigned_or_refused_one_line_each(dep: Deployment) -> None:
    joint = agreed_with_traffic(dep)
    target = joint[2]
    dep.restart(lambda conn: reseal(conn, "joint", [e for e in rows(conn, "joint")
                                                    if e["chain_index"] != target["chain_index"]]))
    detected_by_all(dep, named(target))
    for party in PARTIES:
        lines = (dep.tmp / f"{party}.witness.log").read_text().splitlines()
        assert not [line for line in lines if "HTTP Request" in line or "httpx" in line or "httpcore" in line]
        cosigned = [line for line in lines if "INFO hotline.witness: cosigned " in line]
        assert any(" cosigned joint at size " in line for line in cosigned), lines
        problems = [line for line in lines if "REFUSED to cosign joint at size" in line or " ALARM " in line]
        assert problems and all(named(target) in line for line in problems), lines
        # Nothing else but the one pinned-key warning (the witnesses run without --server-key).
        rest = [line for line in lines if line not in cosigned and line not in problems]
        assert all("pinned the server key" in line or "server unreachable" in line for line in rest), rest
