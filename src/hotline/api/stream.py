"""WebSocket ``/api/v1/stream?after=SEQ``: the caller's events after SEQ, then live ones.

No gap, no duplicate: the subscription is opened *before* the backlog is read from the ledger, so an
event committed meanwhile is either in the backlog or in the queue, and anything at or below the
last seq sent is skipped. Frames:

- ``{"type": "event", "event": {...}}``: one ledger event, in seq order;
- ``{"type": "ready", "seq": N}``: the backlog is sent; what follows is live;
- ``{"type": "heartbeat", "seq": N, "ts": ...}``: nothing new; N is the last seq sent.

Close codes: 4001 not logged in; 4003 cross-site; 4008 the client fell behind (its buffer
overflowed): reconnect with ``after`` = the last seq it holds; 4029 too many streams for this user:
back off (with jitter) before reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hotline.domain.errors import DomainError
from hotline.domain.timefmt import iso
from hotline.realtime.hub import encode_event
from hotline.store.ledger import read_events

from .deps import credential, hotline
from .security import same_origin_ws

router = APIRouter()

CLOSE_UNAUTHORIZED = 4001
CLOSE_CROSS_SITE = 4003
CLOSE_RESUME = 4008
CLOSE_TOO_MANY = 4029
BACKLOG_PAGE = 500


@router.websocket("/api/v1/stream")
async def stream(ws: WebSocket, after: int = 0) -> None:
    hl = hotline(ws)
    try:
        token = credential(ws)
        if token is None:
            raise DomainError("not logged in")
        if ws.headers.get("authorization") is None and not same_origin_ws(ws.scope):
            await ws.accept()
            await ws.close(CLOSE_CROSS_SITE, "cross-site stream refused")
            return
        who = await hl.auth.authenticate(token)
    except DomainError:
        await ws.accept()
        await ws.close(CLOSE_UNAUTHORIZED, "log in again")
        return
    await ws.accept()
    channels = hl.world.channels_of(who.party)
    sub = hl.hub.subscribe(who.username, channels)
    if sub is None:
        await ws.close(CLOSE_TOO_MANY, "too many streams for this user; back off and retry")
        return
    sender = asyncio.current_task()
    overflowed = False

    def on_overflow() -> None:
        nonlocal overflowed
        overflowed = True
        if sender is not None:
            sender.cancel()

    sub.on_overflow = on_overflow
    reader = asyncio.create_task(_drain_client(ws))
    last = max(0, after)
    try:
        while True:  # the backlog, page by page
            async with hl.db.read() as conn:
                page = await read_events(conn, after=last, channels=channels, limit=BACKLOG_PAGE)
            for ev in page:
                await ws.send_text(encode_event(ev))
                last = ev.seq
            if len(page) < BACKLOG_PAGE:
                break
        await ws.send_text(orjson.dumps({"type": "ready", "seq": last}).decode())
        beat = hl.settings.heartbeat_s
        while True:
            try:
                seq, frame = await asyncio.wait_for(sub.queue.get(), timeout=beat)
            except TimeoutError:
                await ws.send_text(orjson.dumps({"type": "heartbeat", "seq": last,
                                                 "ts": iso(hl.clock())}).decode())
                continue
            if seq <= last:
                continue
            await ws.send_text(frame)
            last = seq
    except asyncio.CancelledError:
        if not overflowed:
            raise
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(CLOSE_RESUME, f"too slow; resume after {last}"), 2)
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        sub.close()
        reader.cancel()
        if ws.application_state == WebSocketState.CONNECTED and not overflowed:
            with contextlib.suppress(Exception):
                await ws.close()


async def _drain_client(ws: WebSocket) -> None:
    """The stream is one-way; read (and drop) what the client sends so pings and closes are seen."""
    with contextlib.suppress(Exception):
        while True:
            await ws.receive_text()
