"""Real receivers for the notification tests: an SMTP server (aiosmtpd) and a webhook endpoint
(http.server in a thread) that checks every signature and answers 500 to the first attempts."""

from __future__ import annotations

import email
import email.policy
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import orjson
from aiosmtpd.controller import Controller

from hotline.service.notify.webhooks import HEADER_EVENT, HEADER_SIGNATURE, HEADER_TIMESTAMP, verify
from hotline.testing import free_port

__all__ = ["Mailbox", "smtp_server", "WebhookReceiver", "webhook_receiver", "silent_server", "SECRET"]

SECRET = "receiver-shared-secret-for-tests"


class Mailbox:
    def __init__(self, answer: str = "250 OK") -> None:
        self.answer = answer
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook)
        if self.answer.startswith("250"):
            msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            self.messages.append(msg)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
        return self.answer

    def wait(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@contextmanager
def smtp_server(answer: str = "250 OK") -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox(answer)
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server that accepts and never says a word: an SMTP server that times out."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class WebhookReceiver:
    """Verifies each request's signature; answers 500 to the first ``fail_first`` attempts of each event
    id, then 200; an event id already accepted is answered 200 and not counted again."""

    def __init__(self, fail_first: int = 2, always_fail: bool = False) -> None:
        self.fail_first = fail_first
        self.always_fail = always_fail
        self.attempts: dict[str, list[float]] = {}
        self.accepted: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def handle(self, headers: Any, body: bytes) -> int:
        ok = verify(SECRET, headers.get(HEADER_TIMESTAMP, ""), body, headers.get(HEADER_SIGNATURE, ""),
                    now=int(time.time()))
        with self.lock:
            if not ok:
                self.bad_signatures += 1
                return 401
            event_id = headers.get(HEADER_EVENT, "")
            self.attempts.setdefault(event_id, []).append(time.monotonic())
            if any(a["id"] == event_id for a in self.accepted):
                return 200  # a repeat of an event already taken: idempotent
            if self.always_fail or len(self.attempts[event_id]) <= self.fail_first:
                return 500
            self.accepted.append(orjson.loads(body))
            return 200

    def wait(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.accepted


@contextmanager
def webhook_receiver(**kw: Any) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(**kw)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = receiver.handle(self.headers, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
