"""Per-party cursors (issue 16, item 5): each party reads its own gapless sequence, on the events page and
the stream alike, so no party can count events of channels it may not read.

The request reproduced: syr saw seqs 78 and 85 and so counted six isr-usa events in between. Here syr
reads a joint message, six isr-usa messages go by, and syr reads the next joint message: its seqs are
consecutive, the same on the page and the stream, and resuming after any of them gives the rest once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotline.testing import ServerProcess, StreamReader, fresh_postgres, login

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    if request.param == "sqlite":
        srv = ServerProcess(f"sqlite:///{tmp_path / 'cursors.db'}", log=tmp_path / "server.log")
        srv.prepare()
        with srv.start():
            yield srv
    else:
        with fresh_postgres() as url:
            srv = ServerProcess(url, log=tmp_path / "server.log")
            srv.prepare()
            with srv.start():
                yield srv


def token(client: httpx.Client) -> str:
    return client.headers["authorization"].split()[1]


def post(client: httpx.Client, channel: str, subject: str) -> dict[str, Any]:
    r = client.post(f"/api/v1/channels/{channel}/messages", json={"precedence": "ROUTINE", "subject": subject,
                                                                  "body": "b"})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def page(client: httpx.Client, after: int = 0, limit: int = 1000) -> dict[str, Any]:
    r = client.get("/api/v1/events", params={"after": after, "limit": limit})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def interleave(isr: httpx.Client) -> tuple[str, str]:
    """A joint message, six isr-usa messages, another joint message: the 78 ... 85 of the report."""
    before = post(isr, "joint", "before")["id"]
    for i in range(6):
        post(isr, "isr-usa", f"talks {i}")
    after = post(isr, "joint", "after")["id"]
    return before, after


def posted(events: list[dict[str, Any]], message_id: str) -> dict[str, Any]:
    return next(e for e in events if e["type"] == "message.posted" and e["payload"]["message_id"] == message_id)


async def test_syr_reads_a_gapless_sequence_with_isr_usa_traffic_in_between(server: ServerProcess) -> None:
    isr, syr, usa = (login(server.base_url, u) for u in ("isr-duty", "syr-duty", "usa-duty"))
    before, after = interleave(isr)

    events = page(syr)["events"]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(events) + 1)), "syr's own sequence: 1, 2, 3, ... with no gap"
    assert posted(events, after)["seq"] == posted(events, before)["seq"] + 1, \
        "nothing syr may read came in between, and nothing it may not read is counted"
    assert {e["channel"] for e in events} <= {"joint", "syr-usa"}
    # Nothing else in what syr reads carries the ledger's global order.
    assert all(e["v"] == 2 and "ledger_seq" not in e for e in events)

    # The stream numbers the same events the same way.
    async with StreamReader(server.base_url, token(syr)) as stream:
        last = await stream.ready()
    assert [e["seq"] for e in stream.events] == seqs and last == seqs[-1]
    assert [e["hash"] for e in stream.events] == [e["hash"] for e in events]

    # A message's state shows syr's seq of it, the one the stream gives (the console resumes from it).
    listed = {m["id"]: m for m in syr.get("/api/v1/channels/joint/messages").json()["messages"]}
    assert (listed[before]["seq"], listed[after]["seq"]) == (posted(events, before)["seq"],
                                                              posted(events, after)["seq"])
    # Paging messages back from syr's cursor gives the older one only.
    older = syr.get("/api/v1/channels/joint/messages", params={"before": listed[after]["seq"]}).json()["messages"]
    assert before in [m["id"] for m in older] and after not in [m["id"] for m in older]

    # The mediator reads every channel: one gapless sequence across all three.
    usa_events = page(usa)["events"]
    assert [e["seq"] for e in usa_events] == list(range(1, len(usa_events) + 1))
    assert posted(usa_events, after)["seq"] - posted(usa_events, before)["seq"] == 7
    assert len(usa_events) > len(events)


async def test_resuming_after_any_cursor_gives_the_rest_once_on_page_and_stream(server: ServerProcess) -> None:
    isr, syr = login(server.base_url, "isr-duty"), login(server.base_url, "syr-duty")
    interleave(isr)
    interleave(isr)
    everything = [e["seq"] for e in page(syr)["events"]]
    for cut in (0, 1, len(everything) // 2, everything[-1]):
        # Paging three at a time from the cut: no gap, no duplicate.
        got, at = [], cut
        while True:
            p = page(syr, after=at, limit=3)
            got += [e["seq"] for e in p["events"]]
            if not p["events"]:
                assert p["last_seq"] == at
                break
            at = p["last_seq"]
        assert got == [s for s in everything if s > cut]
        async with StreamReader(server.base_url, token(syr), after=cut) as stream:
            await stream.ready()
            assert [e["seq"] for e in stream.events] == [s for s in everything if s > cut]
    # Live: a stream resumed at the end gets the next joint message as the next cursor, while
    # isr-usa traffic in between is neither delivered nor counted.
    async with StreamReader(server.base_url, token(syr), after=everything[-1]) as stream:
        await stream.ready()
        await asyncio.to_thread(post, isr, "isr-usa", "unseen")
        message = await asyncio.to_thread(post, isr, "joint", "seen")
        event = await stream.until(lambda e: e["type"] == "message.posted")
    assert event["payload"]["message_id"] == message["id"]
    assert [e["seq"] for e in stream.events] == [everything[-1] + 1]


@pytest.mark.postgres
def test_every_process_numbers_a_partys_events_alike(tmp_path: Path) -> None:
    """Two processes on one PostgreSQL: syr's cursors are written with the events, so a stream on either
    process and the events page of either give syr the same gapless numbering of the same events."""
    with fresh_postgres() as url:
        first = ServerProcess(url, log=tmp_path / "a.log")
        first.prepare()
        second = ServerProcess(url, log=tmp_path / "b.log")
        with first.start(), second.start():
            streams, pages = asyncio.run(_two_processes(first, second))
    numbered = [[(e["seq"], e["hash"]) for e in events] for events in (*streams, *pages)]
    assert numbered[0] == numbered[1] == numbered[2] == numbered[3]
    assert [seq for seq, _ in numbered[0]] == list(range(1, len(numbered[0]) + 1))
    assert {e["channel"] for e in streams[0]} == {"joint"}


async def _two_processes(first: ServerProcess, second: ServerProcess
                         ) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
    syr = [login(s.base_url, "syr-duty") for s in (first, second)]
    posters = [login(s.base_url, "isr-duty") for s in (first, second)]
    async with StreamReader(first.base_url, token(syr[0])) as a, StreamReader(second.base_url, token(syr[1])) as b:
        await a.ready()
        await b.ready()

        def traffic() -> None:
            for i in range(24):  # joint and isr-usa, through either process
                post(posters[i % 2], "joint" if i % 3 == 0 else "isr-usa", f"#{i}")

        await asyncio.to_thread(traffic)
        for reader in (a, b):
            while sum(e["type"] == "message.posted" for e in reader.events) < 8:
                await reader.next_frame(timeout=10)
    return [a.events, b.events], [page(c)["events"] for c in syr]
