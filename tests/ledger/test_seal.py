"""One sealing function: whatever the writer seals (envelope version 2, whose hash and Merkle leaf leave
the global seq out), the offline verifier accepts, byte for byte. Reading version 1 records is in
test_envelope_versions.py."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.events import Pending
from hotline.ledger.envelope import canonical, leaf_data
from hotline.ledger.offline import verify_export, write_export
from hotline.ledger.seal import START, ChainHead, reseal, seal
from hotline.ledger.verify import verify_events
from hotline.service.records import all_events
from hotline.service.writer import Writer
from hotline.store.database import Database
from hotline.testing import FakeClock

from .export_builder import ExportBuilder

CHANNELS = {"joint": ["isr", "syr", "usa"], "isr-usa": ["isr", "usa"], "syr-usa": ["syr", "usa"]}

# JSON as a decision may produce it: astral characters, integers up to the safe range, floats (the
# canonical form refuses integral values beyond 2**53, so a decision never produces them).
_scalars = (st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
            | st.floats(-1e15, 1e15) | st.text(max_size=12))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
_pending = st.builds(
    Pending,
    channel=st.sampled_from(sorted(CHANNELS)),
    type=st.sampled_from(["message.posted", "message.acknowledged", "incident.reported"]),
    party=st.sampled_from(["isr", "syr", "usa", None]),
    actor=st.sampled_from(["isr-duty", "syr-duty", "usa-duty", "hotline"]),
    payload=st.dictionaries(st.text(max_size=8), _json, max_size=5),
)
# Several commands arriving together: each is a list of decided events, all committed in one batch.
_batches = st.lists(st.lists(st.lists(_pending, min_size=1, max_size=3), min_size=1, max_size=4),
                    min_size=1, max_size=3)


async def _write_through_the_writer(url: str, batches: list[list[list[Pending]]]) -> list[dict[str, Any]]:
    db = Database(url)
    await db.migrate()
    committed: list[dict[str, Any]] = []
    writer = Writer(db, FakeClock(), lambda events, _due, _cursors: committed.extend(e.to_dict() for e in events))
    writer.start()
    try:
        for batch in batches:
            async def handle(_uow: Any, decided: list[Pending]) -> list[Pending]:
                return decided
            await asyncio.gather(*(writer.submit(lambda uow, d=decided: handle(uow, d)) for decided in batch))
        stored = [ev.to_dict() async for ev in all_events(db)]
    finally:
        await writer.stop()
        await db.dispose()
    assert stored == committed, "what the store reads back is what the writer sealed"
    return committed


@settings(max_examples=20, deadline=None)
@given(batches=_batches)
def test_whatever_the_writer_seals_the_offline_verifier_accepts_byte_for_byte(batches):
    with tempfile.TemporaryDirectory() as tmp:
        events = asyncio.run(_write_through_the_writer(f"sqlite:///{Path(tmp) / 'h.db'}", batches))
        assert len(events) == sum(len(d) for batch in batches for d in batch)
        assert all(ev["v"] == 2 for ev in events), "the writer seals envelope version 2"
        b = ExportBuilder(CHANNELS)
        for ev in events:
            b.trees[ev["channel"]].append_data(leaf_data(ev))
        for channel, tree in b.trees.items():
            if len(tree):
                b.checkpoint(channel, cosigners=[])
        path = Path(tmp) / "export.jsonl"
        with open(path, "wb") as fp:
            write_export(fp, {"channels": b.channels, "origins": b.origins}, events, b.checkpoints, [],
                         [b.server.verifier.vkey], header_signers=[b.server])
        lines = path.read_bytes().splitlines()
        event_lines = [line for line in lines if line.startswith(b'{"event":')]
        assert event_lines == [b'{"event":' + canonical(ev) + b',"kind":"event"}' for ev in events]
        report = verify_export(path, trusted_server_keys=[b.server.verifier.vkey])
        assert report.ok, str(report)
        assert report.events == len(events)
        assert verify_events(events).ok


def test_resealing_names_the_one_changed_field():
    first = seal(Pending("joint", "message.posted", "isr", "isr-duty", {"text": "שלום 🙂", "n": 1.5}),
                 START, 1, "2026-11-25T19:00:00Z")
    second = seal(Pending("joint", "message.acknowledged", "syr", "syr-duty", {"of": 1}), first.head, 2,
                  "2026-11-25T19:00:01Z")
    assert second.event.prev_hash == first.event.hash and second.event.chain_index == 1
    assert first.payload_text.encode() == canonical(first.event.payload)
    for ev in (first.event, second.event):
        assert reseal(ev.to_dict()) == ev.hash
    tampered = {**second.event.to_dict(), "ts": "2026-11-25T19:00:02Z"}
    report = verify_events([first.event.to_dict(), tampered])
    assert not report.ok and report.broken is not None
    assert (report.broken.seq, report.broken.field) == (2, "hash")
    assert seal(second.event, ChainHead(1, first.event.hash), 2, second.event.ts).event == second.event


@pytest.mark.parametrize("payload", [{"big": 2**53 - 1}, {"key\U0001f600": "astral key"}, {"x": -0.0}])
def test_awkward_payloads_seal_to_what_is_stored(payload):
    sealed = seal(Pending("joint", "message.posted", "isr", "isr-duty", payload), START, 1, "2026-11-25T19:00:00Z")
    assert canonical(sealed.event.payload).decode() == sealed.payload_text
    assert reseal(sealed.event.to_dict()) == sealed.event.hash
