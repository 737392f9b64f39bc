"""Two server processes on one PostgreSQL check notices against one world: the index follows the ledger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.demo.setup import prepare_demo
from hotline.domain.access import Principal
from hotline.service import deconfliction
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.store.ledger import read_events
from hotline.testing import DEMO_PASSWORD, FakeClock, ServerProcess, fresh_postgres, login

pytestmark = pytest.mark.postgres

AIR = {"type": "air", "width_m": 500, "forces": {"aircraft": 2}}


def crossing(route: list[list[float]], start_h: float, end_h: float, band: tuple[int, int]) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {**AIR, "geometry": {"type": "LineString", "coordinates": route},
            "window": {"start": (now + timedelta(hours=start_h)).isoformat(),
                       "end": (now + timedelta(hours=end_h)).isoformat()},
            "altitude": {"min_m": band[0], "max_m": band[1]}}


ISR_ROUTE = [[36.0, 33.05], [36.2, 33.05]]
SYR_ROUTE = [[36.1, 32.95], [36.1, 33.15]]


def open_findings(client: httpx.Client) -> list[dict[str, Any]]:
    r = client.get("/api/v1/findings?status=open")
    assert r.status_code == 200, r.text
    return r.json()["findings"]  # type: ignore[no-any-return]


def test_a_notice_filed_through_one_process_is_checked_against_one_filed_through_the_other(tmp_path: Path) -> None:
    with fresh_postgres() as url:
        a = ServerProcess(url, log=tmp_path / "a.log", seed={"zones": True})
        a.prepare()
        b = ServerProcess(url, log=tmp_path / "b.log")
        with a.start(), b.start():
            isr_a = login(a.base_url, "isr-duty")
            syr_b = login(b.base_url, "syr-duty")
            usa_a, usa_b = login(a.base_url, "usa-duty"), login(b.base_url, "usa-duty")
            syr_notice = crossing(SYR_ROUTE, 32, 34, (2000, 4000))
            # B's index is warm before A files: a process that only loads once would never see A's notice.
            r = syr_b.post("/api/v1/notices/check", json=syr_notice)
            assert r.status_code == 200, r.text
            assert r.json()["findings"] == []

            r = isr_a.post("/api/v1/notices", json=crossing(ISR_ROUTE, 30, 40, (1000, 3000)))
            assert r.status_code == 201, r.text
            isr_id = r.json()["notice_id"]

            # At once: the dry run through B already names A's notice ...
            r = syr_b.post("/api/v1/notices/check", json=syr_notice)
            assert [f["rule"] for f in r.json()["findings"]] == ["notice.overlap"]
            assert isr_id in r.json()["findings"][0]["notices"]
            # ... and the filing through B raises the finding in the same commit as its notice.
            r = syr_b.post("/api/v1/notices", json=syr_notice)
            assert r.status_code == 201, r.text
            syr_id = r.json()["notice_id"]
            filed_seq = r.json()["seq"]
            page = usa_b.get(f"/api/v1/events?after={filed_seq - 1}&limit=10").json()["events"]
            assert [e["type"] for e in page[:2]] == ["notice.filed", "finding.raised"]
            assert page[0]["ts"] == page[1]["ts"]  # one commit
            assert page[1]["payload"]["finding"]["notices"] == sorted([isr_id, syr_id])

            for client in (usa_a, usa_b, isr_a, syr_b):
                [f] = open_findings(client)
                assert f["finding"]["rule"] == "notice.overlap"
                assert f["finding"]["notices"] == sorted([isr_id, syr_id])

            # A withdrawal through A clears the finding, and B's next check no longer sees the notice.
            r = isr_a.post(f"/api/v1/notices/{isr_id}/withdraw", json={"text": "plan changed"})
            assert r.status_code == 201, r.text
            assert open_findings(usa_b) == []
            r = syr_b.post("/api/v1/notices/check", json=crossing(SYR_ROUTE, 32, 34, (2000, 4000)))
            assert r.json()["findings"] == []


def test_a_filing_is_checked_against_a_commit_no_stream_has_delivered_yet() -> None:
    """The index catches up inside the writer's transaction, not when the other process's commit is
    delivered: here B's tailer is stopped, so only that read can show B the notice A filed."""
    with fresh_postgres() as url:
        asyncio.run(two_services(url))


async def two_services(url: str) -> None:
    clock = FakeClock(datetime.now(UTC))
    isr, syr = Principal("isr-duty", "isr", "operator"), Principal("syr-duty", "syr", "operator")
    settings = Settings(database_url=url)
    await prepare_demo(settings, DEMO_PASSWORD)
    a, b = Hotline(settings, clock=clock), Hotline(settings, clock=clock)
    await a.start(timers=False)
    await b.start(timers=False)
    try:
        syr_notice = crossing(SYR_ROUTE, 32, 34, (2000, 4000))
        assert (await deconfliction.check_notice(b, syr, syr_notice))["findings"] == []  # B's index is warm
        assert b.tailer is not None
        await b.tailer.stop()
        filed, _ = await deconfliction.file_notice(a, isr, crossing(ISR_ROUTE, 30, 40, (1000, 3000)))
        mine, _ = await deconfliction.file_notice(b, syr, syr_notice)
        async with b.db.read() as conn:
            events = await read_events(conn, after=mine["seq"], channels=None, limit=10)
        [raised] = [e for e in events if e.type == "finding.raised"]
        assert raised.seq == mine["seq"] + 1
        assert raised.payload["finding"]["notices"] == sorted([filed["notice_id"], mine["notice_id"]])
    finally:
        await a.stop()
        b.tailer = None  # stopped above
        await b.stop()
