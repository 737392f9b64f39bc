"""WebSocket ``/api/v1/stream?after=SEQ``: the caller's events after SEQ, then live ones.

Every ``seq`` here is the caller's party's own cursor (``hotline.service.cursors``): its events are
numbered 1, 2, 3, ... with no gap for events of channels it may not read, and the ledger's global
order never leaves the server. An event carries its cursor as ``seq``; version 2 events carry nothing
else of the global order (``hotline.ledger.envelope.reader_form``).

No gap, no duplicate: the subscription is opened *before* the backlog is read from the ledger, so an
event committed meanwhile is either in the backlog or in the queue, and anything at or below the
last seq sent is skipped. Frames:

- ``{"type": "event", "event": {...}}``: one ledger event, in seq order;
- ``{"type": "events", "events": [{...}, ...]}``: several, in seq order (the backlog, or what queued up
  while the client was reading);
- ``{"type": "ready", "seq": N}``: the backlog is sent; what follows is live;
- ``{"type": "heartbeat", "seq": N, "ts": ...}``: nothing new; N is the last seq sent.

Close codes: 4001 not logged in; 4003 cross-site; 4008 the client fell behind (its buffer
overflowed): reconnect with ``after`` = the last seq it holds; 4029 too many streams for this user:
back off (with jitter) before reconnecting; 4022 an invalid query (``after`` not an integer from 0 to
2**63-1): the reason names the field; do not retry with the same value.
"""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from hotline.domain.errors import DomainError
from hotline.domain.timefmt import iso
from hotline.realtime.hub import CLOSE_RESUME, CLOSE_UNAUTHORIZED, encode_event, event_frame, events_frame
from hotline.service.auth import token_hash
from hotline.service.events import events_of_party

from . import params
from .deps import credential, hotline
from .request_log import bind_caller
from .security import same_origin_ws

router = APIRouter()

CLOSE_CROSS_SITE = 4003
CLOSE_TOO_MANY = 4029
__all__ = ["router", "CLOSE_UNAUTHORIZED", "CLOSE_CROSS_SITE", "CLOSE_RESUME", "CLOSE_TOO_MANY"]
BACKLOG_PAGE = 500
FRAME_EVENTS = 100  # at most this many events in one frame
HEARTBEAT = (-1, "")  # queued by the heartbeat timer; no event has a negative cursor


@router.websocket("/api/v1/stream")
async def stream(ws: WebSocket, after: params.After = 0) -> None:
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
        bind_caller(who, "stream")
    except DomainError:
        await ws.accept()
        await ws.close(CLOSE_UNAUTHORIZED, "log in again")
        return
    await ws.accept()
    channels = hl.world.channels_of(who.party)
    sub = hl.hub.subscribe(who.username, channels, session=token_hash(token), party=who.party or "")
    if sub is None:
        await ws.close(CLOSE_TOO_MANY, "too many streams for this user; back off and retry")
        return
    hl.presence.connected(who.username)  # desks: the officer's console is here
    sender = asyncio.current_task()
    assert sender is not None
    # The server ends the stream by cancelling the sender: when the client falls behind (4008), when
    # the session is revoked (4001), or when the client has gone (the reader below sees it at once,
    # so the subscription does not linger until the next heartbeat).
    sub.on_kick = lambda: None if sender.cancel() else None
    reader = asyncio.create_task(_drain_client(ws))
    reader.add_done_callback(lambda _t: sub.kick(1000, "client left"))
    last = max(0, after)
    timer: asyncio.TimerHandle | None = None
    try:
        while True:  # the backlog, page by page
            page = await events_of_party(hl, who.party, after=last, limit=BACKLOG_PAGE)
            for start in range(0, len(page), FRAME_EVENTS):
                chunk = page[start:start + FRAME_EVENTS]
                await ws.send_text(events_frame([encode_event(ev, cursor) for cursor, ev in chunk]))
                last = chunk[-1][0]
            if len(page) < BACKLOG_PAGE:
                break
        await ws.send_text(orjson.dumps({"type": "ready", "seq": last}).decode())
        # The heartbeat is one timer per stream, re-armed only when it fires, that queues a HEARTBEAT
        # marker once nothing was sent for ``heartbeat_s``; a timeout around every wait for the next
        # frame cost a timer scheduled and cancelled per frame per listener.
        loop = asyncio.get_running_loop()
        beat = hl.settings.heartbeat_s
        sent_at = loop.time()

        def heartbeat_due() -> None:
            nonlocal timer
            wait = sent_at + beat - loop.time()
            if wait <= 0:
                wait = beat
                with contextlib.suppress(asyncio.QueueFull):  # a full queue: frames are waiting anyway
                    sub.queue.put_nowait(HEARTBEAT)
            timer = loop.call_later(wait, heartbeat_due)

        timer = loop.call_later(beat, heartbeat_due)
        while True:
            seq, frame = await sub.queue.get()
            if seq == HEARTBEAT[0]:
                if sent_at + beat - loop.time() > 0:  # (the timer's own test)
                    continue  # markers queued while a send waited for a slow client: one heartbeat is enough
                # A session revoked elsewhere (another server process, or `hotline user disable` run
                # beside this one) is not announced to this process: each heartbeat asks again.
                try:
                    await hl.auth.authenticate(token)
                except DomainError:
                    sub.kick(CLOSE_UNAUTHORIZED, "log in again")  # cancels this task: closed below
                    await asyncio.sleep(0)
                await ws.send_text(orjson.dumps({"type": "heartbeat", "seq": last,
                                                 "ts": iso(hl.clock())}).decode())
                sent_at = loop.time()
                continue
            pending = [(seq, frame)] if seq > last else []
            while len(pending) < FRAME_EVENTS and not sub.queue.empty():
                item = sub.queue.get_nowait()
                if item[0] > last and (not pending or item[0] > pending[-1][0]):
                    pending.append(item)  # (a HEARTBEAT marker among frames is dropped: frames go out)
            if not pending:
                continue
            if len(pending) == 1:
                await ws.send_text(event_frame(pending[0][1]))
            else:
                await ws.send_text(events_frame([item[1] for item in pending]))
            sent_at = loop.time()
            last = pending[-1][0]
    except asyncio.CancelledError:
        if sub.kicked is None:
            raise  # the server is shutting down
        code, reason = sub.kicked
        if code == CLOSE_RESUME:
            reason = f"too slow; resume after {last}"
        if code != 1000:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code, reason), 2)
    except (WebSocketDisconnect, RuntimeError, ConnectionError):
        pass
    finally:
        if timer is not None:
            timer.cancel()
        hl.presence.disconnected(who.username)
        sub.close()
        reader.cancel()
        if ws.application_state == WebSocketState.CONNECTED and sub.kicked is None:
            with contextlib.suppress(Exception):
                await ws.close()


async def _drain_client(ws: WebSocket) -> None:
    """The stream is one-way; read (and drop) what the client sends so pings and closes are seen."""
    with contextlib.suppress(Exception):
        while True:
            await ws.receive_text()
