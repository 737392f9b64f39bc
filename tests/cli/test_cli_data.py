"""The command line finds its data: `hotline demo` prints the --db to pass on; --db takes a path or a URL; a
command that only reads refuses a database that is not there; bad input is one line and exit code 2, and
creates or changes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, free_port, fresh_postgres


async def _make(url: str) -> None:
    """A hotline database with the demo accounts and a server key (as after one start)."""
    settings = Settings(database_url=url)
    await prepare_demo(settings, DEMO_PASSWORD)
    hl = Hotline(settings)
    await hl.start(timers=False)
    await hl.stop()


def make_db(path: Path) -> Path:
    asyncio.run(_make(f"sqlite:///{path}"))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(r: object) -> str:
    assert r.exit_code == 2, r.output  # type: ignore[attr-defined]
    lines = r.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr  # type: ignore[attr-defined]
    return str(lines[0])


runner = CliRunner()


def test_demo_prints_the_db_the_other_commands_take(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "HOTLINE_DEMO_PASSWORD": DEMO_PASSWORD, "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "hotline.cli", "demo", "--port", str(free_port()),
                             "--db", "mine.db"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        printed = None
        for line in proc.stdout:  # the line comes before the server starts; bounded by the test timeout
            if m := re.match(r"Data: --db (\S+)", line):
                printed = m.group(1)
                break
    finally:
        proc.terminate()
        proc.wait(10)
    assert printed == str(tmp_path / "mine.db")
    # From another folder, the printed option finds the demo's data.
    os.chdir(elsewhere)
    try:
        r = runner.invoke(app, ["user", "list", "--db", printed])
    finally:
        os.chdir(tmp_path)
    assert r.exit_code == 0, r.output
    assert "isr-duty" in r.stdout


def test_db_takes_a_path_or_a_url_alike(tmp_path: Path) -> None:
    db = make_db(tmp_path / "h.db")
    by_path = runner.invoke(app, ["user", "list", "--db", str(db)])
    by_url = runner.invoke(app, ["user", "list", "--db", f"sqlite:///{db}"])
    assert by_path.exit_code == by_url.exit_code == 0
    assert by_path.stdout == by_url.stdout and "syr-super" in by_path.stdout
    for source in (str(db), f"sqlite:///{db}"):
        r = runner.invoke(app, ["verify", source])
        assert r.exit_code == 0, r.output
        assert r.stdout.startswith("OK:")


@pytest.mark.parametrize("command", [["verify", "--db", "{db}"], ["verify", "{db}"], ["export", "--db", "{db}"],
                                     ["user", "list", "--db", "{db}"]])
def test_read_only_commands_refuse_a_database_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo.db"
    r = runner.invoke(app, [a.format(db=missing) for a in command])
    if command == ["verify", "{db}"]:
        assert one_line_error(r) == f"error: no file {missing}"
    else:
        assert f"no database at {missing}" in one_line_error(r)
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_read_only_commands_refuse_a_file_that_is_not_a_hotline_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    before = digest(empty)
    for command in (["export", "--db", str(empty)], ["user", "list", "--db", str(empty)]):
        assert "is not a hotline database" in one_line_error(runner.invoke(app, command))
    assert digest(empty) == before and sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_refused() -> None:
    with fresh_postgres() as url:
        missing = url.rsplit("/", 1)[0] + "/hotline_no_such_database"
    for command in (["export", "--db", missing], ["user", "list", "--db", missing], ["verify", "--db", missing]):
        line = one_line_error(runner.invoke(app, command))
        assert "cannot open the database" in line and "hotline_no_such_database" in line


def test_an_unreadable_export_file(tmp_path: Path) -> None:
    folder = tmp_path / "record.jsonl"
    folder.mkdir()
    line = one_line_error(runner.invoke(app, ["verify", str(folder)]))
    assert line.startswith(f"error: cannot read the export {folder}")


def test_an_export_from_another_servers_key(tmp_path: Path) -> None:
    ours, theirs = make_db(tmp_path / "ours.db"), make_db(tmp_path / "theirs.db")
    record = tmp_path / "theirs.jsonl"
    assert runner.invoke(app, ["export", "--db", str(theirs), "-o", str(record)]).exit_code == 0
    assert runner.invoke(app, ["verify", str(record), "--db", str(theirs)]).exit_code == 0
    line = one_line_error(runner.invoke(app, ["verify", str(record), "--db", str(ours)]))
    assert "is an export of another server" in line
    ours_export = tmp_path / "ours.jsonl"
    assert runner.invoke(app, ["export", "--db", str(ours), "-o", str(ours_export)]).exit_code == 0
    vkey = next(line for line in ours_export.read_text().splitlines() if '"server_key"' in line)
    vkey = vkey.split('"vkey":"')[1].rstrip('"}')
    assert "is an export of another server" in one_line_error(
        runner.invoke(app, ["verify", str(record), "--server-key", vkey]))


@pytest.mark.parametrize("command", [["verify", "{db}"], ["verify", "--db", "{db}"], ["export", "--db", "{db}"],
                                     ["user", "list", "--db", "{db}"], ["init", "--db", "{db}"],
                                     ["user", "disable", "isr-duty", "--db", "{db}"]])
def test_a_database_from_a_newer_schema_is_refused_and_left_alone(tmp_path: Path, command: list[str]) -> None:
    db = make_db(tmp_path / "h.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    before, names = digest(db), sorted(p.name for p in tmp_path.iterdir())
    line = one_line_error(runner.invoke(app, [a.format(db=db) for a in command]))
    assert "schema version 9999_from_the_future, newer than this hotline knows" in line
    assert digest(db) == before and sorted(p.name for p in tmp_path.iterdir()) == names


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    db = tmp_path / "nokey.db"
    asyncio.run(prepare_demo(Settings(database_url=f"sqlite:///{db}"), DEMO_PASSWORD))  # never started: no key
    out = tmp_path / "record.jsonl"
    assert "no server signing key" in one_line_error(runner.invoke(app, ["export", "--db", str(db), "-o", str(out)]))
    assert not out.exists() and not (tmp_path / "record.jsonl.part").exists()
