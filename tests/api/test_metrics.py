"""/metrics in the Prometheus format, readable only by a configured scraper; HSTS when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from hotline.api.app import create_app
from hotline.service.hotline import Hotline
from hotline.testing import Api

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def client_of(service: Hotline) -> AsyncIterator[Api]:
    """An app made now, so it reads the environment the test has just set."""
    transport = httpx.ASGITransport(app=create_app(service, start=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as client:
        yield Api(client)


async def test_metrics_are_not_public_by_default(service: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_METRICS_TOKEN", raising=False)
    monkeypatch.delenv("HOTLINE_METRICS_ALLOW", raising=False)
    async with client_of(service) as api:
        r = await api.client.get("/metrics")
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
        # Not even an administrator's session opens it: it is for the host's scraper.
        r = await api.as_("admin", "GET", "/metrics")
        assert r.status_code == 404


async def test_metrics_with_the_token_show_latency_commits_batches_streams_timers_and_witness_lag(
        service: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_METRICS_TOKEN", "scrape-secret-0123456789")
    monkeypatch.delenv("HOTLINE_METRICS_ALLOW", raising=False)
    async with client_of(service) as api:
        assert (await api.post_message("isr-duty")).status_code == 201
        wrong = await api.client.get("/metrics", headers={"authorization": "Bearer scrape-secret-012345678"})
        assert wrong.status_code == 404
        r = await api.client.get("/metrics", headers={"authorization": "Bearer scrape-secret-0123456789"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert 'hotline_http_request_duration_seconds_count{method="POST",route="/api/v1/channels/{channel_id}' \
               '/messages",status="201"} 1.0' in text
        commits = next(line for line in text.splitlines() if line.startswith("hotline_commits_total "))
        assert float(commits.split()[1]) >= 1
        assert "hotline_commit_batch_events_count" in text
        assert "hotline_stream_subscribers 0.0" in text
        assert "hotline_stream_queue_depth_max 0.0" in text
        assert "hotline_timers_due" in text
        # No witness has cosigned anything: every member party lags by the whole joint chain.
        lag = [line for line in text.splitlines()
               if line.startswith('hotline_witness_cosign_lag_events{channel="joint"')]
        assert len(lag) == 3 and all(float(line.split()[-1]) >= 1 for line in lag)


async def test_metrics_from_an_allowed_address_only(service: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_METRICS_TOKEN", raising=False)
    monkeypatch.setenv("HOTLINE_METRICS_ALLOW", "10.0.0.0/8")
    async with client_of(service) as api:  # ASGITransport's client is 127.0.0.1
        assert (await api.client.get("/metrics")).status_code == 404
    monkeypatch.setenv("HOTLINE_METRICS_ALLOW", "10.0.0.0/8, 127.0.0.1")
    async with client_of(service) as api:
        assert (await api.client.get("/metrics")).status_code == 200


async def test_hsts_only_when_configured(service: Hotline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_HSTS", raising=False)
    async with client_of(service) as api:
        assert "strict-transport-security" not in (await api.client.get("/healthz")).headers
    monkeypatch.setenv("HOTLINE_HSTS", "63072000")
    async with client_of(service) as api:
        r = await api.client.get("/healthz")
        assert r.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        big = await api.client.post("/api/v1/auth/login", content=b"x" * (600 * 1024),
                                    headers={"content-type": "application/json"})
        assert big.status_code == 413 and "strict-transport-security" in big.headers
