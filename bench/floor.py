"""The floor: the thinnest in-memory server that meets the hotline's contract on its hot path.

    python bench/floor.py --port 8900

Login, post, acknowledge, the events page and the WebSocket stream, on the same paths and with the
same JSON shapes and stream frames as the hotline (as far as ``bench/delivery.py`` and
``hotline.testing.StreamReader`` read them), on Starlette under uvicorn. What it leaves out is what
the hotline is for: no durability (a list in memory), no hash chain (``hash`` is a counter), no
password hashing (the demo password is compared as it is), no session store, no security headers, no
metrics. Every figure in ``bench/delivery.py`` is printed as a ratio to this server, measured in the
same run under the same load generator, so the ratio says what the hotline's guarantees cost.

Each event is encoded once, and that one frame is queued to every subscriber, as the hotline's hub does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import secrets
import uuid
import warnings
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

__all__ = ["create_app", "main"]

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (the demo accounts' password, as in hotline.testing)
CHANNELS = {"joint": ("isr", "syr", "usa"), "isr-usa": ("isr", "usa"), "syr-usa": ("syr", "usa")}
PRECEDENCES = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")
ACK_WINDOW_S = 14400
QUEUE_MAX = 100_000
HEARTBEAT_S = 15.0
ZERO_HASH = "0" * 64


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _problem(status: int, title: str, detail: str) -> Response:
    return Response(orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}),
                    status, media_type="application/problem+json")


class Floor:
    """The whole state: sessions, the event log, the messages and the subscribers' queues."""

    def __init__(self) -> None:
        self.sessions: dict[str, tuple[str, str]] = {}  # token -> (username, party)
        self.events: list[dict[str, Any]] = []
        self.frames: list[str] = []  # each event's stream encoding, made once
        self.messages: dict[str, dict[str, Any]] = {}
        self.subscribers: set[tuple[str, asyncio.Queue[tuple[int, str]]]] = set()
        self.chain: dict[str, int] = {}

    def who(self, headers: Any) -> tuple[str, str] | None:
        auth = headers.get("authorization", "")
        return self.sessions.get(auth[7:]) if auth[:7].lower() == "bearer " else None

    def append(self, channel: str, kind: str, username: str, party: str, payload: dict[str, Any],
               now: dt.datetime) -> dict[str, Any]:
        seq = len(self.events) + 1
        index = self.chain.get(channel, 0)
        self.chain[channel] = index + 1
        event = {"seq": seq, "channel": channel, "chain_index": index, "ts": _iso(now), "type": kind,
                 "party": party, "actor": username, "payload": payload, "prev_hash": ZERO_HASH,
                 "hash": f"{seq:064x}"}
        encoded = orjson.dumps(event).decode()
        self.events.append(event)
        self.frames.append(encoded)
        members = CHANNELS[channel]
        for sub_party, queue in self.subscribers:
            if sub_party in members:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait((seq, encoded))
        return event


def create_app() -> Starlette:
    floor = Floor()

    async def login(request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
            username, password = body["username"], body["password"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _problem(422, "Unprocessable Content", "username and password are required")
        party = username.split("-", 1)[0]
        if password != PASSWORD or party not in ("isr", "syr", "usa"):
            return _problem(401, "Unauthorized", "Wrong username or password.")
        token = secrets.token_urlsafe(32)
        floor.sessions[token] = (username, party)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
        return _json({"token": token, "token_type": "bearer", "expires_at": _iso(expires), "username": username,
                      "party": party, "role": "operator"})

    async def post(request: Request) -> Response:
        who = floor.who(request.headers)
        if who is None:
            return _problem(401, "Unauthorized", "log in")
        channel = request.path_params["channel"]
        if who[1] not in CHANNELS.get(channel, ()):
            return _problem(404, "Not Found", "no such channel")
        try:
            body = orjson.loads(await request.body())
            precedence, subject = body["precedence"], body["subject"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _problem(422, "Unprocessable Content", "precedence and subject are required")
        if precedence not in PRECEDENCES or not isinstance(subject, str) or len(subject) > 200:
            return _problem(422, "Unprocessable Content", "precedence or subject is invalid")
        now = dt.datetime.now(dt.UTC)
        deadline = _iso(now + dt.timedelta(seconds=ACK_WINDOW_S))
        message_id = body.get("id") or "msg-" + uuid.uuid4().hex[:20]
        addressees = [p for p in CHANNELS[channel] if p != who[1]]
        payload = {"ack_deadline": deadline, "ack_window_s": ACK_WINDOW_S, "addressees": addressees,
                   "body": body.get("body", ""), "language": body.get("language", "en"), "message_id": message_id,
                   "precedence": precedence, "reply_to": body.get("reply_to"), "subject": subject}
        event = floor.append(channel, "message.posted", who[0], who[1], payload, now)
        state = {"id": message_id, "channel": channel, "seq": event["seq"], "party": who[1], "actor": who[0],
                 "posted_at": event["ts"], "precedence": precedence, "subject": subject,
                 "body": payload["body"], "language": payload["language"], "reply_to": payload["reply_to"],
                 "template": None, "ack_window_s": ACK_WINDOW_S,
                 "addressees": {p: {"deadline": deadline, "ack": None, "overdue": 0} for p in addressees},
                 "posted_dtg": now.strftime("%d%H%MZ %b %y").upper()}
        floor.messages[message_id] = state
        return _json(state, 201)

    async def ack(request: Request) -> Response:
        who = floor.who(request.headers)
        if who is None:
            return _problem(401, "Unauthorized", "log in")
        state = floor.messages.get(request.path_params["message_id"])
        if state is None or who[1] not in CHANNELS[state["channel"]]:
            return _problem(404, "Not Found", "no such message")
        slot = state["addressees"].get(who[1])
        if slot is None:
            return _problem(409, "Conflict", "not addressed to your party")
        if slot["ack"] is not None:
            return _json(state, 200)
        raw = await request.body()
        note = orjson.loads(raw).get("note", "") if raw else ""
        now = dt.datetime.now(dt.UTC)
        event = floor.append(state["channel"], "message.acknowledged", who[0], who[1],
                             {"late": False, "message_id": state["id"], "note": note}, now)
        slot["ack"] = {"by": who[0], "at": event["ts"], "seq": event["seq"], "late": False, "note": note,
                       "translation_pending": False}
        return _json(state, 201)

    def visible(party: str, after: int, limit: int) -> list[dict[str, Any]]:
        return [e for e in floor.events[after:] if party in CHANNELS[e["channel"]]][:limit]

    async def events(request: Request) -> Response:
        who = floor.who(request.headers)
        if who is None:
            return _problem(401, "Unauthorized", "log in")
        try:
            after = int(request.query_params.get("after", 0))
            limit = int(request.query_params.get("limit", 100))
        except ValueError:
            return _problem(422, "Unprocessable Content", "after and limit are integers")
        page = visible(who[1], max(0, after), max(1, min(limit, 1000)))
        return _json({"events": page, "last_seq": page[-1]["seq"] if page else after})

    async def healthz(_request: Request) -> Response:
        return _json({"status": "ok", "committed_events": len(floor.events), "streams": len(floor.subscribers)})

    async def stream(ws: WebSocket) -> None:
        who = floor.who(ws.headers)
        await ws.accept()
        if who is None:
            await ws.close(4001, "log in again")
            return
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(QUEUE_MAX)
        entry = (who[1], queue)
        floor.subscribers.add(entry)  # before the backlog is read: nothing falls between the two
        reader = asyncio.create_task(_drain(ws))
        sender = asyncio.current_task()
        assert sender is not None
        reader.add_done_callback(lambda _t: sender.cancel())  # the client left: stop at once, as the hotline does
        last = max(0, int(ws.query_params.get("after", 0)))
        try:
            backlog = [(e["seq"], floor.frames[e["seq"] - 1]) for e in visible(who[1], last, len(floor.events))]
            for start in range(0, len(backlog), 100):
                chunk = backlog[start:start + 100]
                await ws.send_text('{"type":"events","events":[' + ",".join(f for _s, f in chunk) + "]}")
                last = chunk[-1][0]
            await ws.send_text(orjson.dumps({"type": "ready", "seq": last}).decode())
            while True:
                try:
                    seq, frame = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    await ws.send_text(orjson.dumps({"type": "heartbeat", "seq": last,
                                                     "ts": _iso(dt.datetime.now(dt.UTC))}).decode())
                    continue
                pending = [frame] if seq > last else []
                last = max(last, seq)
                while len(pending) < 100 and not queue.empty():
                    seq, frame = queue.get_nowait()
                    if seq > last:
                        pending.append(frame)
                        last = seq
                if len(pending) == 1:
                    await ws.send_text('{"type":"event","event":' + pending[0] + "}")
                elif pending:
                    await ws.send_text('{"type":"events","events":[' + ",".join(pending) + "]}")
        except (WebSocketDisconnect, RuntimeError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            floor.subscribers.discard(entry)
            reader.cancel()

    return Starlette(routes=[
        Route("/api/v1/auth/login", login, methods=["POST"]),
        Route("/api/v1/channels/{channel}/messages", post, methods=["POST"]),
        Route("/api/v1/messages/{message_id}/ack", ack, methods=["POST"]),
        Route("/api/v1/events", events, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        WebSocketRoute("/api/v1/stream", stream),
    ])


async def _drain(ws: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while True:
            await ws.receive_text()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8900)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")
    # The hotline's own uvicorn settings (hotline.cli._serve), so the server is not what differs.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", ws="websockets",
                ws_per_message_deflate=False, ws_ping_interval=20, ws_ping_timeout=20, server_header=False)


if __name__ == "__main__":
    main()
