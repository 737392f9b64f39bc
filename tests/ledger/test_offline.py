import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.ledger.checkpoint import Checkpoint, sign_checkpoint
from hotline.ledger.merkle import MerkleTree
from hotline.ledger.offline import compare_exports, prove_inconsistent, verify_export

from .export_builder import ExportBuilder, demo_builder


@pytest.fixture(scope="module")
def built():
    return demo_builder(60, every=20)


@pytest.fixture(scope="module")
def export_bytes(built, tmp_path_factory):
    return built.write(tmp_path_factory.mktemp("export") / "export.jsonl").read_bytes()


def verify(path, builder):
    return verify_export(path, trusted_server_keys=[builder.server.verifier.vkey])


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def test_a_generated_export_verifies(built, export_bytes, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(export_bytes)
    report = verify(path, built)
    assert report.ok, str(report)
    assert report.events == 63
    joint = report.channels["joint"]
    assert joint.events == joint.newest_checkpoint == joint.newest_cosigned == 23
    assert "VERIFIED" in str(report)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_byte_of_the_file_is_detected(built, export_bytes, tmp_path, data):
    """Every byte is stored data: each line must be canonical JSON and each value is bound by a hash,
    a signature or a cross-check, so no single-byte change leaves a file that verifies."""
    pos = data.draw(st.integers(0, len(export_bytes) - 1), label="position")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != export_bytes[pos]), label="byte")
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(export_bytes[:pos] + bytes([new]) + export_bytes[pos + 1:])
    report = verify(path, built)
    assert not report.ok, f"byte {pos} ({export_bytes[pos:pos + 1]!r} -> {bytes([new])!r}) went unnoticed"


def event_line_index(lines, seq):
    return next(i for i, line in enumerate(lines) if line.startswith(b'{"event":') and
                json.loads(line)["event"]["seq"] == seq)


def test_a_deleted_event_is_named(built, export_bytes, tmp_path):
    lines = lines_of(export_bytes)
    del lines[event_line_index(lines, 10)]
    (tmp_path / "x").write_bytes(b"".join(lines))
    report = verify(tmp_path / "x", built)
    assert not report.ok and "expected seq 10, got 11" in report.problems[0]


def test_reordered_events_are_named(built, export_bytes, tmp_path):
    lines = lines_of(export_bytes)
    i = event_line_index(lines, 20)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    (tmp_path / "x").write_bytes(b"".join(lines))
    report = verify(tmp_path / "x", built)
    assert not report.ok and "expected seq 20, got 21" in report.problems[0]


def test_reordered_checkpoints_are_named(built, export_bytes, tmp_path):
    lines = lines_of(export_bytes)
    cps = [i for i, line in enumerate(lines) if b'"kind":"checkpoint"' in line and b'"channel":"joint"' in line]
    a, b = cps[0], cps[1]
    block_a, block_b = lines[a:b], lines[b:cps[2]]
    lines[a:cps[2]] = block_b + block_a
    (tmp_path / "x").write_bytes(b"".join(lines))
    report = verify(tmp_path / "x", built)
    assert not report.ok and any("sorted by channel and size" in p for p in report.problems)


def test_truncated_events_are_named(built, export_bytes, tmp_path):
    """The host drops the last events of a channel but keeps the checkpoints it already published."""
    lines = lines_of(export_bytes)
    last = max(i for i, line in enumerate(lines) if line.startswith(b'{"event":'))
    del lines[last]  # seq 63, channel 'syr-usa'
    (tmp_path / "x").write_bytes(b"".join(lines))
    report = verify(tmp_path / "x", built)
    assert not report.ok
    assert any("channel 'syr-usa' at size 20" in p and "removed from the end" in p for p in report.problems)


def test_truncate_and_regrow_is_named(tmp_path):
    """The host rewinds the log to seq 30 and writes different events, re-signing new checkpoints; the
    old checkpoints and their cosignatures no longer match the events."""
    honest = demo_builder(60, every=20)
    rewritten = demo_builder(0)
    rewritten.server, rewritten.witness = honest.server, honest.witness
    rewritten.events, rewritten.trees, rewritten.heads, rewritten.seq = [], {}, {}, 0
    rewritten.trees = {c: MerkleTree() for c in rewritten.channels}
    rewritten.heads = dict.fromkeys(rewritten.channels, "0" * 64)
    for ev in honest.events[:30]:
        rewritten.event(ev["channel"], ev["type"], ev["party"], ev["payload"])
    for i in range(33):
        rewritten.event("joint", "message.posted", "isr", {"text": f"rewritten {i}"})
    rewritten.checkpoint_all()
    path = tmp_path / "regrown.jsonl"
    rewritten.checkpoints = honest.checkpoints + rewritten.checkpoints
    rewritten.cosignatures = honest.cosignatures
    rewritten.write(path)
    report = verify(path, honest)
    assert not report.ok
    assert any("channel 'joint'" in p and "was rewritten" in p for p in report.problems), str(report)


def test_split_view_between_two_exports_is_proved(tmp_path):
    a = demo_builder(30, every=10)
    b = ExportBuilder()
    b.server = a.server
    other_root = Checkpoint(a.origins["joint"], 10, b"\x07" * 32)
    note_a = next(n for c, n in a.checkpoints if c == "joint" and "\n10\n" in n)
    note_b = sign_checkpoint(other_root, a.server)
    evidence = prove_inconsistent(note_a, note_b, [a.server.verifier])
    assert evidence is not None and "size 10 with different roots" in str(evidence)
    assert prove_inconsistent(note_a, note_a, [a.server.verifier]) is None
    path_a = a.write(tmp_path / "a.jsonl")
    a.checkpoints = [(c, note_b if n == note_a else n) for c, n in a.checkpoints]
    body_a = note_a[: note_a.rfind("\n\n") + 1]
    a.cosignatures = [x for x in a.cosignatures if not x[2].startswith(body_a + "\n")]  # never cosigned
    path_b = a.write(tmp_path / "b.jsonl")
    found = compare_exports(path_a, path_b, [a.server.verifier.vkey])
    assert len(found) == 1 and found[0].first.size == 10


def test_split_view_at_different_sizes_needs_a_failing_proof():
    a = demo_builder(30, every=10)
    tree = MerkleTree(a.trees["joint"]._levels[0][:5])
    fork = MerkleTree(a.trees["joint"]._levels[0][:4])
    fork.append(b"\x09" * 32)
    for _ in range(3):
        fork.append(b"\x08" * 32)
    small = sign_checkpoint(Checkpoint(a.origins["joint"], 5, tree.root()), a.server)
    big = sign_checkpoint(Checkpoint(a.origins["joint"], 8, fork.root()), a.server)
    evidence = prove_inconsistent(small, big, [a.server.verifier], fork.consistency_proof(5, 8))
    assert evidence is not None and "not consistent" in str(evidence)


def test_witness_key_registered_by_another_party_is_refused(tmp_path):
    b = demo_builder(0)
    key = b.witness["syr"]
    v = key.verifier
    b.event("joint", "witness_key.registered", "isr", {"party": "syr", "vkey": v.vkey, "key_id": v.key_id.hex()})
    b.event("joint", "message.posted", "isr", {"text": "x"})
    b.checkpoint_all()
    report = verify(b.write(tmp_path / "x"), b)
    assert report.ok, str(report)
    assert any("key refused" in w and "'isr'" in w for w in report.warnings)


def test_cosignature_by_a_revoked_key_is_refused(tmp_path):
    b = demo_builder(6, every=3)
    old = b.witness["usa"]
    b.register_witness("usa", revoke=True)
    b.event("joint", "message.posted", "isr", {"text": "after rotation"})
    b.witness["usa"] = old  # a stale or stolen key keeps cosigning
    b.checkpoint("joint")
    report = verify(b.write(tmp_path / "x"), b)
    assert not report.ok
    assert any("cosignature by 'usa'" in p and "revoked key" in p for p in report.problems), str(report)


def test_a_checkpoint_not_signed_by_the_trusted_server_key_is_refused(tmp_path):
    b = demo_builder(6, every=3)
    impostor = demo_builder(0).server
    report = verify_export(b.write(tmp_path / "x"), trusted_server_keys=[impostor.verifier.vkey])
    assert not report.ok and "expected one of the trusted server keys" in report.problems[0]
