"""``GET /metrics`` in the Prometheus text format, for the host's operators only.

What it shows (each name prefixed ``hotline_``):

- ``http_request_duration_seconds`` (histogram; method, route template, status): request latency;
- ``commits_total``, ``committed_events_total``: write transactions and the events they committed;
- ``commit_batch_events`` (histogram): events per committed batch (group commit at work);
- ``stream_subscribers``, ``stream_queue_depth_max``, ``stream_queue_depth_sum``: open streams and
  the frames waiting in their bounded queues;
- ``timers_due``: deadlines that are due now and not yet ticked (should stay near 0);
- ``witness_cosign_lag_events`` (channel, party): events of a channel beyond the largest checkpoint
  that party's witness has cosigned;
- ``ledger_events``: the last seq.

Who may read it: a metrics page shows the tempo of the traffic between the parties, which is itself
intelligence between adversaries, so nobody may by default. ``HOTLINE_METRICS_TOKEN`` lets a scraper
that sends ``Authorization: Bearer <token>`` in; ``HOTLINE_METRICS_ALLOW`` (comma-separated addresses
or networks, e.g. ``10.0.5.7,10.0.6.0/24``) lets those client addresses in. Anyone else gets the same
404 as an address that does not exist. Behind a reverse proxy on the same host every client seems to
come from the proxy: use the token there, not ``127.0.0.1``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from hotline.domain.errors import NotFound
from hotline.domain.timefmt import iso
from hotline.service.hotline import Hotline
from hotline.store.checkpoints import cosigned_sizes
from hotline.store.ledger import chain_heads, due_aggregates, last_seq

__all__ = ["install", "metrics_access"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def metrics_access() -> tuple[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    """HOTLINE_METRICS_TOKEN and HOTLINE_METRICS_ALLOW, read once when the app is made."""
    token = os.environ.get("HOTLINE_METRICS_TOKEN", "").strip()
    allow = [ipaddress.ip_network(part.strip(), strict=False)
             for part in os.environ.get("HOTLINE_METRICS_ALLOW", "").split(",") if part.strip()]
    return token, allow


class _Counters(Collector):
    """The writer's own counters, read at scrape time (the writer keeps them; nothing is copied)."""

    def __init__(self, hl: Hotline) -> None:
        self.hl = hl

    def collect(self) -> Iterator[Metric]:
        commits = CounterMetricFamily("hotline_commits", "Write transactions committed.")
        commits.add_metric([], self.hl.writer.batches)
        yield commits
        events = CounterMetricFamily("hotline_committed_events", "Events committed.")
        events.add_metric([], self.hl.writer.committed)
        yield events


def install(app: FastAPI, hl: Hotline) -> Histogram:
    """Add the commit observer and ``GET /metrics`` to ``app``; returns the request timer, which the edge
    layer (``edge.EdgeMiddleware``) observes by route template (never the raw path: ids would explode
    the labels)."""
    registry = CollectorRegistry(auto_describe=True)
    latency = Histogram("hotline_http_request_duration_seconds", "HTTP request latency by route.",
                        ["method", "route", "status"], buckets=_LATENCY_BUCKETS, registry=registry)
    batch = Histogram("hotline_commit_batch_events", "Events per committed batch.", buckets=_BATCH_BUCKETS,
                      registry=registry)
    subscribers = Gauge("hotline_stream_subscribers", "Open streams.", registry=registry)
    depth_max = Gauge("hotline_stream_queue_depth_max", "Frames waiting in the fullest stream queue.",
                      registry=registry)
    depth_sum = Gauge("hotline_stream_queue_depth_sum", "Frames waiting in all stream queues.", registry=registry)
    timers_due = Gauge("hotline_timers_due", "Deadlines due now and not yet ticked.", registry=registry)
    ledger = Gauge("hotline_ledger_events", "The last seq of the ledger.", registry=registry)
    lag = Gauge("hotline_witness_cosign_lag_events",
                "Events of a channel beyond the largest checkpoint the party's witness cosigned.",
                ["channel", "party"], registry=registry)
    registry.register(_Counters(hl))

    # Observe each committed batch on its way to the hub (the writer's documented commit callback).
    deliver = hl.writer.on_commit

    def observed(events: list[Any], due: str | None, cursors: dict[int, dict[str, int]]) -> None:
        batch.observe(len(events))
        deliver(events, due, cursors)

    hl.writer.on_commit = observed
    token, allow = metrics_access()

    def allowed(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
            return True
        if allow and request.client is not None:
            try:
                address = ipaddress.ip_address(request.client.host)
            except ValueError:
                return False
            return any(address in net for net in allow)
        return False

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not allowed(request):
            raise NotFound("There is nothing at this address.")
        depths = hl.hub.queue_depths()
        subscribers.set(len(depths))
        depth_max.set(max(depths, default=0))
        depth_sum.set(sum(depths))
        async with hl.db.read() as conn:
            timers_due.set(len(await due_aggregates(conn, iso(hl.clock()), limit=100_000)))
            ledger.set(await last_seq(conn))
            heads = await chain_heads(conn)
            for channel, spec in hl.world.channels.items():
                length = heads.get(channel, (0, ""))[0]
                sizes = await cosigned_sizes(conn, channel)
                for party in spec.members:
                    lag.labels(channel, party).set(length - sizes.get(party, 0))
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return latency
