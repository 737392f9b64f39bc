"""The ``hotline`` command."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hotline.domain.errors import DomainError
from hotline.interop.cot.cli import cot_app
from hotline.service.config import Settings
from hotline.witness.cli import witness_app, witness_key_app

app = typer.Typer(help="hotline: a real-time deconfliction hotline between parties.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(witness_app, name="witness")
app.add_typer(witness_key_app, name="witness-key")
app.add_typer(cot_app, name="cot")
out = Console()
err = Console(stderr=True)

DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL (default: HOTLINE_DATABASE_URL or "
                                           "sqlite:///hotline.db).")]


def _url(db: str) -> str:
    """``--db`` as a path or a URL alike: a path is a SQLite file."""
    return db if "://" in db else f"sqlite:///{db}"


def _settings(db: str | None) -> Settings:
    """The settings of the environment, with ``--db`` (a path or a URL) in place of HOTLINE_DATABASE_URL."""
    s = Settings.from_env()
    if db:
        s.database_url = _url(db)
    return s


def _fail(message: str) -> NoReturn:
    """Bad input: one line naming the problem, exit code 2."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    for prefix in ("sqlite:///", "sqlite+aiosqlite:///"):
        if url.startswith(prefix):
            rest = url[len(prefix):].split("?", 1)[0]
            return None if rest in ("", ":memory:") else Path(rest)
    return None


def _shown(url: str) -> str:
    """How a database is named to the user: the file's absolute path, or the URL without its password."""
    path = _sqlite_path(url)
    if path is not None:
        return str(path.resolve())
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is named as given
        return url


def _known_revisions() -> tuple[set[str], str]:
    """The schema revisions this code knows, and its newest."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hotline.store.database import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return {r.revision for r in script.walk_revisions()}, str(script.get_current_head())


async def _schema_revision(url: str) -> tuple[bool, str | None]:
    """(whether the database exists, its Alembic revision or None), read without creating or changing it."""
    path = _sqlite_path(url)
    if path is not None:
        if not path.is_file():
            return False, None
        import sqlite3

        # immutable: even a read-only open of a WAL database leaves -wal and -shm files beside it; this one
        # reads the main file alone (a schema change still in a running server's WAL is not seen).
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
                has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
                                   ).fetchone()
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has else None
        except sqlite3.DatabaseError as e:
            _fail(f"{path.resolve()} is not a hotline database ({e})")
        return True, row[0] if row else None
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from hotline.store.database import normalize_url

    engine = create_async_engine(normalize_url(url))
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
            revision = await conn.scalar(text("SELECT version_num FROM alembic_version")) if exists else None
    except Exception as e:  # noqa: BLE001 - whatever the driver says, it is one line for the user
        _fail(f"cannot open the database {_shown(url)} ({type(e).__name__}: {str(e).splitlines()[0]})")
    finally:
        await engine.dispose()
    return True, revision


def _check_database(settings: Settings, *, must_exist: bool) -> None:
    """Refuse, before anything is created or changed, a database that is missing (for a command that only
    reads) or that a newer hotline has migrated (its schema revision is unknown to this code)."""
    url = settings.database_url
    exists, revision = asyncio.run(_schema_revision(url))
    if must_exist and not exists:
        _fail(f"no database at {_shown(url)}; pass --db with the path or URL `hotline demo` printed")
    if must_exist and revision is None:
        _fail(f"{_shown(url)} is not a hotline database (it has no schema); `hotline init` creates one")
    known, head = _known_revisions()
    if revision is not None and revision not in known:
        _fail(f"{_shown(url)} has schema version {revision}, newer than this hotline knows (newest {head}); "
              "upgrade hotline to use it")


def _run(coro: object) -> object:
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    except DomainError as e:
        err.print(f"[red]error:[/red] {e.detail}")
        raise typer.Exit(2) from e


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from hotline.api.app import create_app
    from hotline.service.hotline import Hotline

    # uvicorn marks this implementation deprecated in favour of its sans-I/O one, whose send does not wait
    # for the socket (a slow client then grows the server's memory instead of being cut off); keep it
    # until the sans-I/O one applies back-pressure, without alarming the operator's terminal.
    warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")
    # Escalation e-mails link to the console, and a webhook must not point back at this server.
    os.environ.setdefault("HOTLINE_PUBLIC_URL", f"http://{host}:{port}")
    # ws="websockets": its send waits while the socket's write buffer is full, so a slow stream client
    # fills its own bounded queue in the hub and is cut off (close 4008) instead of growing the
    # server's memory without bound. No per-message deflate: each frame is encoded once for everyone.
    hl = Hotline(settings)
    hl.notifier.check()  # a webhook pointing at this server, or unsigned: refused before listening
    # X-Forwarded-For/-Proto are believed only from HOTLINE_TRUSTED_PROXIES (uvicorn's default trusts any
    # loopback client, which let anyone there name the address the login throttle counts).
    from hotline.interop.cot import serve as cot

    app = create_app(hl)
    if cot.configured():
        app = cot.with_gateway(app, hl)  # the CoT gateway as a task of the server
    uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets",
                ws_per_message_deflate=False, ws_ping_interval=20, ws_ping_timeout=20,
                # No trusted proxy: no proxy-headers layer at all (with an empty list it reads and ignores them).
                proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=list(settings.trusted_proxies),
                server_header=False)  # no "server: uvicorn" banner for a prober to read


@app.command()
def demo(port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
         host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
         db: Annotated[str, typer.Option("--db", help="The demo's database: a SQLite file or a URL.")
                       ] = "hotline-demo.db") -> None:
    """Run the demo world on an embedded SQLite and print the console URL, the accounts and the --db to pass
    to the other commands."""
    from hotline.demo.setup import prepare_demo
    from hotline.service.logs import configure_logging

    configure_logging("console")
    settings = _settings(db)
    _check_database(settings, must_exist=False)
    password = os.environ.get("HOTLINE_DEMO_PASSWORD") or secrets.token_urlsafe(12)
    accounts = _run(prepare_demo(settings, password, talks=True, scenario=True))
    table = Table(title="Demo accounts (password below)")
    for column in ("user", "party", "role"):
        table.add_column(column)
    for username, party, role, _ in accounts:  # type: ignore[attr-defined]
        table.add_row(username, party or "-", role)
    out.print(table)
    out.print(f"Password for every demo account: [bold]{password}[/bold]")
    out.print(f"Console: [bold]http://{host}:{port}/[/bold]   API docs: http://{host}:{port}/docs")
    # The exact option the other commands need to find this data, whatever folder they run in.
    out.print(f"Data: --db {_shown(settings.database_url)}   (e.g. hotline export --db "
              f"{_shown(settings.database_url)} -o record.jsonl)", markup=False, highlight=False, soft_wrap=True)
    _serve(settings, host, port)


@app.command()
def serve(port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          db: DbOpt = None, log_format: Annotated[str, typer.Option(help="console or json.")] = "console") -> None:
    """Run the server for a configured deployment (HOTLINE_DATABASE_URL, HOTLINE_WORLD)."""
    from hotline.service.logs import configure_logging

    configure_logging(log_format)
    settings = _settings(db)
    _check_database(settings, must_exist=False)
    try:
        _serve(settings, host, port)
    except DomainError as e:  # a world file that breaks a rule: one line, naming the file and key
        typer.echo(f"error: {e.detail}", err=True)
        raise typer.Exit(2) from e


@app.command()
def init(db: DbOpt = None) -> None:
    """Check the world file, then create or upgrade the database schema."""
    from hotline.service.config import load_world
    from hotline.store.database import Database

    settings = _settings(db)
    try:
        load_world(settings.world)
    except DomainError as e:  # a world file that breaks a rule stops here: one line, file and key
        typer.echo(f"error: {e.detail}", err=True)
        raise typer.Exit(2) from e
    _check_database(settings, must_exist=False)

    async def go() -> None:
        database = Database(settings.database_url)
        await database.migrate()
        await database.dispose()

    _run(go())
    out.print("Database ready.")


def _with_auth(db: str | None, action: object, *, read_only: bool = False) -> object:
    """Run ``action(hotline)``; a command that changes accounts brings the schema up to date first, one that
    only reads needs an existing hotline database and changes nothing."""
    from hotline.service.hotline import Hotline

    settings = _settings(db)
    _check_database(settings, must_exist=read_only)

    async def go() -> object:
        hl = Hotline(settings)
        if not read_only:
            await hl.db.migrate()
        try:
            return await action(hl)  # type: ignore[operator]
        finally:
            await hl.db.dispose()

    return _run(go())


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(username: str, party: Annotated[str | None, typer.Option(help="The user's party.")] = None,
             role: Annotated[str, typer.Option(help="operator, supervisor, observer or admin.")] = "operator",
             name: Annotated[str, typer.Option(help="Display name.")] = "",
             password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
             db: DbOpt = None) -> None:
    """Add a user of one party with one role."""
    password = _read_password(password_stdin)
    _with_auth(db, lambda hl: hl.auth.add_user(username, password, party=party, role=role, display_name=name))
    out.print(f"User {username} added.")


@user_app.command("disable")
def user_disable(username: str, db: DbOpt = None) -> None:
    """Disable a user and revoke their sessions."""
    _with_auth(db, lambda hl: hl.auth.set_disabled(username, True))
    out.print(f"User {username} disabled; their sessions are revoked.")


@user_app.command("passwd")
def user_passwd(username: str,
                password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
                db: DbOpt = None) -> None:
    """Set a user's password and revoke their sessions."""
    password = _read_password(password_stdin)
    _with_auth(db, lambda hl: hl.auth.set_password(username, password))
    out.print(f"Password of {username} changed; their sessions are revoked.")


@user_app.command("list")
def user_list(db: DbOpt = None) -> None:
    """List users."""
    rows = _with_auth(db, lambda hl: hl.auth.users(), read_only=True)
    table = Table()
    for column in ("user", "party", "role", "disabled"):
        table.add_column(column)
    for r in rows:  # type: ignore[attr-defined]
        table.add_row(r["username"], r["party"] or "-", r["role"], "yes" if r["disabled"] else "")
    out.print(table)


@app.command()
def export(db: DbOpt = None,
           output: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")] = None
           ) -> None:
    """Write the whole record (events, signed checkpoints, cosignatures, server key) for `hotline verify FILE`."""
    import io

    from hotline.service.export import export_ledger
    from hotline.service.hotline import Hotline

    settings = _settings(db)
    _check_database(settings, must_exist=True)
    # Written aside and moved into place, so a failed export never leaves a partial file under the name.
    part = None if output is None else output.with_name(output.name + ".part")
    try:
        fp = io.BytesIO() if part is None else open(part, "wb")  # noqa: SIM115 - closed below
    except OSError as e:
        _fail(f"cannot write {output} ({e.strerror})")

    async def go() -> int:
        hl = Hotline(settings)
        try:
            return await export_ledger(hl, fp)
        finally:
            await hl.db.dispose()

    try:
        with fp:
            count = _run(go())
            if isinstance(fp, io.BytesIO):
                sys.stdout.buffer.write(fp.getvalue())
    except BaseException as e:
        if part is not None:  # the export failed: nothing under the name asked for, no leftover
            part.unlink(missing_ok=True)
        if isinstance(e, LookupError):
            _fail(str(e))
        raise
    if part is not None and output is not None:
        part.replace(output)
        err.print(f"Wrote {count} events with their checkpoints and cosignatures to {output}.")


def _file_server_keys(path: Path) -> list[str]:
    """The server keys an export declares (the records right after its header)."""
    keys = []
    with open(path, "rb") as fp:
        fp.readline()
        for line in fp:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                break
            if not (isinstance(record, dict) and record.get("kind") == "server_key"):
                break
            keys.append(str(record.get("vkey")))
    return keys


def _key_name(vkey: str) -> str:
    """A vkey's name and key ID (``name+keyid``), without the key itself."""
    return vkey.rsplit("+", 1)[0]


def _database_vkey(db: str) -> str:
    """The server key of the database ``db``, to check an export against."""
    from hotline.service.checkpoints import load_server_key
    from hotline.service.hotline import Hotline

    settings = _settings(db)
    _check_database(settings, must_exist=True)

    async def go() -> str:
        hl = Hotline(settings)
        try:
            return (await load_server_key(hl, create=False)).verifier.vkey
        finally:
            await hl.db.dispose()

    try:
        return str(_run(go()))
    except LookupError as e:
        _fail(f"{_shown(settings.database_url)}: {e}")


def _verify_file(path: Path, server_key: str | None) -> None:
    from hotline.ledger.offline import verify_export
    from hotline.ledger.verify import verify_events

    try:
        with open(path, "rb") as fp:
            first = fp.readline()
        declared = _file_server_keys(path)
    except OSError as e:
        _fail(f"cannot read the export {path} ({e.strerror})")
    if server_key is not None and declared and server_key not in declared:
        _fail(f"{path} is an export of another server: signed by {', '.join(map(_key_name, declared))}, "
              f"not by {_key_name(server_key)}")
    try:
        head = orjson.loads(first)
    except orjson.JSONDecodeError:
        head = None
    # Only a file that starts with a bare event is the older chain-only dump; anything else (a damaged
    # header included) is held to the full format, so a changed byte can never downgrade the check.
    if not (isinstance(head, dict) and "seq" in head and "hash" in head and "kind" not in head):
        try:
            report = verify_export(path, trusted_server_keys=[server_key] if server_key else None)
        except OSError as e:
            _fail(f"cannot read the export {path} ({e.strerror})")
        except ValueError as e:
            _fail(f"--server-key is not a server vkey ({e})")
        (out if report.ok else err).print(str(report), markup=False, highlight=False)
        if not report.ok:
            raise typer.Exit(1)
        return
    # A plain JSON-lines dump of events (the older export): only the hash chains can be checked.
    events = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    chain = verify_events(e.get("event", e) for e in events if e.get("kind", "event") == "event")
    if not chain.ok:
        err.print(f"[red]BROKEN[/red]: {chain.broken}")
        raise typer.Exit(1)
    out.print(f"[green]OK[/green]: {chain.events} events in {len(chain.channels)} channels verify (hash chains "
              "only: this file has no checkpoints).")


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fp:
            return fp.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


@app.command()
def verify(source: Annotated[str | None, typer.Argument(help="An exported file; without it, the database.")] = None,
           db: DbOpt = None,
           server_key: Annotated[str | None, typer.Option(help="The server's vkey, obtained out of band, to "
                                                                "check an exported file against (with a FILE, "
                                                                "--db checks it against that database's "
                                                                "key).")] = None) -> None:
    """Check a record offline: an exported file (chains, Merkle roots, signed checkpoints, cosignatures; a
    verdict per channel) or the database's hash chains."""
    from hotline.service.records import database_report

    if source is not None and "://" not in source and not _is_sqlite_file(Path(source)):
        path = Path(source)
        if not path.exists():
            _fail(f"no file {source}")
        if server_key is None and db is not None:
            server_key = _database_vkey(db)
        _verify_file(path, server_key)
        return
    settings = _settings(source or db)
    _check_database(settings, must_exist=True)
    report = _run(database_report(settings))
    if report.ok:  # type: ignore[attr-defined]
        out.print(f"[green]OK[/green]: {report.events} events in {len(report.channels)} channels verify.")  # type: ignore[attr-defined]
        for channel, length in sorted(report.channels.items()):  # type: ignore[attr-defined]
            out.print(f"  {channel}: {length} events, head {report.heads[channel][:16]}…")  # type: ignore[attr-defined]
        return
    err.print(f"[red]BROKEN[/red]: {report.broken}")  # type: ignore[attr-defined]
    raise typer.Exit(1)


# -- backup and restore -----------------------------------------------------------------------------
@app.command()
def backup(output: Annotated[Path, typer.Option("--out", "-o", help="The backup file to write (never "
                                                "overwritten).")],
           db: DbOpt = None) -> None:
    """Back up the database while the server runs: SQLite's online backup API, or pg_dump for PostgreSQL."""
    from hotline.store.backup import BackupError
    from hotline.store.backup import backup as make_backup

    try:
        result = make_backup(_settings(db).database_url, output)
    except BackupError as e:
        err.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(2) from e
    out.print(f"Backed up the {result.engine} database to {result.path} ({result.bytes} bytes).")


@app.command()
def restore(source: Annotated[Path, typer.Argument(help="A file written by `hotline backup`.")],
            db: DbOpt = None) -> None:
    """Restore a backup into a new, empty database (--db); then run `hotline verify --db` on it."""
    from hotline.store.backup import BackupError
    from hotline.store.backup import restore as do_restore

    settings = _settings(db)
    try:
        do_restore(source, settings.database_url)
    except BackupError as e:
        err.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(2) from e
    out.print(f"Restored {source}. Check it with: hotline verify --db <the same database>")


if __name__ == "__main__":
    app()


@app.command()
def simulate(isr_port: Annotated[int, typer.Option(help="The gateway's plain TCP port for isr.")] = 8087,
             syr_port: Annotated[int, typer.Option(help="The gateway's plain TCP port for syr.")] = 8088,
             host: Annotated[str, typer.Option(help="The gateway's address (loopback).")] = "127.0.0.1",
             seconds: Annotated[float | None, typer.Option(help="Stop after this long (default: run on).")] = None
             ) -> None:
    """Drive believable tracks through the CoT gateway (HOTLINE_COT_TCP), one of them straying into
    restricted airspace without a notice."""
    from hotline.demo.simulate import run

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run({"isr": isr_port, "syr": syr_port}, host=host, seconds=seconds))
