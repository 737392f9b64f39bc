"""The stream over a real server: resume with no gap and no duplicate, back-pressure, limits, heartbeats."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import orjson
import pytest
import websockets

from hotline.testing import ServerProcess, StreamReader, login

pytestmark = pytest.mark.anyio


@pytest.fixture
def server(tmp_path: Path):
    srv = ServerProcess(f"sqlite:///{tmp_path / 'stream.db'}", log=tmp_path / "server.log",
                        env={"HOTLINE_STREAM_QUEUE": "20", "HOTLINE_HEARTBEAT": "0.5",
                             "HOTLINE_STREAMS_PER_USER": "3"})
    srv.prepare()
    with srv.start():
        yield srv


def token(client: httpx.Client) -> str:
    return client.headers["authorization"].split()[1]


def post(client: httpx.Client, n: int, body: str = "b", channel: str = "joint") -> list[str]:
    return [client.post(f"/api/v1/channels/{channel}/messages",
                        json={"precedence": "ROUTINE", "subject": f"m{i}", "body": body}).json()["id"]
            for i in range(n)]


async def test_resuming_after_a_seq_gives_every_later_event_once_in_order(server: ServerProcess) -> None:
    isr, syr = login(server.base_url, "isr-duty"), login(server.base_url, "syr-duty")
    post(isr, 5)
    async with StreamReader(server.base_url, token(syr)) as first:
        await first.ready()
        held = first.events[:-3]  # the client lost the last three before it dropped
    post(isr, 4)
    post(isr, 2, channel="isr-usa")  # never for syr
    async with StreamReader(server.base_url, token(syr), after=held[-1]["seq"]) as again:
        await again.ready()
        post(isr, 3)  # live, after the backlog
        while sum(e["type"] == "message.posted" for e in again.events) < 3 + 4 + 3:
            await again.next_frame()
    seqs = [e["seq"] for e in held + again.events]
    expected = [e["seq"] for e in syr.get("/api/v1/events", params={"limit": 1000}).json()["events"]]
    assert seqs == expected  # every visible event, once, in order
    assert {e["channel"] for e in again.events} <= {"joint", "syr-usa"}


async def test_a_slow_consumer_is_cut_off_with_resume_code_and_does_not_delay_the_others(
        server: ServerProcess) -> None:
    isr, usa, syr = (login(server.base_url, u) for u in ("isr-duty", "usa-duty", "syr-duty"))
    url = server.base_url.replace("http", "ws") + "/api/v1/stream?after=0"
    # A client that reads nothing: a tiny receive queue and socket buffer, so the server's send blocks.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.setblocking(False)
    slow = await websockets.connect(url, additional_headers={"authorization": f"Bearer {token(usa)}"},
                                    max_queue=1, max_size=2**24, sock=sock)
    async with StreamReader(server.base_url, token(syr)) as fast:
        await fast.ready()
        posting = asyncio.create_task(asyncio.to_thread(post, isr, 120, "x" * 60_000))
        got: set[str] = set()
        while len(got) < 120:
            await fast.next_frame(timeout=20)
            got = {e["payload"]["message_id"] for e in fast.events if e["type"] == "message.posted"}
        assert got == set(await posting)
    code = None
    try:
        for _ in range(400):  # the backlog it had buffered, then the close
            await asyncio.wait_for(slow.recv(), 10)
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
    assert code == 4008


async def test_one_user_cannot_open_more_streams_than_the_limit(server: ServerProcess) -> None:
    syr = token(login(server.base_url, "syr-duty"))
    url = server.base_url.replace("http", "ws") + "/api/v1/stream"
    opened = [await websockets.connect(url, additional_headers={"authorization": f"Bearer {syr}"})
              for _ in range(3)]
    for ws in opened:
        while orjson.loads(await ws.recv())["type"] != "ready":
            pass
    extra = await websockets.connect(url, additional_headers={"authorization": f"Bearer {syr}"})
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(extra.recv(), 5)
    assert closed.value.rcvd.code == 4029
    for ws in opened:
        await ws.close()


async def test_heartbeats_say_the_last_seq_and_bad_tokens_are_closed_4001(server: ServerProcess) -> None:
    syr = login(server.base_url, "syr-duty")
    async with StreamReader(server.base_url, token(syr)) as s:
        last = await s.ready()
        beat = await s.next_frame(timeout=3)
        assert beat["type"] == "heartbeat" and beat["seq"] == last
    url = server.base_url.replace("http", "ws") + "/api/v1/stream"
    ws = await websockets.connect(url, additional_headers={"authorization": "Bearer forged"})
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4001


async def test_a_heartbeat_follows_a_quiet_spell_after_events_and_names_the_last_seq_sent(
        server: ServerProcess) -> None:
    isr, syr = login(server.base_url, "isr-duty"), login(server.base_url, "syr-duty")
    async with StreamReader(server.base_url, token(syr)) as s:
        await s.ready()
        for _ in range(3):  # events, then quiet: each quiet spell is answered by one heartbeat
            seen = len(s.events)
            await asyncio.to_thread(post, isr, 2)
            while len(s.events) < seen + 2:
                assert (await s.next_frame(timeout=3))["type"] in ("event", "events")
            beat = await s.next_frame(timeout=3)
            assert beat["type"] == "heartbeat" and beat["seq"] == s.events[-1]["seq"]


async def test_a_cross_site_page_cannot_open_the_stream_with_the_cookie(server: ServerProcess) -> None:
    syr = token(login(server.base_url, "syr-duty"))
    url = server.base_url.replace("http", "ws") + "/api/v1/stream"
    ws = await websockets.connect(url, additional_headers={"cookie": f"hotline_session={syr}"},
                                  origin="http://evil.example")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4003


async def test_logout_closes_the_open_streams_of_that_session(server: ServerProcess) -> None:
    syr = login(server.base_url, "syr-duty")
    async with StreamReader(server.base_url, token(syr)) as s:
        await s.ready()
        assert syr.post("/api/v1/auth/logout").status_code == 204
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(10):
                await s.next_frame(timeout=3)
        assert closed.value.rcvd.code == 4001
