"""Desks on a real server (a subprocess on a SQLite file): presence follows the officer's console
stream through a TCP proxy that can be cut, and a missed link test is written once across a SIGKILL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from hotline.testing import ServerProcess, StreamReader, login

from .conftest import CuttableProxy, quick_world


def _token(client: httpx.Client) -> str:
    return client.headers["authorization"].split(" ", 1)[1]


def _events(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/events?after=0&limit=1000")
    return [e for e in r.json()["events"] if e["type"] == kind]


def _wait(predicate: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.2)
    raise TimeoutError("the expected state did not come")


def test_desk_turns_unattended_for_the_other_party_when_the_console_is_cut_and_manned_on_reconnect(
        tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=quick_world(tmp_path), log=tmp_path / "server.log",
                           env={"HOTLINE_HEARTBEAT": "1"})
    server.prepare()
    with server.start():
        proxy = CuttableProxy(server.port).start()
        isr, syr = login(server.base_url, "isr-duty"), login(server.base_url, "syr-duty")
        via_proxy = f"http://127.0.0.1:{proxy.port}"

        async def scenario() -> list[tuple[str, float]]:
            async with StreamReader(via_proxy, _token(isr)) as isr_console, \
                    StreamReader(server.base_url, _token(syr)) as syr_view:
                await isr_console.ready()
                start = await syr_view.ready()
                assert isr.post("/api/v1/desks/isr/sign-on").status_code == 201
                await syr_view.until(lambda e: e["type"] == "desk.signed_on", 5)
                await asyncio.sleep(2.5)  # longer than the timeout: a connected console keeps the desk manned
                assert isr.get("/api/v1/desks").json()["desks"][0]["status"] == "manned"
                cut = time.monotonic()
                proxy.cut()
                went = await syr_view.until(lambda e: e["type"] == "desk.unattended", 8)
                away = time.monotonic() - cut
                assert (went["payload"]["desk"], went["payload"]["officer"]) == ("isr", "isr-duty")
                proxy.restore()
                back_at = time.monotonic()
                async with StreamReader(via_proxy, _token(isr), after=start):
                    await syr_view.until(lambda e: e["type"] == "desk.manned", 5)
                    back = time.monotonic() - back_at
                return [("unattended", away), ("manned", back)]

        timings = asyncio.run(scenario())
        proxy.close()
    (_, away), (_, back) = timings
    assert 2.0 <= away < 6.0  # the 2 s timeout (the server notices the cut at once)
    assert back < 2.0


def test_a_missed_link_test_alerts_supervisors_and_the_mediator_once_across_a_sigkill(tmp_path: Path) -> None:
    world = quick_world(tmp_path, linktest_interval_s=4, linktest_answer_s=2)
    server = ServerProcess(f"sqlite:///{tmp_path / 'h.db'}", world=world, log=tmp_path / "server.log")
    server.prepare()
    server.start()
    try:
        isr = login(server.base_url, "isr-duty")
        assert isr.post("/api/v1/desks/isr/sign-on").status_code == 201
        sent = _wait(lambda: _events(isr, "linktest.sent"))
        test_id = sent[0]["payload"]["test_id"]
        server.kill()  # before the answer window closes: the server is down when the test is missed
        time.sleep(3)
        server.start()
        usa = login(server.base_url, "usa-super")
        missed = _wait(lambda: [e for e in _events(usa, "linktest.missed") if e["payload"]["test_id"] == test_id])
        time.sleep(2)
        server.kill()
        server.start()
        time.sleep(2)
        usa = login(server.base_url, "usa-super")
        all_missed = _events(usa, "linktest.missed")
    finally:
        server.stop()
    assert len(missed) == 1
    assert missed[0]["payload"]["party"] == "isr" and missed[0]["payload"]["mediator"] == "usa"
    assert missed[0]["payload"]["escalated_to"] == ["supervisors", "mediator"]
    ids = [e["payload"]["test_id"] for e in all_missed]
    assert ids.count(test_id) == 1 and len(ids) == len(set(ids))  # every test missed once, none twice
