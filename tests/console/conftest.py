"""Browser tests of the console: a real server on a SQLite file, headless Debian Chromium through
Playwright, and a TCP proxy between them that can cut the network and restore it."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from browser_support import chromium
from hotline.testing import DEMO_PASSWORD, ServerProcess, login

VIEWPORT = {"width": 1280, "height": 720}

# Hooks every way a script could announce itself, and counts CSP violations: the injection test
# proves nothing ran *and* that nothing even tried (the CSP would block an inline handler anyway).
TRIPWIRE = """
window.__pwned = 0;
window.__csp = 0;
window.alert = window.confirm = window.prompt = () => { window.__pwned += 1; };
document.addEventListener('securitypolicyviolation', () => { window.__csp += 1; });
"""


class CuttableProxy:
    """A TCP proxy whose ``cut()`` drops every open connection (the WebSocket included) and refuses new
    ones until ``restore()``. Playwright's ``set_offline`` does not reliably close an open WebSocket."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port: int = self.sock.getsockname()[1]
        self.up = True
        self.conns: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> CuttableProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not self.up:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _close(client)
                continue
            with self.lock:
                self.conns.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            _close(s)
            with self.lock:
                self.conns.discard(s)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            conns, self.conns = list(self.conns), set()
        for s in conns:
            _close(s)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        _close(self.sock)
        self.cut()


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()


@dataclass
class Live:
    """The server, reached by browsers through the proxy and by API clients directly."""

    server: ServerProcess
    proxy: CuttableProxy
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port}"

    def api(self, username: str) -> httpx.Client:
        if username not in self.clients:
            self.clients[username] = login(self.server.base_url, username)
        return self.clients[username]

    def post(self, username: str, channel: str = "joint", **fields: Any) -> dict[str, Any]:
        body = {"precedence": "ROUTINE", "subject": "Test", "body": "Body", "language": "en", **fields}
        r = self.api(username).post(f"/api/v1/channels/{channel}/messages", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def ack(self, username: str, message_id: str) -> dict[str, Any]:
        r = self.api(username).post(f"/api/v1/messages/{message_id}/ack", json={})
        assert r.status_code in (200, 201), r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope, not session: sync Playwright keeps an event loop running in this thread while it
    # is open, and the suites after the console ones start event loops of their own.
    with chromium("--autoplay-policy=no-user-gesture-required") as b:
        yield b


@contextlib.contextmanager
def running(tmp: Path, world: str | None = None) -> Iterator[Live]:
    """A server on a SQLite file in ``tmp`` (optionally another world file), behind a cuttable proxy."""
    # A short heartbeat: the server notices closed streams sooner (and the suite stops faster).
    server = ServerProcess(f"sqlite:///{tmp / 'hotline.db'}", world=world, log=tmp / "server.log",
                           env={"HOTLINE_HEARTBEAT": "2"})
    # prepare() runs its own event loop, which may not nest inside sync Playwright's: use a thread.
    preparing = threading.Thread(target=server.prepare)
    preparing.start()
    preparing.join()
    server.start()
    proxy = CuttableProxy(server.port).start()
    state = Live(server, proxy)
    try:
        yield state
    finally:
        for client in state.clients.values():
            client.close()
        proxy.close()
        server.stop()


@pytest.fixture(scope="session")
def start_live() -> Callable[..., contextlib.AbstractContextManager[Live]]:
    """``running`` for test modules that need a server of their own (another world file)."""
    return running


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with running(tmp_path_factory.mktemp("console")) as state:
        yield state


@dataclass
class Console:
    page: Page
    context: BrowserContext
    errors: list[str]

    def card(self, message_id: str) -> Any:
        return self.page.locator(f'article.msg[data-id="{message_id}"]')

    def body_data(self, name: str) -> str | None:
        return self.page.evaluate(f"document.body.dataset.{name}")  # type: ignore[no-any-return]


OpenConsole = Callable[..., Console]


@pytest.fixture
def open_console(browser: Browser, live: Live) -> Iterator[OpenConsole]:
    """Opens a browser context, signs in through the login form, and waits for the live stream."""
    contexts: list[BrowserContext] = []

    def open_(username: str, *, lang: str = "en", password: str = DEMO_PASSWORD, wait_live: bool = True,
              viewport: dict[str, int] | None = None) -> Console:
        context = browser.new_context(viewport=viewport or VIEWPORT, locale="en-GB")
        contexts.append(context)
        context.add_init_script(TRIPWIRE)
        context.add_init_script(
            f"if (!localStorage.getItem('hotline.lang')) localStorage.setItem('hotline.lang', '{lang}');")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live.url + "/")
        page.fill("#login-username", username)
        page.fill("#login-password", password)
        page.click("#login-submit")
        if wait_live:
            page.wait_for_selector("body[data-connection='live']", timeout=10_000)
        return Console(page, context, errors)

    yield open_
    for context in contexts:
        context.close()
