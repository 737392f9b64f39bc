"""``hotline witness ...`` and ``hotline witness-key ...``: the commands a party runs on its own machine."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, CheckpointError, generate_key, parse_skey, parse_vkey
from hotline.ledger.offline import prove_inconsistent

from .follower import Witness
from .store import WitnessStore

__all__ = ["witness_app", "witness_key_app"]

witness_app = typer.Typer(help="Run a party's witness: verify and cosign the server's checkpoints.",
                          no_args_is_help=True)
witness_key_app = typer.Typer(help="Register or revoke a party's witness key (supervisors).", no_args_is_help=True)
log = logging.getLogger("hotline.witness")

Server = Annotated[str, typer.Option("--server", help="Base URL of the hotline server.")]
User = Annotated[str, typer.Option("--user", help="Account of the party (password: HOTLINE_PASSWORD or prompt).")]
KeyFile = Annotated[Path, typer.Option("--key", help="The witness's private key file.")]


def _login(server: str, user: str) -> httpx.Client:
    password = os.environ.get("HOTLINE_PASSWORD") or typer.prompt("Password", hide_input=True)
    r = httpx.post(server.rstrip("/") + "/api/v1/auth/login", json={"username": user, "password": password},
                   timeout=10)
    if r.status_code != 200:
        typer.echo(f"error: login as {user} failed: {r.text}", err=True)
        raise typer.Exit(2)
    return httpx.Client(base_url=server.rstrip("/"), headers={"authorization": f"Bearer {r.json()['token']}"},
                        timeout=10)


def _read_key(path: Path) -> str:
    try:
        return parse_skey(path.read_text("ascii").strip()).verifier.vkey
    except (OSError, CheckpointError) as e:
        typer.echo(f"error: cannot read the witness key {path}: {e}", err=True)
        raise typer.Exit(2) from e


@witness_app.command("keygen")
def keygen(key: KeyFile, name: Annotated[str, typer.Option(help="Key name, e.g. isr.example/witness.")]) -> None:
    """Create a cosignature/v1 key file (mode 0600) and print its public vkey."""
    if key.exists():
        typer.echo(f"error: {key} exists; refusing to overwrite a witness key", err=True)
        raise typer.Exit(2)
    signer = generate_key(name, ALG_COSIGNATURE_V1)
    key.touch(mode=0o600)
    key.write_text(signer.skey + "\n", "ascii")
    typer.echo(signer.verifier.vkey)


@witness_app.command("run")
def run(server: Server, user: User, key: KeyFile,
        store: Annotated[Path, typer.Option("--store", help="The witness's own SQLite file.")],
        server_key: Annotated[str | None, typer.Option(help="The server's vkey, obtained out of band "
                                                            "(default: pinned on first use).")] = None,
        interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 1.0,
        once: Annotated[bool, typer.Option("--once", help="One pass; exit 1 if any alarm is on record.")] = False,
        ) -> None:
    """Follow the server and cosign every consistent checkpoint of the party's channels."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    # The witness's log says what it cosigned or refused, one line each; httpx logs every request at INFO.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    signer = parse_skey(key.read_text("ascii").strip())
    client = _login(server, user)
    witness = Witness(client, signer, WitnessStore(store), server_key=server_key)
    while True:
        try:
            witness.run_once()
        except httpx.HTTPError as e:
            log.warning("server unreachable or refusing (%s); retrying", e)
            if isinstance(e, httpx.HTTPStatusError) and e.response.status_code == 401:
                client = _login(server, user)
                witness.http = client
            if once:
                raise typer.Exit(3) from e
        if once:
            alarms = witness.store.alarms()
            for a in alarms:
                typer.echo(f"ALARM {a['channel']}: {a['detail']}")
            raise typer.Exit(1 if alarms else 0)
        time.sleep(interval)


@witness_app.command("alarms")
def alarms(store: Annotated[Path, typer.Option("--store")]) -> None:
    """Print the alarms on record; exit 1 if there are any."""
    found = WitnessStore(store).alarms()
    for a in found:
        typer.echo(f"{a['raised_at']} {a['channel']}: {a['detail']}")
    raise typer.Exit(1 if found else 0)


@witness_app.command("compare")
def compare(store_a: Path, store_b: Path,
            server_key: Annotated[str | None, typer.Option(help="The server's vkey (default: the one pinned "
                                                                "in the first store).")] = None) -> None:
    """Compare the signed checkpoints two witnesses saw: a split view shows as two signed checkpoints of
    one size with different roots. Exit 1 and print the evidence if found."""
    a, b = WitnessStore(store_a), WitnessStore(store_b)
    vkey = server_key or a.get("server_vkey") or b.get("server_vkey")
    if vkey is None:
        typer.echo("error: no server key: pass --server-key", err=True)
        raise typer.Exit(2)
    keys = [parse_vkey(vkey)]
    seen = {(c, size): note for c, size, _, note, _ in a.checkpoints()}
    found = 0
    for channel, size, _, note, _ in b.checkpoints():
        other = seen.get((channel, size))
        if other is None:
            continue
        evidence = prove_inconsistent(other, note, keys)
        if evidence is not None:
            found += 1
            typer.echo(f"INCONSISTENT {evidence}\n--- {store_a}:\n{other}--- {store_b}:\n{note}")
    typer.echo(f"{found} inconsistencies" if found else "no inconsistency between the checkpoints both saw")
    raise typer.Exit(1 if found else 0)


@witness_key_app.command("register")
def register(server: Server, user: User, party: Annotated[str, typer.Option(help="The supervisor's party.")],
             key: Annotated[Path | None, typer.Option("--key", help="Key file to take the vkey from.")] = None,
             vkey: Annotated[str | None, typer.Option(help="The vkey to register.")] = None,
             replaces: Annotated[str | None, typer.Option(help="Key ID of the key this one replaces.")] = None,
             ) -> None:
    """Register (or, with --replaces, rotate to) a witness key of your party."""
    text = vkey or (_read_key(key) if key else None)
    if text is None:
        typer.echo("error: give --key or --vkey", err=True)
        raise typer.Exit(2)
    r = _login(server, user).post(f"/api/v1/witness/parties/{party}/keys", json={"vkey": text, "replaces": replaces})
    if r.status_code not in (200, 201):
        typer.echo(f"error: {r.json().get('detail', r.text)}", err=True)
        raise typer.Exit(1)
    typer.echo(f"registered {text}")


@witness_key_app.command("revoke")
def revoke(server: Server, user: User, party: Annotated[str, typer.Option(help="The supervisor's party.")],
           key_id: Annotated[str, typer.Option(help="Key ID (8 hex digits) to revoke.")]) -> None:
    """Revoke a witness key of your party: it cosigns nothing after this."""
    r = _login(server, user).delete(f"/api/v1/witness/parties/{party}/keys/{key_id}")
    if r.status_code != 200:
        typer.echo(f"error: {r.json().get('detail', r.text)}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
