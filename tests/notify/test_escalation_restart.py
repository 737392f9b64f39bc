"""The real server (``hotline serve`` in a subprocess): a FLASH nobody acknowledges walks a three-step
policy (console alarm, supervisor e-mail, mediator webhook), each step at its delay and recorded once,
although the server is SIGKILLed between the first and second step and started again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hotline.domain.timefmt import parse_iso
from hotline.testing import ServerProcess, login

from .receivers import SECRET, smtp_server, webhook_receiver
from .worlds import policy_world

LEASE_WAIT_S = 3 * 2 + 5 + 5  # the lease at the tests' 2 s timeouts, and time to send
STEP_TYPES = ("message.ack_overdue", "message.ack_escalated", "message.escalation_step")
FLASH_S, DELAYS = 3, (0, 3, 15)  # the last one leaves room for the restart


def wait_for(predicate, timeout: float = 20.0, what: str = "the expected state") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_flash_through_three_steps_each_once_across_sigkill(database_url: str, tmp_path: Path) -> None:
    with smtp_server() as (box, smtp_port), webhook_receiver(fail_first=2) as receiver:
        world = policy_world(tmp_path, receiver.url, flash_s=FLASH_S, delays=DELAYS)
        env = {"HOTLINE_SMTP_HOST": "127.0.0.1", "HOTLINE_SMTP_PORT": str(smtp_port), "HOTLINE_SMTP_TLS": "none",
               "HOTLINE_WEBHOOK_SECRET": SECRET, "HOTLINE_WEBHOOK_BACKOFF_S": "0.5",
               "HOTLINE_SMTP_BACKOFF_S": "0.5",
               # an attempt cut by the SIGKILL is retried when its lease (3 timeouts + 5 s) runs out on
               # PostgreSQL, at once on SQLite
               "HOTLINE_SMTP_TIMEOUT_S": "2", "HOTLINE_WEBHOOK_TIMEOUT_S": "2"}
        server = ServerProcess(database_url, world=world, env=env, log=tmp_path / "server.log")
        server.prepare()
        server.start()
        try:
            isr = login(server.base_url, "isr-duty")
            msg = isr.post("/api/v1/channels/joint/messages", json={
                "precedence": "FLASH", "subject": "Drone over sector 4", "body": "NOT-FOR-MAIL"}).json()
            posted = parse_iso(msg["posted_at"])

            def steps(client) -> list[dict]:  # noqa: ANN001
                events = client.get("/api/v1/events?after=0&limit=1000").json()["events"]
                return [e for e in events if e["type"] in STEP_TYPES and e["payload"]["party"] == "syr"]

            wait_for(lambda: len(steps(isr)) == 1, what="step 1")
            server.kill()  # SIGKILL after step 1: step 2 falls due while the server is down
            time.sleep(max(0.0, FLASH_S + DELAYS[1] + 0.5 - (time.time() - posted.timestamp())))
            server.start()
            isr = login(server.base_url, "isr-duty")
            wait_for(lambda: len(receiver.accepted) == 1, timeout=30, what="the webhook")
            time.sleep(2)  # anything written twice would show up by now
            syr = login(server.base_url, "syr-super")
            recorded = steps(syr)
            assert [(e["type"], e["payload"]["step"], e["payload"]["channels"]) for e in recorded] == [
                ("message.ack_overdue", 1, ["console"]), ("message.escalation_step", 2, ["email"]),
                ("message.ack_escalated", 3, ["webhook"])]
            offsets = [(parse_iso(e["ts"]) - posted).total_seconds() for e in recorded]
            due = [FLASH_S + sum(DELAYS[:i + 1]) for i in range(3)]
            assert all(at >= d for at, d in zip(offsets, due, strict=True)), (offsets, due)  # never early
            print(f"\nsteps due at {due} s, recorded at {[round(o, 2) for o in offsets]} s after posting")

            assert len(box.wait(1, timeout=LEASE_WAIT_S)) == 1 and box.recipients == [["syr-supervisors@syr.example"]]
            assert "NOT-FOR-MAIL" not in box.messages[0].get_content()
            assert box.messages[0]["Subject"].startswith("[FLASH] ")
            assert receiver.bad_signatures == 0 and len(receiver.accepted) == 1
            times = receiver.attempts[receiver.accepted[0]["id"]]
            assert len(times) == 3
            print("webhook attempts after the first (s):", [round(t - times[0], 3) for t in times[1:]])

            log = syr.get(f"/api/v1/deliveries?item_id={msg['id']}").json()["deliveries"]
            mine = sorted((d["medium"], d["status"], d["attempts"]) for d in log if d["party"] == "syr")
            assert mine == [("console", "delivered", 0), ("email", "delivered", 1), ("webhook", "delivered", 3)]
        finally:
            server.stop()
