"""`hotline export` then `hotline verify FILE`: sealed track batches verify; a changed track point does not."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from hotline.ledger.envelope import canonical
from hotline.service import tracks
from hotline.service.hotline import Hotline
from hotline.testing import FakeClock

pytestmark = pytest.mark.anyio


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], capture_output=True, text=True)  # noqa: S603


async def test_verify_detects_a_changed_track_point_in_an_export(service: Hotline, clock: FakeClock,
                                                                 database_url: str, tmp_path: Path) -> None:
    for i in range(4):
        await tracks.ingest(service, "syr", [{"uid": "syr-p1", "lat": 33.0 + i * 0.001, "lon": 36.1,
                                              "time": clock.now.isoformat()}])
        clock.advance(seconds=2)
    assert len(await tracks.seal(service)) == 1
    export = tmp_path / "export.jsonl"
    r = cli("export", "--db", database_url, "-o", str(export))
    assert r.returncode == 0, r.stderr
    assert cli("verify", str(export)).returncode == 0

    lines = export.read_bytes().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if b'"kind":"track_point"' in line)
    rec = orjson.loads(lines[i])
    rec["point"]["time"] = (clock.now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # back-dated
    lines[i] = canonical(rec) + b"\n"
    export.write_bytes(b"".join(lines))
    r = cli("verify", str(export))
    assert r.returncode == 1
    assert "a track point was changed" in " ".join((r.stdout + r.stderr).split())  # rich wraps lines
