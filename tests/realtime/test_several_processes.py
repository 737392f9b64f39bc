"""Several server processes on one PostgreSQL deliver every event to every stream, in order, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import websockets

from hotline.testing import ServerProcess, StreamReader, fresh_postgres, login

pytestmark = pytest.mark.postgres


def test_posts_to_either_process_reach_streams_on_both_in_one_order(tmp_path: Path) -> None:
    with fresh_postgres() as url:
        first = ServerProcess(url, log=tmp_path / "a.log")
        first.prepare()
        second = ServerProcess(url, log=tmp_path / "b.log")
        with first.start(), second.start():
            asyncio.run(exchange(first, second))


async def exchange(first: ServerProcess, second: ServerProcess) -> None:
    on_a = login(first.base_url, "syr-duty")
    on_b = login(second.base_url, "usa-duty")
    posters = [login(first.base_url, "isr-duty"), login(second.base_url, "isr-duty")]
    async with StreamReader(first.base_url, on_a.headers["authorization"].split()[1]) as a, \
            StreamReader(second.base_url, on_b.headers["authorization"].split()[1]) as b:
        await a.ready()
        await b.ready()

        def post_all() -> list[str]:
            ids = []
            for i in range(40):
                r = posters[i % 2].post("/api/v1/channels/joint/messages", json={
                    "precedence": "ROUTINE", "subject": f"via {'AB'[i % 2]} #{i}", "body": "x"})
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
            return ids

        ids = await asyncio.to_thread(post_all)
        for reader in (a, b):
            while sum(e["type"] == "message.posted" for e in reader.events) < len(ids):
                await reader.next_frame(timeout=10)
        seq_a = [e["seq"] for e in a.events]
        seq_b = [e["seq"] for e in b.events]
        assert seq_a == sorted(set(seq_a)) and seq_b == sorted(set(seq_b))
        posted_a = {e["payload"]["message_id"] for e in a.events if e["type"] == "message.posted"}
        posted_b = {e["payload"]["message_id"] for e in b.events if e["type"] == "message.posted"}
        assert posted_a == posted_b == set(ids)


def test_a_session_ended_through_one_process_is_refused_by_the_other_and_its_stream_closed(tmp_path: Path) -> None:
    """Logout is announced only inside the process that took it: the other process must not accept the
    token from a cache, and its open stream must close (4001) at its next heartbeat."""
    with fresh_postgres() as url:
        first = ServerProcess(url, log=tmp_path / "a.log", env={"HOTLINE_HEARTBEAT": "1"})
        first.prepare()
        second = ServerProcess(url, log=tmp_path / "b.log", env={"HOTLINE_HEARTBEAT": "1"})
        with first.start(), second.start():
            asyncio.run(_logout_across(first, second))


async def _logout_across(first: ServerProcess, second: ServerProcess) -> None:
    syr = login(first.base_url, "syr-duty")
    bearer = {"authorization": syr.headers["authorization"]}
    elsewhere = httpx.AsyncClient(base_url=second.base_url, headers=bearer)
    async with elsewhere, StreamReader(second.base_url, bearer["authorization"].split()[1]) as stream:
        await stream.ready()
        # the second process has just read (and would cache) the session
        assert (await elsewhere.get("/api/v1/channels")).status_code == 200
        assert syr.post("/api/v1/auth/logout").status_code == 204
        assert (await elsewhere.get("/api/v1/channels")).status_code == 401
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(10):
                await stream.next_frame(timeout=3)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
