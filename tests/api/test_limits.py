"""Body limits are enforced on the bytes as they arrive, whatever the transfer encoding, before anything
(authentication included) reads the body; the 413 carries the same security headers as every answer."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.testing import Api, ServerProcess, login

pytestmark = pytest.mark.anyio

MiB = 1024 * 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(f"sqlite:///{tmp_path / 'hotline.db'}", log=tmp_path / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _send_chunked(port: int, path: str, total: int, headers: str = "") -> tuple[bytes, int]:
    """Send ``total`` bytes as a chunked body over a raw socket, stopping as soon as the server answers.
    Returns the raw answer and how many body bytes went out."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
                  f"transfer-encoding: chunked\r\n{headers}\r\n").encode())
    chunk = b"x" * (64 * 1024)
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answer = b""
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        deadline = time.monotonic() + 20
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
        # Read what the body of the answer holds too, if it came in a later segment.
        sock.settimeout(1)
        try:
            while data := sock.recv(65536):
                answer += data
        except (TimeoutError, ConnectionResetError, OSError):
            pass
    finally:
        sock.close()
    return answer, sent


def _head(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def test_a_64_mib_chunked_body_without_credentials_is_refused_early_and_memory_stays_bounded(
        server: ServerProcess) -> None:
    assert server.proc is not None
    before = _rss_bytes(server.proc.pid)
    answer, sent = _send_chunked(server.port, "/api/v1/channels/joint/messages", 64 * MiB)
    status, headers, body = _head(answer)
    assert status == 413, answer[:500]
    assert headers["content-type"].startswith("application/problem+json")
    assert b"Request too large" in body or headers.get("content-length") != "0"
    # The same security headers as every other answer, and no server banner.
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers
    assert sent < 64 * MiB, "the server read the whole body before answering"
    grown = _rss_bytes(server.proc.pid) - before
    assert grown < 24 * MiB, f"server memory grew by {grown / MiB:.1f} MiB"
    # The server is still fine.
    with login(server.base_url, "isr-duty") as isr:
        assert isr.get("/api/v1/me").status_code == 200


def test_a_chunked_body_over_the_limit_with_credentials_writes_nothing(server: ServerProcess) -> None:
    with login(server.base_url, "isr-duty") as isr:
        before = isr.get("/api/v1/channels/joint/messages").json()
        token = isr.headers["authorization"]
        answer, _ = _send_chunked(server.port, "/api/v1/channels/joint/messages", 4 * MiB,
                                  headers=f"authorization: {token}\r\n")
        assert _head(answer)[0] == 413
        assert isr.get("/api/v1/channels/joint/messages").json() == before


async def test_a_declared_length_over_the_limit_is_a_413_with_the_security_headers(api: Api) -> None:
    r = await api.client.post("/api/v1/auth/login", content=b"{}",
                              headers={"content-type": "application/json", "content-length": str(10 * MiB)})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Request too large"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_a_streamed_body_over_the_limit_is_a_413_in_process_too(api: Api) -> None:
    async def body():  # no Content-Length: httpx sends it chunked
        for _ in range(16):
            yield b"x" * (64 * 1024)

    r = await api.as_("isr-duty", "POST", "/api/v1/channels/joint/messages", content=body(),
                      headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["status"] == 413
    assert "default-src 'self'" in r.headers["content-security-policy"]
    page = await api.as_("isr-duty", "GET", "/api/v1/channels/joint/messages")
    assert page.json()["messages"] == []


async def test_evidence_uploads_keep_their_larger_limit(api: Api) -> None:
    async def body():
        for _ in range(32):  # 2 MiB: over the general limit, under the evidence one
            yield b"x" * (64 * 1024)

    r = await api.as_("isr-duty", "POST", "/api/v1/incidents/nope/evidence", content=body(),
                      headers={"content-type": "multipart/form-data; boundary=abc"})
    assert r.status_code != 413
    assert r.status_code < 500
