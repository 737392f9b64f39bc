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
server): on connect the agreed zones as CoT shapes; then the positions of other parties' tracks whose
channel includes the client's party, and findings raised in a channel of that party, as markers.
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
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import shapely

from hotline.domain import tracks as trk
from hotline.domain.errors import DomainError
from hotline.domain.timefmt import parse_iso
from hotline.ledger.envelope import Event
from hotline.service import tracks
from hotline.service.notice_index import model

from .certs import party_of
from .xml import MAX_EVENT_BYTES, CotError, marker_event, parse_event, shape_event, track_event

if TYPE_CHECKING:
    from hotline.service.hotline import Hotline

__all__ = ["Gateway", "Client", "finding_marker", "sighting_marker"]

log = logging.getLogger("hotline.cot")
_OUT_QUEUE = 5000
_FLUSH_S = 0.01


@dataclass(eq=False)
class Client:
    party: str
    peer: str
    writer: asyncio.StreamWriter
    rate: float
    burst: float
    out: asyncio.Queue[bytes] = field(default_factory=lambda: asyncio.Queue(_OUT_QUEUE))
    tokens: float = 0.0
    last: float = field(default_factory=time.monotonic)
    dropped_logged: float = 0.0

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

    def send(self, data: bytes) -> None:
        if self.out.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.out.get_nowait()
        self.out.put_nowait(data)


def finding_marker(ev: Event) -> bytes | None:
    """A ``finding.raised`` event as a CoT marker (stale when its acknowledgement falls due)."""
    f = ev.payload["finding"]
    where = f.get("where") or {}
    if "lat" not in where:
        return None
    track = f.get("track", {})
    name = f"FINDING {f['rule']} {f.get('zone') or ''}".strip()
    return marker_event(f"hotline-finding-{ev.payload['finding_id']}", "b-m-p-s-p-i", parse_iso(ev.ts),
                        timedelta(hours=1), where["lat"], where["lon"], name, f["explanation"],
                        {"finding": ev.payload["finding_id"], "rule": f["rule"], "zone": str(f.get("zone") or ""),
                         "track": str(track.get("uid", "")), "channel": ev.channel})


def sighting_marker(ev: Event) -> bytes:
    """A ``sighting.reported`` event as a CoT marker, stale an hour after it was seen."""
    p = ev.payload
    seen = parse_iso(p["seen_at"])
    heading = "" if p.get("heading") is None else f", heading {p['heading']:.0f}"
    remarks = f"{p['grading']}: {p['count']} x {p['what']}{heading} (seen {p['seen_at']})"
    return marker_event(f"hotline-sighting-{p['sighting_id']}", "b-m-p-s-p-i", seen,
                        timedelta(hours=1), p["where"]["lat"], p["where"]["lon"], f"SIGHTING {p['grading']}",
                        remarks, {"sighting": p["sighting_id"], "channel": ev.channel})


class Gateway:
    def __init__(self, hl: Hotline, *, rate: float = 200.0, burst: float = 400.0) -> None:
        self.hl = hl
        self.rate, self.burst = rate, burst
        self.clients: set[Client] = set()
        self.counters: Counter[str] = Counter()
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
        if party is None:
            party = party_of(writer.get_extra_info("peercert"))
            if party is None or party not in self.hl.world.parties:
                self.counters["refused_certificate"] += 1
                log.warning("cot %s: refused, the certificate names no party of this world (%r)", peer, party)
                writer.close()
                return
        client = Client(party, peer, writer, self.rate, self.burst, tokens=self.burst)
        self.clients.add(client)
        self.counters["connections"] += 1
        log.info("cot %s: connected", client.name)
        sender = asyncio.create_task(self._send_loop(client), name=f"cot-send-{client.name}")
        self._tasks.add(sender)
        try:
            await self._send_zones(client)
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
                data = await reader.readuntil(b"</event>")
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError:
                self._refuse(client, "too_large", f"an event exceeds {MAX_EVENT_BYTES} bytes; closing")
                return
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
                data = await client.out.get()
                client.writer.write(data)
                await client.writer.drain()
        except (ConnectionError, ssl.SSLError):
            return

    async def _send_zones(self, client: Client) -> None:
        m = await model(self.hl)
        now = self.hl.clock()
        for z in m.zones.values():
            if z.kind == "line" or z.geometry.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            poly = z.geometry if z.geometry.geom_type == "Polygon" else max(z.geometry.geoms, key=lambda g: g.area)
            ring = list(shapely.get_coordinates(poly.exterior))
            client.send(shape_event(f"hotline-zone-{z.id}", z.names.get("en", z.id), now, timedelta(days=1),
                                    [(float(x), float(y)) for x, y in ring]))

    def _to(self, channel: str, *, not_party: str | None = None) -> Iterable[Client]:
        members = self.hl.world.channels[channel].members if channel in self.hl.world.channels else ()
        return [c for c in self.clients if c.party in members and c.party != not_party]

    def _on_positions(self, positions: list[trk.Position]) -> None:
        for p in positions:
            clients = self._to(p.channel, not_party=p.party)
            if clients:
                data = track_event(p.to_dict())
                for c in clients:
                    c.send(data)

    def _on_events(self, events: list[Event]) -> None:
        for ev in events:
            if ev.type == "sighting.reported":
                data: bytes | None = sighting_marker(ev)
            elif ev.type == "finding.raised":
                data = finding_marker(ev)
            else:
                continue
            if data is None:
                continue
            for c in self._to(ev.channel):
                c.send(data)
