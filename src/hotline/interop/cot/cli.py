"""``hotline cot``: certificates for TAK clients, issued from the deployment's own CA."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .certs import data_package, ensure_ca, issue_client

__all__ = ["cot_app"]

cot_app = typer.Typer(help="Cursor on Target (TAK) clients: certificates and data packages.", no_args_is_help=True)


@cot_app.command("cert")
def cert(party: Annotated[str, typer.Argument(help="The party the device speaks for (e.g. isr).")],
         device: Annotated[str, typer.Argument(help="A name for the device, e.g. isr-tablet-7.")],
         folder: Annotated[Path, typer.Option("--dir", help="The CoT folder holding the CA (HOTLINE_COT_DIR).")],
         host: Annotated[str, typer.Option(help="The gateway's address as the phone reaches it.")] = "localhost",
         port: Annotated[int, typer.Option(help="The gateway's TLS port.")] = 8089,
         out: Annotated[Path | None, typer.Option("--out", "-o", help="The data package zip to write.")] = None,
         pem: Annotated[bool, typer.Option(help="Also write DEVICE.pem and DEVICE.key (for pytak and scripts).")]
         = False) -> None:
    """Issue a client certificate for PARTY as a TAK data package (zip) ATAK, iTAK and WinTAK import."""
    from hotline.service.config import Settings, load_world

    world = load_world(Settings.from_env().world)
    if party not in world.parties:
        typer.echo(f"error: unknown party {party!r}; this world has {', '.join(world.parties)}", err=True)
        raise typer.Exit(2)
    if not device.replace("-", "").replace("_", "").isalnum():
        typer.echo("error: a device name has letters, digits, '-' and '_' only", err=True)
        raise typer.Exit(2)
    ca = ensure_ca(folder)
    issued = issue_client(ca, party, device)
    target = out or Path(f"{device}.zip")
    target.write_bytes(data_package(ca[0], issued, device, host, port))
    if pem:
        target.with_suffix(".pem").write_bytes(issued.cert_pem)
        fd = os.open(target.with_suffix(".key"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(issued.key_pem)
    typer.echo(f"wrote {target} for {party} ({device}); the PKCS#12 password is in its .pref file")
