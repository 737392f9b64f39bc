"""Changing, deleting or reordering any stored event makes ``hotline verify`` fail and name it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from hotline.domain.access import Principal
from hotline.domain.messages import PostMessage
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.service.messages import acknowledge, post_message
from hotline.store.database import Database

ISR = Principal("isr-duty", "isr", "operator")
SYR = Principal("syr-duty", "syr", "operator")


async def build_record(url: str) -> None:
    hl = Hotline(Settings(database_url=url))
    await hl.start(timers=False)
    try:
        for i in range(6):
            channel = "joint" if i % 2 == 0 else "isr-usa"
            state, _ = await post_message(hl, ISR, PostMessage(f"msg-tamper-{i}", channel, "PRIORITY",
                                                               f"subject {i}", f"original body {i}", "en"))
            if channel == "joint":
                await acknowledge(hl, SYR, state["id"])
    finally:
        await hl.stop()


async def execute(url: str, *statements: str) -> None:
    db = Database(url)
    try:
        async with db.writer_engine.begin() as conn:
            for sql in statements:
                await conn.execute(text(sql))
    finally:
        await db.dispose()


def verify(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", "verify", "--db", url],
                          capture_output=True, text=True, timeout=60, check=False)


# Each attack: the SQL that a host with database access might run, and what verify must name.
ATTACKS: dict[str, tuple[list[str], str]] = {
    "change_text": (["UPDATE events SET payload = replace(payload, 'original body 2', 'doctored body 2') "
                     "WHERE seq = 4"], "seq=4"),
    "change_text_and_rehash": (["UPDATE events SET payload = replace(payload, 'original body 0', 'doctored'), "
                                "hash = 'ab' || substr(hash, 3) WHERE seq = 1"], "seq=1"),
    "change_actor": (["UPDATE events SET actor = 'syr-duty' WHERE seq = 1"], "seq=1"),
    "delete_middle": (["DELETE FROM events WHERE seq = 3"], "seq=4"),
    "delete_last": (["DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"], "chain_head"),
    # Seq 4 (joint) and seq 6 (isr-usa) trade places. A version 2 hash leaves the global seq out (each
    # channel is ordered by its chain index), so the move shows where joint's order breaks: at seq 5,
    # whose chain index comes too early, naming the joint event last in place (seq=2).
    "swap_two": (["UPDATE events SET seq = -1 WHERE seq = 4",
                  "UPDATE events SET seq = 4 WHERE seq = 6",
                  "UPDATE events SET seq = 6 WHERE seq = -1"], "event seq=5 in channel 'joint', field 'chain_index'"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_tampering_is_detected_and_named(database_url: str, attack: str) -> None:
    asyncio.run(build_record(database_url))
    clean = verify(database_url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    statements, named = ATTACKS[attack]
    asyncio.run(execute(database_url, *statements))
    result = verify(database_url)
    assert result.returncode == 1
    assert "BROKEN" in result.stderr and named in result.stderr, result.stderr


def test_an_exported_file_verifies_and_a_doctored_copy_does_not(database_url: str, tmp_path: Path) -> None:
    asyncio.run(build_record(database_url))
    out = tmp_path / "ledger.jsonl"
    run: Callable[..., subprocess.CompletedProcess[str]] = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "hotline.cli", *a], capture_output=True, text=True, timeout=60, check=False)
    assert run("export", "--db", database_url, "--out", str(out)).returncode == 0
    assert run("verify", str(out)).returncode == 0
    doctored = tmp_path / "doctored.jsonl"
    doctored.write_text(out.read_text("utf-8").replace("original body 4", "original body 5"), "utf-8")
    result = run("verify", str(doctored))
    assert result.returncode != 0
