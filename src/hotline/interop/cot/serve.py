"""Run the CoT gateway as a task of ``hotline serve`` when the environment configures it.

- ``HOTLINE_COT_TCP``: plain TCP listeners on loopback, one per party: ``isr=127.0.0.1:8087,syr=127.0.0.1:8088``.
- ``HOTLINE_COT_TLS``: the TLS listener, ``0.0.0.0:8089``; needs ``HOTLINE_COT_DIR``, the folder of the
  deployment's CA (``hotline cot cert`` makes it); the server certificate is issued there on first start.
- ``HOTLINE_COT_RATE``: events per second allowed from one connection (default 200, burst twice that).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from hotline.service.hotline import Hotline

from .certs import ensure_ca, issue_server
from .gateway import Gateway

__all__ = ["configured", "start_from_env", "with_gateway", "server_files"]

log = logging.getLogger("hotline.cot")


def configured(env: Mapping[str, str] = os.environ) -> bool:
    return bool(env.get("HOTLINE_COT_TCP") or env.get("HOTLINE_COT_TLS"))


def _hostport(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def server_files(folder: Path, hostnames: tuple[str, ...]) -> tuple[str, str, str]:
    """(server cert, server key, CA cert) paths in ``folder``; the server certificate is made once."""
    ca = ensure_ca(folder)
    cert, key = folder / "server.pem", folder / "server.key"
    if not (cert.exists() and key.exists()):
        issued = issue_server(ca, hostnames)
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(issued.key_pem)
        cert.write_bytes(issued.cert_pem)
    return str(cert), str(key), str(folder / "ca.pem")


async def start_from_env(hl: Hotline, env: Mapping[str, str] = os.environ) -> Gateway:
    rate = float(env.get("HOTLINE_COT_RATE", "200"))
    gw = Gateway(hl, rate=rate, burst=2 * rate)
    for item in filter(None, (s.strip() for s in env.get("HOTLINE_COT_TCP", "").split(","))):
        party, _, where = item.partition("=")
        host, port = _hostport(where)
        bound = await gw.start_tcp(host, port, party)
        log.warning("cot: plain TCP for %s on %s:%d", party, host, bound)
    if env.get("HOTLINE_COT_TLS"):
        folder = env.get("HOTLINE_COT_DIR")
        if not folder:
            raise ValueError("HOTLINE_COT_TLS needs HOTLINE_COT_DIR, the folder of the deployment's CA")
        host, port = _hostport(env["HOTLINE_COT_TLS"])
        wildcard = ("0.0.0.0", "::")  # noqa: S104 - compared against, not bound
        names = tuple(dict.fromkeys(["localhost", "127.0.0.1", *(h for h in [host] if h not in wildcard)]))
        cert, key, ca = server_files(Path(folder), names)
        bound = await gw.start_tls(host, port, cert, key, ca)
        log.warning("cot: TLS on %s:%d", host, bound)
    return gw


def with_gateway(app: Any, hl: Hotline, env: Mapping[str, str] = os.environ) -> Any:
    """Wrap the app's lifespan so the gateway runs while the service does (after it started)."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            gw = await start_from_env(hl, env)
            try:
                yield state
            finally:
                await gw.stop()

    app.router.lifespan_context = lifespan
    return app
