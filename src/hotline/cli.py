"""The ``hotline`` command."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hotline.domain.errors import DomainError
from hotline.service.config import Settings
from hotline.witness.cli import witness_app, witness_key_app

app = typer.Typer(help="hotline: a real-time deconfliction hotline between parties.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(witness_app, name="witness")
app.add_typer(witness_key_app, name="witness-key")
out = Console()
err = Console(stderr=True)

DbOpt = Annotated[str | None, typer.Option("--db", help="Database URL (default: HOTLINE_DATABASE_URL or "
                                           "sqlite:///hotline.db).")]


def _settings(db: str | None) -> Settings:
    s = Settings.from_env()
    if db:
        s.database_url = db if "://" in db else f"sqlite:///{db}"
    return s


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
    # ws="websockets": its send waits while the socket's write buffer is full, so a slow stream client
    # fills its own bounded queue in the hub and is cut off (close 4008) instead of growing the
    # server's memory without bound. No per-message deflate: each frame is encoded once for everyone.
    uvicorn.run(create_app(Hotline(settings)), host=host, port=port, log_level="warning", ws="websockets",
                ws_per_message_deflate=False, ws_ping_interval=20, ws_ping_timeout=20)


@app.command()
def demo(port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
         host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
         db: Annotated[str, typer.Option("--db", help="SQLite file for the demo.")] = "hotline-demo.db") -> None:
    """Run the demo world on an embedded SQLite and print the console URL and the accounts."""
    from hotline.demo.setup import prepare_demo
    from hotline.service.logs import configure_logging

    configure_logging("console")
    settings = _settings(db)
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
    _serve(settings, host, port)


@app.command()
def serve(port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          db: DbOpt = None, log_format: Annotated[str, typer.Option(help="console or json.")] = "console") -> None:
    """Run the server for a configured deployment (HOTLINE_DATABASE_URL, HOTLINE_WORLD)."""
    from hotline.service.logs import configure_logging

    configure_logging(log_format)
    _serve(_settings(db), host, port)


@app.command()
def init(db: DbOpt = None) -> None:
    """Create or upgrade the database schema."""
    from hotline.store.database import Database

    async def go() -> None:
        database = Database(_settings(db).database_url)
        await database.migrate()
        await database.dispose()

    _run(go())
    out.print("Database ready.")


def _with_auth(db: str | None, action: object) -> object:
    from hotline.service.hotline import Hotline

    async def go() -> object:
        hl = Hotline(_settings(db))
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
    rows = _with_auth(db, lambda hl: hl.auth.users())
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

    buf = io.BytesIO()

    async def go() -> int:
        hl = Hotline(_settings(db))
        try:
            return await export_ledger(hl, buf)
        finally:
            await hl.db.dispose()

    try:
        count = _run(go())
    except LookupError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    if output is None:
        sys.stdout.buffer.write(buf.getvalue())
    else:
        output.write_bytes(buf.getvalue())
        err.print(f"Wrote {count} events with their checkpoints and cosignatures to {output}.")


def _verify_file(path: Path, server_key: str | None) -> None:
    from hotline.ledger.offline import verify_export
    from hotline.ledger.verify import verify_events

    with open(path, "rb") as fp:
        first = fp.readline()
    try:
        head = orjson.loads(first)
    except orjson.JSONDecodeError:
        head = None
    # Only a file that starts with a bare event is the older chain-only dump; anything else (a damaged
    # header included) is held to the full format, so a changed byte can never downgrade the check.
    if not (isinstance(head, dict) and "seq" in head and "hash" in head and "kind" not in head):
        report = verify_export(path, trusted_server_keys=[server_key] if server_key else None)
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


@app.command()
def verify(source: Annotated[str | None, typer.Argument(help="An exported file; without it, the database.")] = None,
           db: DbOpt = None,
           server_key: Annotated[str | None, typer.Option(help="The server's vkey, obtained out of band, to "
                                                                "check an exported file against.")] = None) -> None:
    """Check a record offline: an exported file (chains, Merkle roots, signed checkpoints, cosignatures; a
    verdict per channel) or the database's hash chains."""
    from hotline.service.records import database_report

    if source is not None and "://" not in source:
        path = Path(source)
        if not path.exists():
            err.print(f"[red]error:[/red] no file {source}")
            raise typer.Exit(2)
        _verify_file(path, server_key)
        return
    report = _run(database_report(_settings(source or db)))
    if report.ok:  # type: ignore[attr-defined]
        out.print(f"[green]OK[/green]: {report.events} events in {len(report.channels)} channels verify.")  # type: ignore[attr-defined]
        for channel, length in sorted(report.channels.items()):  # type: ignore[attr-defined]
            out.print(f"  {channel}: {length} events, head {report.heads[channel][:16]}…")  # type: ignore[attr-defined]
        return
    err.print(f"[red]BROKEN[/red]: {report.broken}")  # type: ignore[attr-defined]
    raise typer.Exit(1)


if __name__ == "__main__":
    app()
