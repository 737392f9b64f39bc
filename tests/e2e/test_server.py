"""The real server (uvicorn in a subprocess) on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hotline.testing import ServerProcess, StreamReader, login, world_file

pytestmark = pytest.mark.anyio


def token_of(client: httpx.Client) -> str:
    return client.headers["authorization"].split()[1]


@pytest.fixture
def server(database_url: str, tmp_path: Path):
    srv = ServerProcess(database_url, log=tmp_path / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


async def test_flash_reaches_every_party_over_the_stream_and_each_ack_reaches_the_others(server: ServerProcess) -> None:
    isr, syr, usa = (login(server.base_url, u) for u in ("isr-duty", "syr-duty", "usa-duty"))
    async with StreamReader(server.base_url, token_of(isr)) as s_isr, \
            StreamReader(server.base_url, token_of(syr)) as s_syr, \
            StreamReader(server.base_url, token_of(usa)) as s_usa:
        for s in (s_isr, s_syr, s_usa):
            await s.ready()
        # A message of the Israel–US channel first: Syria's stream must never carry it.
        private = isr.post("/api/v1/channels/isr-usa/messages", json={
            "precedence": "FLASH", "subject": "Not for Syria", "body": "Bilateral."}).json()
        msg = isr.post("/api/v1/channels/joint/messages", json={
            "precedence": "FLASH", "subject": "Rotary-wing flight near Quneitra", "body": "Medical evacuation.",
            "language": "en"}).json()

        def posted(e: dict) -> bool:
            return e["type"] == "message.posted" and e["payload"]["message_id"] == msg["id"]

        for s in (s_syr, s_usa, s_isr):
            ev = await s.until(posted, timeout=3)
            assert ev["party"] == "isr" and ev["payload"]["precedence"] == "FLASH"
        assert syr.post(f"/api/v1/messages/{msg['id']}/ack").status_code == 201
        for s in (s_isr, s_usa):
            ev = await s.until(lambda e: e["type"] == "message.acknowledged", timeout=3)
            assert ev["party"] == "syr" and ev["actor"] == "syr-duty"
        assert usa.post(f"/api/v1/messages/{msg['id']}/ack").status_code == 201
        for s in (s_isr, s_syr):
            ev = await s.until(lambda e: e["type"] == "message.acknowledged" and e["party"] == "usa", timeout=3)
            assert ev["payload"]["message_id"] == msg["id"]
        assert any(e["payload"].get("message_id") == private["id"] for e in s_usa.events)
        assert all(e["channel"] != "isr-usa" for e in s_syr.events)
        assert "Not for Syria" not in str(s_syr.frames)


def events_of(client: httpx.Client, kind: str) -> list[dict]:
    page = client.get("/api/v1/events", params={"after": 0, "limit": 1000}).json()["events"]
    return [e for e in page if e["type"] == kind]


def wait_for(predicate, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_unanswered_flash_escalates_at_its_deadline_and_across_a_restart_exactly_once(
        database_url: str, tmp_path: Path) -> None:
    srv = ServerProcess(database_url, world=world_file(tmp_path, FLASH=3), log=tmp_path / "server.log")
    srv.prepare()
    srv.start()
    try:
        isr = login(srv.base_url, "isr-duty")
        posted = time.monotonic()
        msg = isr.post("/api/v1/channels/joint/messages", json={
            "precedence": "FLASH", "subject": "Shots heard", "body": "Confirm your forces."}).json()
        wait_for(lambda: len(events_of(isr, "message.ack_overdue")) == 2, 6, "the two overdue events")
        overdue = events_of(isr, "message.ack_overdue")
        assert {e["payload"]["party"] for e in overdue} == {"syr", "usa"}
        assert all(e["payload"]["escalated_to"] == "supervisors" for e in overdue)
        assert time.monotonic() - posted >= 3 - 0.5
        srv.kill()  # down across the second deadline (6 s after posting)
        time.sleep(max(0.0, posted + 7 - time.monotonic()))
        srv.start()
        isr = login(srv.base_url, "isr-duty")
        wait_for(lambda: len(events_of(isr, "message.ack_escalated")) == 2, 6, "the escalations to the mediator")
        srv.stop()
        srv.start()  # and once more: nothing is written twice
        isr = login(srv.base_url, "isr-duty")
        time.sleep(1.5)
        assert len(events_of(isr, "message.ack_overdue")) == 2
        escalated = events_of(isr, "message.ack_escalated")
        assert len(escalated) == 2 and {e["payload"]["mediator"] for e in escalated} == {"usa"}
        assert all(e["payload"]["message_id"] == msg["id"] for e in escalated)
    finally:
        srv.stop()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_sigkill_in_a_burst_loses_no_accepted_post(database_url: str, tmp_path: Path) -> None:
    srv = ServerProcess(database_url, log=tmp_path / "server.log")
    srv.prepare()
    srv.start()
    accepted: list[str] = []
    refused = 0

    async def burst() -> None:
        nonlocal refused
        enough = asyncio.Event()
        token = token_of(login(srv.base_url, "isr-duty"))
        headers = {"authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=srv.base_url, headers=headers, timeout=5) as client:
            async def poster(worker: int) -> None:
                nonlocal refused
                for i in range(10_000):
                    try:
                        r = await client.post("/api/v1/channels/joint/messages", json={
                            "precedence": "ROUTINE", "subject": f"burst {worker}-{i}", "body": "x" * 200})
                    except httpx.HTTPError:
                        refused += 1
                        return
                    if r.status_code == 201:
                        accepted.append(r.json()["id"])
                        if len(accepted) >= 150:
                            enough.set()
                    else:
                        refused += 1

            async def killer() -> None:
                await enough.wait()
                srv.kill()

            await asyncio.gather(killer(), *(poster(w) for w in range(16)))

    asyncio.run(burst())
    assert len(accepted) >= 150 and refused >= 1
    srv.start()
    client = login(srv.base_url, "usa-duty")
    present = {e["payload"]["message_id"] for e in events_of_all(client)}
    missing = [m for m in accepted if m not in present]
    assert missing == []
    for mid in accepted[-20:]:
        assert client.get(f"/api/v1/messages/{mid}").status_code == 200
    srv.stop()
    result = run_cli("verify", "--db", database_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def events_of_all(client: httpx.Client) -> list[dict]:
    out, after = [], 0
    while True:
        page = client.get("/api/v1/events", params={"after": after, "limit": 1000}).json()
        out += page["events"]
        if not page["events"]:
            return [e for e in out if e["type"] == "message.posted"]
        after = page["last_seq"]
