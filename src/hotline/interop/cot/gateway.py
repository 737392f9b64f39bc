"""The Cursor on Target gateway: TAK clients stream positions in and receive the shared picture.

Listeners:

- TLS (the deployment): client certificates issued by the deployment's CA (``certs``) are required;
  the party is the certificate's OU. No certificate, or one of another CA, fails the handshake.
- plain TCP (the demo): bound to loopback only, one port per party, because nothing on the wire says
  who is speaking.

In, per connection: CoT XML events split on ``</event>`` (at most ``MAX_EVENT_BYTES`` each), a token
bucket (``rate`` events/s, ``burst``) so one flooding client cannot starve the others, then
``parse_event`` (defusedxml) and the same validation as the API. Every refusal adds to a counter
by reason and logs a line naming the connection; the connection is closed only when the stream itself
is broken (an event larger than the limit). Valid positions of all connections are stored and checked
in batches by one flusher.

Out, per connection (a bounded queue; a client too slow to read loses the oldest picture, not the
server): on connect the TAK protocol offer (``protocol``) and the party's picture (``picture``: zones
and proposals as shapes, notices, findings and sightings as markers); then the positions of other
parties' tracks whose channel includes the client's party, every change to that picture, and the
hotline messages of the party's channels as GeoChat (``geochat``). A client that negotiated TAK
protocol v1 gets all of it as protobuf frames and may send them.

GeoChat in: a chat to a room naming one of the party's channels becomes a ROUTINE message there,
posted as the connection's user (the certificate's common name; ``cot:<party>`` on loopback TCP).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hotline.domain import tracks as trk
from hotline.domain.access import Principal
from hotline.domain.errors import DomainError
from hotline.domain.messages import PostMessage
from hotline.ledger.envelope import Event
from hotline.service import messages, tracks

from . import geochat, protocol
from .certs import party_of
from .picture import Picture
from .xml import MAX_EVENT_BYTES, CotError, CotEvent, parse_event, track_event

if TYPE_CHECKING:
    from hotline.service.hotline import Hotline

__all__ = ["Gateway", "Client"]

log = logging.getLogger("hotline.cot")
_OUT_QUEUE = 5000
_OUT_BYTES = 4 << 20  # what one client may have queued; an item may be a batch of many events
_FLUSH_S = 0.01
_CHAT_RATE, _CHAT_BURST = 1.0, 10.0  # chats/s per connection: each is a ledger write, unlike a position
# In a client's queue: what follows goes out as TAK protocol v1 (a list of its own, known by identity).
_SWITCH: list[bytes] = []


@dataclass(eq=False)
class Client:
    party: str
    peer: str
    writer: asyncio.StreamWriter
    rate: float
    burst: float
    user: str = ""
    proto_in: bool = False  # TAK protocol v1 negotiated: frames in, frames out
    proto_out: bool = False
    # Each item is the events of one batch (one queue slot and one write for a second of tracks), kept
    # apart so that a client on TAK protocol v1 gets each as its own frame.
    out: asyncio.Queue[list[bytes]] = field(default_factory=lambda: asyncio.Queue(_OUT_QUEUE))
    tokens: float = 0.0
    last: float = field(default_factory=time.monotonic)
    dropped_logged: float = 0.0
    chat_tokens: float = _CHAT_BURST
    chat_last: float = field(default_factory=time.monotonic)
    queued: int = 0  # bytes in ``out``

    @property
    def name(self) -> str:
        return f"{self.party}@{self.peer}"

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def allow_chat(self) -> bool:
        now = time.monotonic()
        self.chat_tokens = min(_CHAT_BURST, self.chat_tokens + (now - self.chat_last) * _CHAT_RATE)
        self.chat_last = now
        if self.chat_tokens >= 1.0:
            self.chat_tokens -= 1.0
            return True
        return False

    def send(self, data: bytes) -> None:
        self.send_batch([data])

    def send_batch(self, parts: list[bytes]) -> None:
        """Queue events to go out together; the oldest are dropped beyond the queue's items or bytes."""
        size = sum(map(len, parts))
        while self.out.full() or (self.queued + size > _OUT_BYTES and not self.out.empty()):
            dropped = self.out.get_nowait()
            if dropped is _SWITCH:
                self.proto_out = True  # what follows was queued for protobuf: the switch still holds
            self.queued -= sum(map(len, dropped))
        self.out.put_nowait(parts)
        self.queued += size

    def switch_to_protobuf(self) -> None:
        self.send_batch(_SWITCH)  # in line with what is queued, which was written for XML

    def take(self, item: list[bytes]) -> list[bytes]:
        self.queued -= sum(map(len, item))
        return item


def _common_name(peercert: dict[str, object] | None) -> str | None:
    for rdn in (peercert or {}).get("subject", ()):  # type: ignore[attr-defined]
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class Gateway:
    def __init__(self, hl: Hotline, *, rate: float = 200.0, burst: float = 400.0) -> None:
        self.hl = hl
        self.rate, self.burst = rate, burst
        self.clients: set[Client] = set()
        self.counters: Counter[str] = Counter()
        self.picture = Picture(hl)
        self._chat_origin: dict[str, Client] = {}  # message id -> the connection whose GeoChat posted it
        self.servers: list[asyncio.Server] = []
        self._pending: list[trk.Position] = []
        self._wake = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle -------------------------------------------------------------------------------
    async def start_tcp(self, host: str, port: int, party: str) -> int:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"plain TCP carries no identity; bind it to loopback, not {host}")
        self._party_known(party)
        server = await asyncio.start_server(lambda r, w: self._serve(r, w, party), host, port,
                                            limit=MAX_EVENT_BYTES)
        return self._started(server)

    async def start_tls(self, host: str, port: int, cert: str, key: str, ca: str) -> int:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        ctx.load_verify_locations(ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
        server = await asyncio.start_server(lambda r, w: self._serve(r, w, None), host, port, ssl=ctx,
                                            limit=MAX_EVENT_BYTES, ssl_handshake_timeout=10)
        return self._started(server)

    def _started(self, server: asyncio.Server) -> int:
        if not self.servers:
            tracks.live(self.hl).listeners.append(self._on_positions)
            self.hl.listeners.append(self._on_events)
            self._flusher = asyncio.create_task(self._flush_loop(), name="cot-flusher")
        self.servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for c in list(self.clients):
            c.writer.close()
        for t in list(self._tasks):
            t.cancel()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._flush()
        with contextlib.suppress(ValueError):
            tracks.live(self.hl).listeners.remove(self._on_positions)
        with contextlib.suppress(ValueError):
            self.hl.listeners.remove(self._on_events)
        self.servers.clear()

    def _party_known(self, party: str) -> None:
        if party not in self.hl.world.parties:
            raise ValueError(f"unknown party {party!r}")

    # -- one connection --------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, party: str | None) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        peer = f"{host}:{port}"
        user = f"cot:{party}"
        if party is None:
            cert = writer.get_extra_info("peercert")
            party = party_of(cert)
            user = f"cot:{_common_name(cert) or party}"
            if party is None or party not in self.hl.world.parties:
                self.counters["refused_certificate"] += 1
                log.warning("cot %s: refused, the certificate names no party of this world (%r)", peer, party)
                writer.close()
                return
        client = Client(party, peer, writer, self.rate, self.burst, user=user, tokens=self.burst)
        self.clients.add(client)
        self.counters["connections"] += 1
        log.info("cot %s: connected", client.name)
        sender = asyncio.create_task(self._send_loop(client), name=f"cot-send-{client.name}")
        self._tasks.add(sender)
        try:
            client.send(protocol.offer(self.hl.clock()))
            for data in await self.picture.snapshot(client.party):
                client.send(data)
            await self._read_loop(client, reader)
        finally:
            self.clients.discard(client)
            sender.cancel()
            self._tasks.discard(sender)
            writer.close()
            log.info("cot %s: disconnected", client.name)

    async def _read_loop(self, client: Client, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                if client.proto_in:
                    data = protocol.from_proto(await protocol.read_frame(reader))
                else:
                    data = await reader.readuntil(b"</event>")
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError:
                self._refuse(client, "too_large", f"an event exceeds {MAX_EVENT_BYTES} bytes; closing")
                return
            except CotError as e:
                if e.reason in ("bad_frame", "too_large"):  # the stream is out of step: nothing more to read
                    self._refuse(client, e.reason, f"{e.detail}; closing")
                    return
                self._refuse(client, e.reason, e.detail)
                continue
            except (ConnectionError, ssl.SSLError):
                return
            if not client.allow():
                self.counters["dropped_rate"] += 1
                now = time.monotonic()
                if now - client.dropped_logged > 1.0:
                    client.dropped_logged = now
                    log.warning("cot %s: over %g events/s; dropping (total dropped %d)", client.name, client.rate,
                                self.counters["dropped_rate"])
                continue
            self._accept(client, data.lstrip())

    def _refuse(self, client: Client, reason: str, detail: str) -> None:
        self.counters[f"refused_{reason}"] += 1
        log.warning("cot %s: refused (%s): %s", client.name, reason, detail)

    def _accept(self, client: Client, data: bytes) -> None:
        try:
            ev = parse_event(data)
        except CotError as e:
            self._refuse(client, e.reason, e.detail)
            return
        if ev.party is not None and ev.party != client.party:
            self._refuse(client, "foreign_party", f"event {ev.uid!r} claims party {ev.party!r}")
            return
        if ev.type == protocol.REQUEST:
            self._negotiate(client, data)
            return
        if ev.type == geochat.CHAT_TYPE and ev.chat:
            self._chat(client, ev)
            return
        if not ev.position:
            self.counters["ignored_non_position"] += 1
            return
        try:
            [p] = tracks.parse_positions(self.hl, client.party, [ev.as_position()], self.hl.clock())
        except DomainError as e:
            self._refuse(client, "invalid", f"{e.field}: {e.detail}")
            return
        self.counters["accepted"] += 1
        self._pending.append(p)
        self._wake.set()

    def _negotiate(self, client: Client, data: bytes) -> None:
        version = protocol.requested_version(data)
        ok = version == protocol.VERSION and not client.proto_in
        client.send(protocol.response(self.hl.clock(), ok))
        if ok:
            client.switch_to_protobuf()
            client.proto_in = True
            self.counters["takproto_v1"] += 1
            log.info("cot %s: speaks TAK protocol v1 from now on", client.name)
        else:
            self._refuse(client, "takproto_version", f"asked for TAK protocol version {version!r}; staying on XML")

    def _chat(self, client: Client, ev: CotEvent) -> None:
        channel = geochat.room_channel(self.hl.world, client.party, ev.chatroom)
        if channel is None:
            self._refuse(client, "chat_channel",
                         f"chat room {ev.chatroom!r} names no channel of {client.party!r}; not posted")
            return
        if not ev.remarks.strip():
            self._refuse(client, "chat_empty", "a chat without text; not posted")
            return
        if not client.allow_chat():
            self._refuse(client, "chat_rate", f"over {_CHAT_RATE:g} chats/s (burst {_CHAT_BURST:g}); not posted")
            return
        cmd = geochat.post_command(self.hl.world, client.party, channel, ev)
        self._chat_origin[cmd.message_id] = client
        task = asyncio.create_task(self._post(client, cmd), name=f"cot-chat-{client.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, client: Client, cmd: PostMessage) -> None:
        who = Principal(client.user, client.party, "operator")
        try:
            _, created = await messages.post_message(self.hl, who, cmd)
        except DomainError as e:
            self._chat_origin.pop(cmd.message_id, None)
            self._refuse(client, "chat_invalid", f"{e.field}: {e.detail}")
            return
        except Exception:
            self._chat_origin.pop(cmd.message_id, None)
            self.counters["chat_failed"] += 1
            log.exception("cot %s: posting a chat as message %s failed", client.name, cmd.message_id)
            return
        if not created:
            self._chat_origin.pop(cmd.message_id, None)
        self.counters["chat_posted" if created else "chat_repeated"] += 1

    # -- in: store and check in batches ----------------------------------------------------------
    async def _flush_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(_FLUSH_S)  # let a burst gather into one batch
            await self._flush()

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:tracks.MAX_BATCH], self._pending[tracks.MAX_BATCH:]
            try:
                await tracks.ingest_valid(self.hl, batch)
            except Exception:
                self.counters["store_failed"] += len(batch)
                log.exception("cot: storing %d positions failed", len(batch))

    # -- out -------------------------------------------------------------------------------------
    async def _send_loop(self, client: Client) -> None:
        try:
            while True:
                items = [await client.out.get()]
                # Everything queued meanwhile goes out in one write: a client receiving 1,000 tracks a
                # second costs one send per wake-up, not one per event, and a finding queued behind
                # them waits less.
                while not client.out.empty():
                    items.append(client.out.get_nowait())
                chunks: list[bytes] = []
                for item in items:
                    if item is _SWITCH:
                        client.proto_out = True
                        continue
                    parts = client.take(item)
                    chunks.extend(map(protocol.to_proto, parts) if client.proto_out else parts)
                if not chunks:
                    continue
                client.writer.write(b"".join(chunks))
                await client.writer.drain()
        except (ConnectionError, ssl.SSLError):
            return

    def _to(self, channel: str, *, not_party: str | None = None) -> Iterable[Client]:
        members = self.hl.world.channels[channel].members if channel in self.hl.world.channels else ()
        return [c for c in self.clients if c.party in members and c.party != not_party]

    def _on_positions(self, positions: list[trk.Position]) -> None:
        # One queued item per client per batch (its events joined), not one per event: at 1,000 tracks
        # a second to 30 clients, queueing each event was most of the gateway's work.
        out: dict[Client, list[bytes]] = {}
        audience: dict[tuple[str, str], Iterable[Client]] = {}
        for p in positions:
            key = (p.channel, p.party)
            clients = audience.get(key)
            if clients is None:
                clients = audience[key] = self._to(p.channel, not_party=p.party)
            if clients:
                data = track_event(p.to_dict())
                for c in clients:
                    out.setdefault(c, []).append(data)
        for c, parts in out.items():
            c.send_batch(parts)

    def _on_events(self, events: list[Event]) -> None:
        for ev in events:
            clients = self._to(ev.channel)
            if ev.type == "message.posted":
                self._chat_out(ev, clients)
                continue
            if not clients:
                continue
            per_party = self.picture.for_event(ev, sorted({c.party for c in clients}))
            for c in clients:
                for data in per_party.get(c.party, ()):
                    c.send(data)

    def _chat_out(self, ev: Event, clients: Iterable[Client]) -> None:
        origin = self._chat_origin.pop(ev.payload["message_id"], None)
        if ev.party is None:
            return
        data = geochat.chat_event(ev.payload, ev.party, ev.actor or "", ev.channel, self.hl.clock())
        for c in clients:
            if c is not origin:  # the handset that wrote it shows it already
                c.send(data)
