"""The CoT gateway with real TAK clients (pytak) over TCP and TLS, against a real `hotline serve`."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.interop.cot.certs import ensure_ca, issue_client
from hotline.testing import ServerProcess, StreamReader, free_port, login, world_file

from .cot_client import Tak, connect, uav

pytestmark = pytest.mark.anyio

IN_AOS = (33.005, 35.8675)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, int], Path]]:
    world = Path(world_file(tmp_path))
    world.write_text(world.read_text("utf-8") + "\n[tracks]\ndwell_s = 1\nseal_interval_s = 2\n", "utf-8")
    ports = {"isr": free_port(), "syr": free_port(), "usa": free_port(), "tls": free_port()}
    cot = tmp_path / "cot"
    env = {"HOTLINE_COT_TCP": ",".join(f"{p}=127.0.0.1:{ports[p]}" for p in ("isr", "syr", "usa")),
           "HOTLINE_COT_TLS": f"127.0.0.1:{ports['tls']}", "HOTLINE_COT_DIR": str(cot)}
    server = ServerProcess(f"sqlite:///{tmp_path / 'hotline.db'}", world=str(world), env=env,
                           log=tmp_path / "server.log", seed={"zones": True})
    server.prepare()
    with server.start():
        yield server, ports, cot


def issue(cot: Path, party: str, device: str, tmp: Path) -> dict[str, str]:
    """`hotline cot cert` as an operator runs it; returns pytak's TLS settings for the issued device."""
    out = tmp / f"{device}.zip"
    subprocess.run([sys.executable, "-m", "hotline.cli", "cot", "cert", party, device, "--dir", str(cot),  # noqa: S603
                    "--out", str(out), "--pem"], check=True, capture_output=True)
    return {"PYTAK_TLS_CLIENT_CERT": str(out.with_suffix(".pem")), "PYTAK_TLS_CLIENT_KEY": str(out.with_suffix(".key")),
            "PYTAK_TLS_CLIENT_CAFILE": str(cot / "ca.pem"), "PYTAK_TLS_SERVER_EXPECTED_HOSTNAME": "localhost"}


async def fly(tak: Tak, uid: str, seconds: float, **kw: object) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await tak.send(uav(uid, *IN_AOS, **kw))  # type: ignore[arg-type]
        await asyncio.sleep(0.25)


async def test_a_syrian_uav_entering_the_area_of_separation_reaches_isr_over_tls_and_the_stream(
        gateway: tuple[ServerProcess, dict[str, int], Path], tmp_path: Path) -> None:
    server, ports, cot = gateway
    isr_tls = issue(cot, "isr", "isr-tablet-1", tmp_path)
    isr = await connect(f"tls://127.0.0.1:{ports['tls']}", **isr_tls)
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    token = login(server.base_url, "isr-duty").headers["authorization"].split(" ", 1)[1]
    async with StreamReader(server.base_url, token) as stream:
        await stream.ready()
        await isr.until(b"hotline-zone-aos")  # the agreed zones arrive as shapes on connect
        sender = asyncio.create_task(fly(syr, "syr-uav-7", 4.0, callsign="SAQR 7"))
        try:
            track = await isr.until(b'uid="syr-uav-7"', timeout=5)  # syr's track is released to the joint channel
            marker = await isr.until(b"geofence.entered", timeout=8)
            raised = await stream.until(lambda e: e["type"] == "finding.raised"
                                        and e["payload"]["finding"].get("track", {}).get("uid") == "syr-uav-7")
        finally:
            await sender
    assert b"SAQR 7" in track
    assert b"syr-uav-7" in marker and b'zone="aos' in marker
    assert raised["payload"]["addressees"] == ["isr", "syr"]
    isr.close()
    syr.close()


async def test_an_isr_track_released_to_the_mediator_only_never_reaches_syr(
        gateway: tuple[ServerProcess, dict[str, int], Path]) -> None:
    server, ports, _ = gateway
    syr = await connect(f"tcp://127.0.0.1:{ports['syr']}")
    usa = await connect(f"tcp://127.0.0.1:{ports['usa']}")
    isr = await connect(f"tcp://127.0.0.1:{ports['isr']}")
    await syr.until(b"hotline-zone-aos")
    secret = uav("isr-recce-1", 33.00, 35.70, cot_type="a-f-G-U-C-R").replace(
        b"<detail>", b'<detail><_hotline channel="isr-usa"/>')
    assert b'channel="isr-usa"' in secret
    for _ in range(3):
        await isr.send(secret)
        await asyncio.sleep(0.2)
    await isr.send(uav("isr-open-1", 33.00, 35.69, cot_type="a-f-G-U-C"))
    await usa.until(b'uid="isr-recce-1"')  # the mediator sees it
    await syr.until(b'uid="isr-open-1"')  # sent after the secret one, through the same pipeline
    assert not any(b"isr-recce-1" in d for d in syr.seen)
    api = login(server.base_url, "syr-duty")
    assert "isr-recce-1" not in api.get("/api/v1/tracks").text
    assert "isr-recce-1" in login(server.base_url, "usa-duty").get("/api/v1/tracks").text
    for tak in (syr, usa, isr):
        tak.close()


async def test_tls_without_a_certificate_or_with_a_foreign_ca_is_refused(
        gateway: tuple[ServerProcess, dict[str, int], Path], tmp_path: Path) -> None:
    _, ports, cot = gateway
    ctx = ssl.create_default_context(cafile=str(cot / "ca.pem"))
    ctx.check_hostname = False
    with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):  # no certificate
        reader, writer = await asyncio.open_connection("127.0.0.1", ports["tls"], ssl=ctx)
        await asyncio.wait_for(reader.readuntil(b"</event>"), 5)
    foreign = issue_client(ensure_ca(tmp_path / "other-ca", name="other"), "isr", "isr-stolen")
    (tmp_path / "f.pem").write_bytes(foreign.cert_pem)
    (tmp_path / "f.key").write_bytes(foreign.key_pem)
    tak = None
    with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError, TimeoutError)):
        tak = await connect(f"tls://127.0.0.1:{ports['tls']}", PYTAK_TLS_CLIENT_CERT=str(tmp_path / "f.pem"),
                            PYTAK_TLS_CLIENT_KEY=str(tmp_path / "f.key"), PYTAK_TLS_CLIENT_CAFILE=str(cot / "ca.pem"),
                            PYTAK_TLS_SERVER_EXPECTED_HOSTNAME="localhost")
        await tak.until(b"hotline-zone-aos", timeout=5)
    # and the gateway still serves a good client
    good = await connect(f"tls://127.0.0.1:{ports['tls']}", **issue(cot, "syr", "syr-phone-2", tmp_path))
    await good.until(b"hotline-zone-aos")
    good.close()


def test_cot_cert_writes_a_tak_data_package(tmp_path: Path) -> None:
    import zipfile

    issue(tmp_path / "cot", "syr", "syr-phone-1", tmp_path)
    with zipfile.ZipFile(tmp_path / "syr-phone-1.zip") as z:
        names = set(z.namelist())
        pref = z.read("certs/hotline.pref").decode()
    assert names == {"MANIFEST/manifest.xml", "certs/hotline.pref", "certs/truststore.p12", "certs/syr-phone-1.p12"}
    assert "localhost:8089:ssl" in pref
    assert (tmp_path / "cot" / "ca.key").stat().st_mode & 0o077 == 0


