"""The export of a real ledger: the full demo (zones, talks, a day on the line) with its timers run for weeks,
so the record holds every kind of event the demo and the timers write, system events without a party
included. `hotline export` writes it and `hotline verify FILE` accepts it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import orjson
from typer.testing import CliRunner

from hotline.cli import app
from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.service.export import unlisted_channel_members
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, FakeClock


async def full_demo_with_timers(url: str) -> None:
    settings = Settings(database_url=url)
    await prepare_demo(settings, DEMO_PASSWORD, talks=True, scenario=True)
    clock = FakeClock(datetime.now(UTC))
    hl = Hotline(settings, clock=clock)
    await hl.start(timers=False)
    try:
        # Weeks past every acknowledgement deadline and commitment due date: overdue, then escalated.
        for _ in range(8):
            clock.advance(days=7)
            await hl.timers.run_due()
    finally:
        await hl.stop()  # signs the last checkpoints


def test_full_demo_ledger_with_system_events_exports_and_verifies(database_url: str, tmp_path: Path) -> None:
    asyncio.run(full_demo_with_timers(database_url))
    out = tmp_path / "record.jsonl"
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--db", database_url, "-o", str(out)])
    assert r.exit_code == 0, r.output
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    events = [rec["event"] for rec in records if rec.get("kind") == "event"]
    kinds = {ev["type"] for ev in events}
    # What crashed the export: events the system writes, with no party.
    assert {"zone.activated", "message.ack_overdue", "message.ack_escalated", "commitment.overdue"} <= kinds, kinds
    assert any(ev["party"] is None for ev in events)
    assert any(rec.get("kind") == "checkpoint" for rec in records)

    r = runner.invoke(app, ["verify", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("VERIFIED"), r.output

    # One changed byte in a system event is refused.
    lines = out.read_bytes().splitlines()
    i = next(i for i, line in enumerate(lines) if b'"commitment.overdue"' in line)
    lines[i] = lines[i].replace(b'"commitment.overdue"', b'"commitment.overdux"')
    (tmp_path / "tampered.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    r = runner.invoke(app, ["verify", str(tmp_path / "tampered.jsonl")])
    assert r.exit_code == 1, r.output


def test_a_channel_the_world_no_longer_lists_keeps_the_parties_that_wrote_to_it() -> None:
    events = [
        {"channel": "joint", "party": "isr"},
        {"channel": "old", "party": None},
        {"channel": "old", "party": "syr"},
        {"channel": "old", "party": "isr"},
        {"channel": "system-only", "party": None},
    ]
    assert unlisted_channel_members(events, known={"joint"}) == {"old": ["isr", "syr"], "system-only": []}
