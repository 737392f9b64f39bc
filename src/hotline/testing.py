"""Helpers for tests of hotline and of systems built on it: a controllable clock, a real server in a
subprocess, and small clients for the REST API and the stream."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

__all__ = ["FakeClock", "ServerProcess", "free_port", "fresh_postgres", "PG_ADMIN_URL", "login", "StreamReader",
           "DEMO_PASSWORD", "Api", "world_file"]

DEMO_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (the demo accounts of tests)
PG_ADMIN_URL = os.environ.get("HOTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 19, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import asyncpg  # only the tests that ask for PostgreSQL need it

    name = "hotline_t_" + uuid.uuid4().hex[:12]
    admin = PG_ADMIN_URL

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def world_file(folder: Path, **deadlines: int) -> str:
    """The demo world with other acknowledgement deadlines (seconds, by precedence), written to a file."""
    from importlib import resources

    text = resources.files("hotline.demo").joinpath("world.toml").read_text("utf-8")
    for name, seconds in deadlines.items():
        text = "\n".join(f"{name} = {seconds}" if line.startswith(f"{name} =") else line
                         for line in text.splitlines())
    path = folder / "world.toml"
    path.write_text(text, "utf-8")
    return str(path)


class ServerProcess:
    """``hotline serve`` in a subprocess on a free port, with the demo accounts created first."""

    def __init__(self, database_url: str, *, world: str | None = None, env: dict[str, str] | None = None,
                 log: Path | None = None, seed: dict[str, bool] | None = None) -> None:
        self.database_url = database_url
        self.seed = seed or {}  # what prepare() records besides the accounts (talks, zones, scenario)
        self.world = world
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def prepare(self) -> None:
        from hotline.demo.setup import prepare_demo
        from hotline.service.config import Settings

        settings = Settings(database_url=self.database_url)
        if self.world:
            settings.world = self.world
        asyncio.run(prepare_demo(settings, DEMO_PASSWORD, **self.seed))

    def start(self, timeout: float = 20.0) -> ServerProcess:
        env = {**os.environ, "HOTLINE_DATABASE_URL": self.database_url, **self.env}
        if self.world:
            env["HOTLINE_WORLD"] = self.world
        if self.log:
            with open(self.log, "ab") as out:  # the child keeps its own copy of the descriptor
                self.proc = subprocess.Popen(  # noqa: S603 (our own server)
                    [sys.executable, "-m", "hotline.cli", "serve", "--port", str(self.port)],
                    env=env, stdout=out, stderr=out)
        else:
            self.proc = subprocess.Popen(  # noqa: S603 (our own server)
                [sys.executable, "-m", "hotline.cli", "serve", "--port", str(self.port)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not come up in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def login(base_url: str, username: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    """A client carrying the user's bearer token."""
    r = httpx.post(base_url + "/api/v1/auth/login", json={"username": username, "password": password})
    r.raise_for_status()
    return httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {r.json()['token']}"}, timeout=10)


class StreamReader:
    """Reads the WebSocket stream as a user; collects events by seq."""

    def __init__(self, base_url: str, token: str, after: int = 0) -> None:
        self.url = base_url.replace("http", "ws", 1) + f"/api/v1/stream?after={after}"
        self.token = token
        self.events: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []
        self.ws: Any = None

    async def __aenter__(self) -> StreamReader:
        import websockets

        self.ws = await websockets.connect(self.url, additional_headers={"authorization": f"Bearer {self.token}"})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def next_frame(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        frame: dict[str, Any] = orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(frame)
        if frame["type"] == "event":
            self.events.append(frame["event"])
        elif frame["type"] == "events":
            self.events.extend(frame["events"])
        return frame

    async def ready(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """Read the backlog up to the ``ready`` frame; returns its seq."""
        while True:
            frame = await self.next_frame(timeout)
            if frame["type"] == "ready":
                return int(frame["seq"])

    async def until(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Read until an event satisfies ``predicate``; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the expected event did not arrive")
            frame = await self.next_frame(left)
            batch = [frame["event"]] if frame["type"] == "event" else frame.get("events", [])
            for event in batch:
                if predicate(event):
                    return event  # type: ignore[no-any-return]


class Api:
    """An HTTP client (in-process over ASGITransport, or to a real server) that logs in as demo users."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    async def token(self, username: str) -> str:
        if username not in self._tokens:
            r = await self.client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["token"]
            self.client.cookies.clear()  # speak with the bearer token only, as a non-browser client does
        return self._tokens[username]

    async def as_(self, username: str, method: str, url: str, **kw: object) -> httpx.Response:
        headers = {"authorization": f"Bearer {await self.token(username)}", **kw.pop("headers", {})}  # type: ignore[dict-item]
        return await self.client.request(method, url, headers=headers, **kw)  # type: ignore[arg-type]

    async def post_message(self, username: str, channel: str = "joint", **fields: object) -> httpx.Response:
        body = {"precedence": "FLASH", "subject": "Test", "body": "Body", "language": "en", **fields}
        return await self.as_(username, "POST", f"/api/v1/channels/{channel}/messages", json=body)
