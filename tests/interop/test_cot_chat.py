"""GeoChat through the CoT gateway of a real `hotline serve`, with pytak clients: a chat to a room that
names a channel becomes a hotline message there; hotline messages reach the TAK clients as GeoChat."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from hotline.domain.access import Principal
from hotline.interop.cot.gateway import Gateway
from hotline.service import messages
from hotline.service.hotline import Hotline
from hotline.testing import ServerProcess, login

from .cot_client import connect, geochat
from .test_cot_bad_input import until
from .test_cot_gateway import gateway, issue

pytestmark = pytest.mark.anyio
__all__ = ["gateway"]  # the fixture, shared with the gateway tests


def log_has(path: Path, needle: str, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if needle in path.read_text("utf-8", errors="replace"):
            return True
        time.sleep(0.1)
    return False


async def test_a_syrian_geochat_to_the_joint_room_is_a_hotline_message_isr_sees_on_its_console_and_tak(
        gateway: tuple[ServerProcess, dict[str, int], Path], tmp_path: Path) -> None:
    server, ports, cot = gateway
    syr = await connect(f"tls://127.0.0.1:{ports['tls']}", **issue(cot, "syr", "syr-phone-9", tmp_path))
    isr = await connect(f"tcp://127.0.0.1:{ports['isr']}")
    await syr.until(b"hotline-zone-aos")
    await isr.until(b"hotline-zone-aos")
    text = "Patrol <b>SAQR 7</b> returning north & will cross at 14:00"

    # refused first: a room naming a channel syr is not in, and a room that is no channel at all
    await syr.send(geochat("ANDROID-syr-9", "isr-usa", "for isr and usa only", str(uuid.uuid4())))
    await syr.send(geochat("ANDROID-syr-9", "All Chat Rooms", "hello everyone", str(uuid.uuid4())))
    chat_id = str(uuid.uuid4())
    await syr.send(geochat("ANDROID-syr-9", "joint", text, chat_id, callsign="SAQR"))
    await syr.send(geochat("ANDROID-syr-9", "joint", text, chat_id, callsign="SAQR"))  # a resend posts nothing more

    got = await isr.until(b"b-t-f", timeout=5)
    chat = SafeET.fromstring(got)
    assert chat.find("detail/__chat").get("chatroom") == "joint"  # type: ignore[union-attr]
    assert text in (chat.find("detail/remarks").text or "")  # type: ignore[union-attr]

    console = login(server.base_url, "isr-duty")
    msgs = [m for m in console.get("/api/v1/channels/joint/messages").json()["messages"] if m["body"] == text]
    assert len(msgs) == 1
    [msg] = msgs
    assert msg["party"] == "syr" and msg["precedence"] == "ROUTINE" and msg["actor"] == "cot:syr-phone-9"
    awaiting = console.get("/api/v1/messages/awaiting").json()
    assert msg["id"] in str(awaiting)  # acknowledgements apply as to any message
    assert console.post(f"/api/v1/messages/{msg['id']}/ack", json={}).status_code == 201

    assert log_has(server.log, "refused (chat_channel)")  # type: ignore[arg-type]
    assert "syr@127.0.0.1:" in server.log.read_text("utf-8")  # type: ignore[union-attr]
    mediator = login(server.base_url, "usa-duty")
    assert "for isr and usa only" not in mediator.get("/api/v1/channels/isr-usa/messages").text
    assert "hello everyone" not in mediator.get("/api/v1/channels/joint/messages").text

    # the other way: a message posted on isr's console reaches syr's TAK client as GeoChat
    posted = console.post("/api/v1/channels/joint/messages", json={
        "precedence": "PRIORITY", "subject": "Received", "body": "We see your patrol"})
    assert posted.status_code in (200, 201), posted.text
    back = SafeET.fromstring(await syr.until(b"We see your patrol", timeout=5))
    assert back.get("type") == "b-t-f"
    assert "[PRIORITY] Received" in (back.find("detail/remarks").text or "")  # type: ignore[union-attr]
    assert not any(text.encode() in d and b"b-t-f" in d for d in syr.seen)  # its own chat is not echoed to it
    # the resent chat (same messageId) posted nothing more
    assert [m["body"] for m in console.get("/api/v1/channels/joint/messages").json()["messages"]].count(text) == 1
    syr.close()
    isr.close()


async def test_refused_chats_are_counted_logged_and_write_nothing(
        service: Hotline, caplog: pytest.LogCaptureFixture) -> None:
    g = Gateway(service)
    port = await g.start_tcp("127.0.0.1", 0, "syr")
    try:
        syr = await connect(f"tcp://127.0.0.1:{port}")
        with caplog.at_level(logging.WARNING, logger="hotline.cot"):
            await syr.send(geochat("ANDROID-syr-1", "isr-usa", "not my channel", "c-1"))
            await syr.send(geochat("ANDROID-syr-1", "joint", "   ", "c-2"))
            await syr.send(geochat("ANDROID-syr-1", "joint", "claims isr", "c-3").replace(
                b"<detail>", b'<detail><_hotline party="isr"/>'))
            for i in range(12):  # more than a burst of chats, to the joint room by its Arabic name
                await syr.send(geochat("ANDROID-syr-1", "الخط المشترك", f"chat {i}", f"m-{i}"))
            await until(lambda: g.counters["chat_posted"] + g.counters["refused_chat_rate"] == 12)
        assert g.counters["refused_chat_channel"] == 1 and g.counters["refused_chat_empty"] == 1
        assert g.counters["refused_foreign_party"] == 1 and g.counters["refused_chat_rate"] >= 1
        assert all("syr@127.0.0.1:" in r.getMessage() for r in caplog.records if "refused" in r.getMessage())
        usa = Principal("usa-duty", "usa", "operator")
        assert await messages.list_messages(service, usa, "isr-usa") == []
        bodies = [m["body"] for m in await messages.list_messages(service, usa, "joint")]
        assert len(bodies) == g.counters["chat_posted"] and not {"not my channel", "claims isr"} & set(bodies)
        syr.close()
    finally:
        await g.stop()
