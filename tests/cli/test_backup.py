"""The backup drill: back up a running server while messages are being posted, restore into a fresh
database, `hotline verify` passes, and every message answered 201 before the backup began is there."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hotline.store.database import Database
from hotline.store.ledger import read_events
from hotline.testing import ServerProcess, fresh_postgres, login


def hotline_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@contextlib.contextmanager
def fresh_like(database_url: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A new, empty database of the same engine as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / name}"
    else:
        with fresh_postgres() as url:
            yield url


async def posted_message_ids(url: str) -> set[str]:
    db = Database(url)
    try:
        ids: set[str] = set()
        after = 0
        while True:
            async with db.read() as conn:
                page = await read_events(conn, after=after, channels=None, limit=5000)
            ids |= {e.payload["message_id"] for e in page if e.type == "message.posted"}
            if len(page) < 5000:
                return ids
            after = page[-1].seq
    finally:
        await db.dispose()


class Posters:
    """Threads posting messages as fast as the server answers; each 201 is kept with the moment it came."""

    def __init__(self, base_url: str, users: tuple[str, ...]) -> None:
        self.clients = [login(base_url, u) for u in users]
        self.answered: list[tuple[float, str]] = []  # (monotonic time the 201 arrived, message id)
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(c, i), daemon=True)
                        for i, c in enumerate(self.clients)]

    def _run(self, client: httpx.Client, index: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            r = client.post("/api/v1/channels/joint/messages",
                            json={"precedence": "ROUTINE", "subject": f"drill {index}-{n}", "body": "Backup drill."})
            if r.status_code == 201:
                with self.lock:
                    self.answered.append((time.monotonic(), r.json()["id"]))
            else:
                self.errors.append(f"{r.status_code} {r.text[:200]}")

    def __enter__(self) -> Posters:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)
        for c in self.clients:
            c.close()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.answered) >= count, f"only {len(self.answered)} messages posted; {self.errors[:3]}"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(database_url, log=tmp_path / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


def test_backup_while_posting_then_restore_verifies_and_holds_every_acknowledged_message(
        server: ServerProcess, database_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "hotline.backup"
    with Posters(server.base_url, ("isr-duty", "syr-duty", "usa-duty")) as posters:
        posters.wait_for(30)
        began = time.monotonic()
        done = hotline_cli("backup", "--db", database_url, "-o", str(archive))
        count_at_end = len(posters.answered)
        posters.wait_for(count_at_end + 10)  # posting went on during and after the backup
    assert done.returncode == 0, done.stderr
    assert archive.stat().st_size > 0
    before_backup = {mid for at, mid in posters.answered if at < began}
    assert len(before_backup) >= 30
    assert not posters.errors, posters.errors[:3]

    with fresh_like(database_url, tmp_path, "restored.db") as restored:
        done = hotline_cli("restore", str(archive), "--db", restored)
        assert done.returncode == 0, done.stderr
        verified = hotline_cli("verify", "--db", restored)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "OK" in verified.stdout
        held = asyncio.run(posted_message_ids(restored))
        assert before_backup <= held, f"{len(before_backup - held)} acknowledged messages are missing"
        # A second restore over the now-populated database is refused and changes nothing.
        again = hotline_cli("restore", str(archive), "--db", restored)
        assert again.returncode == 2 and "restore into a new" in again.stderr.replace("\n", " ")
        assert asyncio.run(posted_message_ids(restored)) == held


def test_a_backup_never_overwrites_a_file_and_a_restore_refuses_what_is_not_a_backup(
        database_url: str, tmp_path: Path) -> None:
    existing = tmp_path / "taken"
    existing.write_bytes(b"keep me")
    done = hotline_cli("backup", "--db", f"sqlite:///{tmp_path / 'none.db'}", "-o", str(existing))
    assert done.returncode == 2 and existing.read_bytes() == b"keep me"
    with fresh_like(database_url, tmp_path, "target.db") as target:
        done = hotline_cli("restore", str(existing), "--db", target)
        assert done.returncode == 2 and "not a hotline backup" in done.stderr.replace("\n", " ")
