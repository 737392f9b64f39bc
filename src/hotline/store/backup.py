"""Backups of a running hotline and restores into a fresh database.

- SQLite: SQLite's online backup API copies the database in one step under a read transaction, so the
  copy is one consistent moment of the ledger while the server keeps committing (WAL readers do not
  block the writer). The copy is written beside the target and renamed into place only once
  ``PRAGMA integrity_check`` passes, so a half-written file never carries the backup's name.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, taken without blocking writers) and
  ``pg_restore`` into an empty database. The password, if the URL holds one, goes to the tools in
  ``PGPASSWORD`` rather than on their command line, where any local user could read it.

Each restore refuses a target that already holds a ledger: restoring is into a fresh database, never a
merge. What a backup holds is the whole database (events, projections, sessions, accounts): treat the
file like the database itself. After restoring, ``hotline verify`` checks the hash chains.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, named in full, with argument lists)
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["BackupError", "BackupResult", "backup", "restore", "SQLITE_MAGIC", "PG_MAGIC"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str  # "sqlite" or "postgresql"
    bytes: int


def _engine(url: str) -> str:
    scheme = url.split("://", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError(f"{scheme}:// is not a database hotline backs up (sqlite:/// or postgresql://).")


def _sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL for libpq's tools without its password, and the environment that carries it."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
    parts = urlsplit(plain)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"PGCONNECT_TIMEOUT": "10"}
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = netloc.replace(":" + parts.password + "@", "@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools of the server's "
                          "major version (Debian: postgresql-client).")
    return path


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup(url: str, target: Path) -> BackupResult:
    """Copy the database at ``url`` to the file ``target`` while the server keeps running."""
    engine = _engine(url)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites a file. Choose a new name.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"there is no database file {source}.")
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(partial)
            try:
                src.execute("PRAGMA busy_timeout=10000")
                src.backup(dst)  # all pages in one step: one consistent snapshot
                if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("the copy did not pass SQLite's integrity check; nothing was kept.")
            finally:
                dst.close()
                src.close()
        else:
            libpq_url, env = _libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial),
                  "--dbname", libpq_url], env)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, engine, target.stat().st_size)


def restore(source: Path, url: str) -> BackupResult:
    """Restore the backup file ``source`` into the fresh (empty or absent) database at ``url``."""
    engine = _engine(url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"there is no backup file {source}.")
    with open(source, "rb") as fp:
        magic = fp.read(16)
    kind = "sqlite" if magic.startswith(SQLITE_MAGIC) else "postgresql" if magic.startswith(PG_MAGIC) else None
    if kind is None:
        raise BackupError(f"{source} is not a hotline backup (neither a SQLite file nor a pg_dump archive).")
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup; restore it into a {kind} database (a backup moves "
                          f"between engines through `hotline export`, not here).")
    if engine == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} already exists; restore into a new file, never over a database.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} did not pass SQLite's integrity check; nothing was restored.")
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
        return BackupResult(target, engine, target.stat().st_size)
    libpq_url, env = _libpq(url)
    psql = _tool("psql")
    probe = subprocess.run(  # noqa: S603
        [psql, "--no-psqlrc", "--tuples-only", "--no-align", "--dbname", libpq_url, "--command",
         "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        env=env, capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise BackupError(f"cannot reach the target database: {probe.stderr.strip()}")
    if probe.stdout.strip() != "0":
        raise BackupError("the target database already has tables; restore into a new, empty database "
                          "(createdb), never over one.")
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", libpq_url, str(source)], env)
    return BackupResult(source, engine, source.stat().st_size)
