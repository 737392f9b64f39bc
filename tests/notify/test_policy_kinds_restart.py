"""The real server (``hotline serve`` in a subprocess): a missed link test walks Israel's link_test
policy (its supervisors on the console and by e-mail, then the mediator's webhook), each step once
although the server is SIGKILLed after the first and the second falls due while it is down; the timers
come from the ledger."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hotline.domain.timefmt import parse_iso
from hotline.testing import ServerProcess, login

from .receivers import SECRET, smtp_server, webhook_receiver
from .test_escalation_restart import LEASE_WAIT_S, wait_for
from .worlds import kinds_world

INTERVAL_S, ANSWER_S, DELAYS = 2, 2, (0, 3, 1200)  # a test every 2 s, missed 2 s later; step 3 never comes


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_missed_link_test_alerts_each_step_once_across_sigkill(database_url: str, tmp_path: Path) -> None:
    with smtp_server() as (box, smtp_port), webhook_receiver(fail_first=2) as receiver:
        world = kinds_world(tmp_path, receiver.url, linktest_s=(INTERVAL_S, ANSWER_S), linktest_delays=DELAYS)
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
            assert isr.post("/api/v1/desks/isr/sign-on").status_code == 201

            def events(client, kind: str) -> list[dict]:  # noqa: ANN001
                found = client.get("/api/v1/events?after=0&limit=1000").json()["events"]
                return [e for e in found if e["type"] == kind and e["payload"].get("party") == "isr"]

            wait_for(lambda: len(events(isr, "linktest.escalation_step")) == 1, what="step 1")
            server.kill()  # SIGKILL after step 1: step 2 falls due while the server is down
            time.sleep(DELAYS[1] + 0.5)
            server.start()
            wait_for(lambda: len(receiver.accepted) == 1, timeout=30, what="the webhook")
            time.sleep(2)  # anything written twice would show up by now
            usa = login(server.base_url, "usa-super")
            steps = events(usa, "linktest.escalation_step")
            assert [(e["payload"]["step"], e["payload"]["targets"], e["payload"]["channels"]) for e in steps] == [
                (1, ["supervisors"], ["console", "email"]), (2, ["mediator"], ["webhook"])]
            first = events(usa, "linktest.missed")[0]
            assert steps[0]["payload"]["test_id"] == steps[1]["payload"]["test_id"] == first["payload"]["test_id"]
            due = parse_iso(first["payload"]["escalation"]["from"])
            offsets = [(parse_iso(e["ts"]) - due).total_seconds() for e in steps]
            assert offsets[0] >= 0 and offsets[1] >= DELAYS[1], offsets  # never early
            print(f"\nsteps due at {list(DELAYS[:2])} s after the miss, recorded at {[round(o, 2) for o in offsets]} s")

            assert len(box.wait(1, timeout=LEASE_WAIT_S)) == 1 and box.recipients == [["isr-supervisors@isr.example"]]
            assert box.messages[0]["Content-Language"] == "he"
            assert receiver.bad_signatures == 0 and len(receiver.accepted) == 1
            assert receiver.accepted[0]["type"] == "linktest.escalation_step"
            log = login(server.base_url, "isr-super").get("/api/v1/deliveries?item_id=desk:isr").json()["deliveries"]
            assert sorted((d["step"], d["medium"], d["status"]) for d in log) == [
                (1, "console", "delivered"), (1, "email", "delivered"), (2, "webhook", "delivered")]
        finally:
            server.stop()
