"""Envelope versions: a record begun before version 2 (hash over the global seq) and continued after it
(hash without it) verifies end to end, offline and as a chain; a change to either kind is named."""

from __future__ import annotations

import json

import pytest

from hotline.domain.events import Pending
from hotline.ledger.envelope import leaf_data, ledger_form, reader_form
from hotline.ledger.offline import verify_export
from hotline.ledger.seal import START, reseal, seal
from hotline.ledger.verify import verify_events

from .export_builder import ExportBuilder


def _mixed_builder() -> ExportBuilder:
    """Witness keys and 30 events sealed the version 1 way, checkpointed and cosigned; then 30 more
    sealed as version 2, checkpointed and cosigned again (the upgrade in the middle of a record)."""
    b = ExportBuilder()
    b.v = 1
    for party in ("isr", "syr", "usa"):
        b.register_witness(party)
    names = list(b.channels)
    for version in (1, 2):
        b.v = version
        for i in range(30):
            channel = names[i % 3]
            party = b.channels[channel][i % len(b.channels[channel])]
            b.event(channel, "message.posted", party, {"text": f"v{version} message {i}"})
        b.checkpoint_all()
    return b


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    b = _mixed_builder()
    path = b.write(tmp_path_factory.mktemp("mixed") / "export.jsonl")
    return b, path.read_bytes()


def _verify(b: ExportBuilder, data: bytes, tmp_path) -> object:
    path = tmp_path / "export.jsonl"
    path.write_bytes(data)
    return verify_export(path, trusted_server_keys=[b.server.verifier.vkey])


def _rewrite_event(data: bytes, seq: int, change) -> bytes:
    from hotline.ledger.envelope import canonical
    out = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b'{"event":') and json.loads(line)["event"]["seq"] == seq:
            ev = json.loads(line)["event"]
            change(ev)
            line = b'{"event":' + canonical(ev) + b',"kind":"event"}\n'
        out.append(line)
    return b"".join(out)


def test_an_export_of_version_1_then_version_2_events_verifies(mixed, tmp_path):
    b, data = mixed
    kinds = [("v" in json.loads(line)["event"]) for line in data.splitlines() if line.startswith(b'{"event":')]
    assert kinds == [False] * 33 + [True] * 30, "the fixture holds version 1 events, then version 2"
    report = _verify(b, data, tmp_path)
    assert report.ok, str(report)
    assert report.events == 63
    assert all(v.newest_cosigned == v.newest_checkpoint for v in report.channels.values()), str(report)


@pytest.mark.parametrize("seq", [5, 50], ids=["version-1", "version-2"])
def test_a_changed_event_of_either_version_is_named(mixed, tmp_path, seq):
    b, data = mixed
    tampered = _rewrite_event(data, seq, lambda ev: ev["payload"].update(text="rewritten"))
    report = _verify(b, tampered, tmp_path)
    assert not report.ok
    assert f"event seq={seq}" in report.problems[0] and "'hash'" in report.problems[0], report.problems


def test_a_version_1_event_relabelled_version_2_is_caught(mixed, tmp_path):
    b, data = mixed
    report = _verify(b, _rewrite_event(data, 7, lambda ev: ev.update(v=2)), tmp_path)
    assert not report.ok and "event seq=7" in report.problems[0], report.problems


def test_an_unknown_envelope_version_is_named(mixed, tmp_path):
    b, data = mixed
    report = _verify(b, _rewrite_event(data, 40, lambda ev: ev.update(v=3)), tmp_path)
    assert not report.ok
    assert "event seq=40" in report.problems[0] and "unknown envelope version 3" in report.problems[0]


def test_moving_version_2_events_in_the_global_order_breaks_the_seq_check(mixed, tmp_path):
    """Version 2 hashes leave the global seq out; the export still numbers events gaplessly, so a
    swapped or renumbered event is caught there."""
    b, data = mixed
    report = _verify(b, _rewrite_event(data, 45, lambda ev: ev.update(seq=99)), tmp_path)
    assert not report.ok and "expected seq 45, got 99" in report.problems[0], report.problems


def test_a_version_2_hash_and_leaf_do_not_depend_on_the_global_seq():
    decided = Pending("joint", "message.posted", "isr", "isr-duty", {"text": "x"})
    at_5, at_9 = (seal(decided, START, n, "2026-11-25T19:00:00Z").event for n in (5, 9))
    assert at_5.v == 2 and at_5.hash == at_9.hash
    assert leaf_data(at_5.to_dict()) == leaf_data(at_9.to_dict())
    old_5, old_9 = (seal(decided, START, n, "2026-11-25T19:00:00Z", v=1).event for n in (5, 9))
    assert old_5.hash != old_9.hash, "version 1 hashes cover the global seq"
    assert "v" not in old_5.to_dict()


@pytest.mark.parametrize("v", [1, 2])
def test_what_a_party_reads_checks_without_the_global_order(v):
    """The reader's form numbers the event by the reader's cursor; its ledger form gives back exactly
    what the hash and the Merkle leaf cover (for version 1, with the ``ledger_seq`` it carries)."""
    ev = seal(Pending("joint", "message.posted", "syr", "syr-duty", {"text": "y"}), START, 78,
              "2026-11-25T19:00:00Z", v=v).event.to_dict()
    read = reader_form(ev, 3)
    assert read["seq"] == 3
    assert ("ledger_seq" in read) == (v == 1)
    assert 78 not in read.values() or v == 1
    back = ledger_form(read)
    assert reseal({**back, "seq": back.get("seq", 0)}) == ev["hash"]
    assert leaf_data(back) == leaf_data(ev)


def test_verify_events_reads_both_versions_in_one_chain():
    first = seal(Pending("joint", "a.b", "isr", "isr-duty", {}), START, 1, "2026-11-25T19:00:00Z", v=1)
    second = seal(Pending("joint", "a.b", "syr", "syr-duty", {}), first.head, 2, "2026-11-25T19:00:01Z")
    assert verify_events([first.event.to_dict(), second.event.to_dict()]).ok
