"""Verify an exported ledger offline: chains, Merkle roots, signed checkpoints and party cosignatures.

Export file (JSON lines, UTF-8, every line in RFC 8785 canonical form and ending in ``\\n``)::

    {"channels":{"joint":["isr","syr","usa"]},"format":"hotline-export","origins":{"joint":"hotline.example/joint"},"version":1}
    {"kind":"server_key","vkey":"hotline.example/server+1a2b3c4d+AU..."}       one or more
    {"event":{...envelope...},"kind":"event"}                                  every event, in seq order
    {"channel":"joint","kind":"checkpoint","note":"hotline.example/joint\\n1000\\n...\\n\\n— ...\\n"}
    {"channel":"joint","kind":"cosignature","note":"...","party":"isr"}        after its checkpoint
    {"batch":"tb-...","kind":"track_point","point":{...}}                      last (see track_batches)

Checkpoints are sorted by channel then size; each is followed by its cosignatures sorted by party.

Events carry their global ``seq`` (the export is the whole ledger, read by whoever holds all of it) and
are of either envelope version (``envelope``): version 1 (no ``v``; its hash and Merkle leaf cover the
seq) or version 2 (``"v":2``; hash and leaf leave the seq out). A ledger begun before version 2 holds
both, version 1 first. The export format itself is unchanged (``version`` 1 in the header).

What "stored byte" means: every byte of the file. Each line must be the canonical encoding of its
value, so a byte cannot change without changing a value; and every value is bound to something checked:
events by their hash chain and, through the Merkle root, by the server's signed checkpoints; notes by
their signatures (base64 in its one canonical spelling); record fields by what they must agree with
(the checkpoint origin, the cosigning party's key, the header); the header by the records it declares.

Witness keys are ledger events: ``witness_key.registered`` and ``witness_key.revoked`` with payload
``{"party", "vkey", "key_id"}`` (a cosignature/v1 vkey and its 8-hex key ID), made by that party
(``event.party == payload.party``, else the key is refused). A key is valid for a checkpoint whose last
event has seq ``s`` when it was registered at a seq <= s and not revoked at a seq <= s.

The trust anchor is the server key: pass ``trusted_server_keys`` (vkeys obtained out of band). Without
them the keys in the file are used and the report says so; then only the party cosignatures, whose keys
come from the ledger, stand between the host and a rewrite.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NoReturn

import orjson

from .checkpoint import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    Checkpoint,
    CheckpointError,
    SignerKey,
    VerifierKey,
    open_checkpoint,
    parse_vkey,
    sign_note,
    verify_note,
)
from .cosign import verify_cosignature
from .envelope import canonical, is_canonical
from .merkle import MerkleTree, ProofError, verify_consistency
from .track_batches import check_batches
from .verify import encoded_leaf, verify_events

__all__ = [
    "FORMAT",
    "VERSION",
    "ChannelVerdict",
    "ExportError",
    "Inconsistency",
    "Report",
    "compare_exports",
    "prove_inconsistent",
    "verify_export",
    "write_export",
]

FORMAT = "hotline-export"
VERSION = 1
_HEADER_KEYS = {"channels", "format", "origins", "version"}
_EVENT_HEAD, _EVENT_TAIL = b'{"event":', b',"kind":"event"}'
KEY_REGISTERED, KEY_REVOKED = "witness_key.registered", "witness_key.revoked"

Source = str | os.PathLike[str] | Iterable[bytes] | Iterable[str]


class ExportError(ValueError):
    """``write_export`` was given records that cannot form a valid export."""


@dataclass
class ChannelVerdict:
    channel: str
    members: tuple[str, ...]
    events: int = 0
    newest_checkpoint: int | None = None  # tree size
    newest_cosigned: int | None = None  # tree size of the newest checkpoint cosigned by every member

    def __str__(self) -> str:
        cp = "none" if self.newest_checkpoint is None else f"size {self.newest_checkpoint}"
        co = "none" if self.newest_cosigned is None else f"size {self.newest_cosigned}"
        return (f"channel {self.channel!r}: {self.events} events; newest checkpoint {cp}; newest checkpoint "
                f"cosigned by every member ({', '.join(self.members)}): {co}")


@dataclass
class Report:
    lines: int = 0
    events: int = 0
    channels: dict[str, ChannelVerdict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = "VERIFIED" if self.ok else "FAILED"
        out = [f"{head}: {self.events} events in {self.lines} lines"]
        out += [f"  {v}" for v in self.channels.values()]
        out += [f"  problem: {p}" for p in self.problems]
        out += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(out)


@dataclass(frozen=True)
class _Key:
    key: VerifierKey
    registered: int
    revoked: int | None = None


def _lines(source: Source) -> Iterator[bytes]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fp:
            yield from fp
    else:
        for line in source:
            yield line.encode() if isinstance(line, str) else line


class _Stop(Exception):
    """The first unrecoverable problem; already recorded in the report."""


class _Verifier:
    def __init__(self, report: Report, trusted: list[VerifierKey] | None, lines: Iterator[bytes]) -> None:
        self.report = report
        self.lines = lines
        self.trusted = trusted
        self.server_keys: list[VerifierKey] = []
        self.members: dict[str, tuple[str, ...]] = {}
        self.origins: dict[str, str] = {}
        self.trees: dict[str, MerkleTree] = {}
        self.seqs: dict[str, list[int]] = {}
        self.key_events: list[dict[str, Any]] = []
        self.parties: set[str] = set()
        self.track_batches: dict[str, dict[str, Any]] = {}  # batch id -> track.batch_sealed payload
        self.lineno = 0
        self.pending: bytes | None = None

    def fail(self, where: str, detail: str) -> None:
        self.report.problems.append(f"line {self.lineno}, {where}: {detail}")

    def stop(self, where: str, detail: str) -> NoReturn:
        self.fail(where, detail)
        raise _Stop

    def take(self) -> bytes | None:
        """The next line without its LF (the pushed-back one first), or None at the end."""
        if self.pending is not None:
            line, self.pending = self.pending, None
            return line
        raw = next(self.lines, None)
        if raw is None:
            return None
        self.lineno += 1
        if not raw.endswith(b"\n") or b"\r" in raw:
            self.stop("record", "expected a line ending in a single LF (\\n), got another ending")
        return raw[:-1]

    def record(self, line: bytes, keys: set[str] | None) -> dict[str, Any]:
        """Parse one non-event line, strictly: canonical JSON object with exactly ``keys``."""
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            self.stop("record", f"expected a JSON object, got invalid JSON ({e})")
        if not isinstance(value, dict):
            self.stop("record", f"expected a JSON object, got {type(value).__name__}")
        if canonical(value) != line:
            self.stop(f"{value.get('kind', 'header')} record", "expected the RFC 8785 canonical form of the "
                      "line, got another spelling (the line was edited)")
        if keys is not None and set(value) != keys:
            self.stop(f"{value.get('kind', 'header')} record",
                      f"expected fields {sorted(keys)}, got {sorted(value)}")
        result: dict[str, Any] = value
        return result

    def header(self, line: bytes) -> None:
        self.header_line = line
        h = self.record(line, _HEADER_KEYS)
        if h["format"] != FORMAT or h["version"] != VERSION:
            self.stop("header", f"expected format {FORMAT!r} version {VERSION}, got {h['format']!r} version "
                      f"{h['version']!r}")
        channels, origins = h["channels"], h["origins"]
        if not isinstance(channels, dict) or not isinstance(origins, dict) or set(channels) != set(origins):
            self.stop("header", "expected 'channels' and 'origins' objects naming the same channels")
        for name, members in channels.items():
            if (not isinstance(members, list) or not members or len(set(members)) != len(members)
                    or not all(isinstance(m, str) for m in members)):
                self.stop("header", f"expected a list of distinct party names for channel {name!r}, "
                          f"got {members!r}")
            if not isinstance(origins[name], str):
                self.stop("header", f"expected an origin string for channel {name!r}")
            self.members[name] = tuple(members)
            self.origins[name] = origins[name]
            self.trees[name] = MerkleTree()
            self.seqs[name] = []
            self.report.channels[name] = ChannelVerdict(name, tuple(members))

    def server_key(self, value: dict[str, Any]) -> None:
        try:
            key = parse_vkey(value["vkey"]) if isinstance(value["vkey"], str) else None
        except CheckpointError as e:
            self.stop("server key", str(e))
        if key is None or key.alg != ALG_ED25519:
            self.stop("server key", "expected an Ed25519 note vkey (type 0x01)")
        if self.trusted is not None and key not in self.trusted:
            self.fail("server key", f"expected one of the trusted server keys, got {value['vkey']!r}")
        self.server_keys.append(key)

    def events(self) -> Iterator[tuple[dict[str, Any], bytes]]:
        """Yield the event records to ``verify_events``; index each one it accepted."""
        trees, seqs, head, tail = self.trees, self.seqs, _EVENT_HEAD, _EVENT_TAIL
        while (line := self.take()) is not None:
            if not (line.startswith(head) and line.endswith(tail)):
                self.pending = line
                return
            body = line[len(head):-len(tail)]
            try:
                ev = orjson.loads(body)
            except orjson.JSONDecodeError as e:
                self.stop("event record", f"expected a JSON event, got invalid JSON ({e})")
            if type(ev) is not dict or not is_canonical(ev, body):
                self.stop(f"event seq={ev.get('seq') if type(ev) is dict else None}",
                          "expected the RFC 8785 canonical form of the event, got another spelling "
                          "(the line was edited)")
            channel = ev.get("channel")
            if not isinstance(channel, str) or channel not in trees:
                self.stop(f"event seq={ev.get('seq')}", f"expected a channel declared in the header, "
                          f"got {channel!r}")
            yield ev, body
            # verify_events asked for the next event: this one is linked and its hash is right.
            trees[channel].append_data(encoded_leaf(ev, body))
            seqs[channel].append(ev["seq"])
            if ev["type"] in (KEY_REGISTERED, KEY_REVOKED):
                self.key_events.append(ev)
            elif ev["type"] == "track.batch_sealed":
                self.track_batches[ev["payload"]["batch_id"]] = ev["payload"]
            self.parties.add(ev["party"])

    def witness_keys(self) -> dict[str, list[_Key]]:
        keys: dict[str, list[_Key]] = {}
        for ev in self.key_events:
            p = ev["payload"]
            where = f"event seq={ev['seq']} ({ev['type']})"
            if not isinstance(p, dict) or not {"party", "vkey", "key_id"} <= set(p):
                self.report.warnings.append(f"{where}: key refused, expected payload party, vkey and key_id")
                continue
            if p["party"] != ev["party"]:
                self.report.warnings.append(f"{where}: key refused, expected it to be made by party "
                                            f"{p['party']!r}, got an event of party {ev['party']!r}")
                continue
            try:
                key = parse_vkey(p["vkey"])
            except (CheckpointError, AttributeError) as e:
                self.report.warnings.append(f"{where}: key refused, {e}")
                continue
            if key.alg != ALG_COSIGNATURE_V1 or key.key_id.hex() != p["key_id"]:
                self.report.warnings.append(f"{where}: key refused, expected a cosignature/v1 vkey whose key "
                                            f"ID is {p['key_id']!r}, got {p['vkey']!r}")
                continue
            party_keys = keys.setdefault(p["party"], [])
            if ev["type"] == KEY_REGISTERED:
                party_keys.append(_Key(key, ev["seq"]))
                continue
            for i, k in enumerate(party_keys):
                if k.key == key and k.revoked is None:
                    party_keys[i] = _Key(k.key, k.registered, ev["seq"])
                    break
            else:
                self.report.warnings.append(f"{where}: revokes key {p['key_id']} of {p['party']!r}, "
                                            "which was not registered")
        return keys

    def checkpoints(self) -> None:
        keys = self.witness_keys()
        last: dict[str, Checkpoint] = {}
        current: tuple[str, Checkpoint, int, set[str]] | None = None  # channel, checkpoint, seq, cosigners
        order: tuple[str, int] = ("", -1)
        while (line := self.take()) is not None:
            value = self.record(line, None)
            kind = value.get("kind")
            if kind == "checkpoint":
                self.close(current)
                self.record(line, {"channel", "kind", "note"})
                current = self.checkpoint(value, last, order)
                if current is not None:
                    order = (current[0], current[1].size)
            elif kind == "cosignature":
                self.record(line, {"channel", "kind", "note", "party"})
                self.cosignature(value, current, keys)
            elif kind == "track_point":
                self.pending = line
                break
            else:
                self.stop(f"{kind} record", "expected a checkpoint or a cosignature here (events and keys "
                          "come first, in seq order)")
        self.close(current)

    def track_points(self) -> None:
        """The sealed batches' points, last: each batch's Merkle root must match its sealed event."""
        points: dict[str, list[dict[str, Any]]] = {}
        while (line := self.take()) is not None:
            value = self.record(line, {"batch", "kind", "point"})
            if value.get("kind") != "track_point" or not isinstance(value.get("point"), dict):
                self.stop(f"{value.get('kind')} record", "expected only track_point records after the checkpoints")
            points.setdefault(str(value["batch"]), []).append(value["point"])
        for problem in check_batches(self.track_batches, points):
            self.fail("track points", problem)

    def checkpoint(self, value: dict[str, Any], last: dict[str, Checkpoint],
                   order: tuple[str, int]) -> tuple[str, Checkpoint, int, set[str]] | None:
        channel = value["channel"]
        if not isinstance(channel, str) or channel not in self.trees:
            self.fail("checkpoint", f"expected a channel declared in the header, got {channel!r}")
            return None
        try:
            signed = open_checkpoint(value["note"], self.server_keys, origin=self.origins[channel])
        except (CheckpointError, TypeError) as e:
            self.fail(f"checkpoint of channel {channel!r}", str(e))
            return None
        cp = signed.checkpoint
        where = f"checkpoint of channel {channel!r} at size {cp.size}"
        if (channel, cp.size) <= order:
            self.fail(where, f"expected checkpoints sorted by channel and size, got it after {order[0]!r} "
                      f"size {order[1]} (checkpoints were reordered or duplicated)")
            return None
        tree, seqs = self.trees[channel], self.seqs[channel]
        if cp.size > len(tree):
            self.fail(where, f"expected at least {cp.size} events in the channel, got {len(tree)}: events "
                      "were removed from the end after this checkpoint was signed")
            return None
        seq = seqs[cp.size - 1] if cp.size else 0
        if tree.root(cp.size) != cp.root_hash:
            self.fail(where, f"expected the signed root {cp.root_hash.hex()[:16]}…, got "
                      f"{tree.root(cp.size).hex()[:16]}… from the events up to seq={seq}: an event of this "
                      "channel up to that seq was rewritten, removed or inserted after it was checkpointed")
            return None
        prev = last.get(channel)
        if prev is not None:
            try:
                proof = tree.consistency_proof(prev.size, cp.size) if prev.size else []
                verify_consistency(prev.size, cp.size, prev.root_hash, cp.root_hash, proof)
            except ProofError as e:
                self.fail(where, f"not consistent with the checkpoint at size {prev.size}: {e}")
                return None
        last[channel] = cp
        verdict = self.report.channels[channel]
        verdict.newest_checkpoint = cp.size
        return channel, cp, seq, set()

    def cosignature(self, value: dict[str, Any], current: tuple[str, Checkpoint, int, set[str]] | None,
                    keys: dict[str, list[_Key]]) -> None:
        party, channel = value["party"], value["channel"]
        where = f"cosignature by {party!r}"
        if not isinstance(party, str):
            self.fail(where, "expected a party name")
            return
        if current is None or current[0] != channel:
            self.fail(where, f"expected it right after a valid checkpoint of channel {channel!r}")
            return
        _, cp, seq, cosigners = current
        where += f" of channel {channel!r} at size {cp.size}"
        if party not in self.members[channel]:
            self.fail(where, f"expected a member of the channel ({', '.join(self.members[channel])}), "
                      f"got {party!r}")
            return
        if cosigners and party <= max(cosigners):
            self.fail(where, "expected cosignatures sorted by party, one per party (they were reordered "
                      "or duplicated)")
            return
        party_keys = keys.get(party, [])
        valid = [k.key for k in party_keys if k.registered <= seq and (k.revoked is None or seq < k.revoked)]
        revoked = [k.key for k in party_keys if k.revoked is not None and k.revoked <= seq]
        try:
            verify_cosignature(value["note"], valid, revoked=revoked, checkpoint=cp)
        except (CheckpointError, TypeError) as e:
            self.fail(where, f"{e} (checked against the keys of {party!r} valid at seq={seq})")
            return
        cosigners.add(party)

    def close(self, current: tuple[str, Checkpoint, int, set[str]] | None) -> None:
        if current is not None and set(self.members[current[0]]) <= current[3]:
            self.report.channels[current[0]].newest_cosigned = current[1].size


def verify_export(source: Source, *, trusted_server_keys: Iterable[str | VerifierKey] | None = None) -> Report:
    """Verify an export file (a path or its lines) and return a report naming every problem found."""
    report = Report()
    trusted = None
    if trusted_server_keys is not None:
        trusted = [parse_vkey(k) if isinstance(k, str) else k for k in trusted_server_keys]
    v = _Verifier(report, trusted, _lines(source))
    try:
        first = v.take()
        if first is None:
            v.stop("header", "expected a header line, got an empty file")
        v.header(first)
        while (line := v.take()) is not None and line.startswith(b'{"kind":"server_key"'):
            v.server_key(v.record(line, {"kind", "vkey"}))
        v.pending = line
        if not v.server_keys:
            v.stop("server key", "expected at least one server_key record after the header")
        if trusted is None:
            report.warnings.append("no trusted server keys given: the server keys in the file were used")
        else:
            v.server_keys = trusted
        header_signed = False
        if line is not None and line.startswith(b'{"kind":"header_signature"'):
            # The server's signature over the header binds the channel member lists, which no event
            # need mention (a mediator that has not spoken yet is still a member).
            note = v.record(line, {"kind", "note"})["note"]
            try:
                parsed, good = verify_note(note, v.server_keys)
            except CheckpointError as e:
                v.stop("header signature", f"expected the server's signature over the header: {e}")
            if not good:
                v.stop("header signature", "expected a signature by a server key, got none")
            if parsed.text.encode() != v.header_line + b"\n":
                v.stop("header signature", "expected a signature over this header, got one over another text")
            header_signed = True
            v.pending = None
        chain = verify_events(v.events(), encoded=True)
        report.events = chain.events
        for name, count in chain.channels.items():
            report.channels[name].events = count
        if chain.broken is not None:
            v.stop("event", str(chain.broken))
        for channel, members in v.members.items():
            for party in members:
                if not header_signed and party not in v.parties:
                    report.problems.append(f"header: channel {channel!r} lists member {party!r}, "
                                           "a party that made no event in the ledger")
        v.checkpoints()
        v.track_points()
    except _Stop:
        pass
    report.lines = v.lineno
    return report


def write_export(fp: IO[bytes], header: dict[str, Any], events: Iterable[dict[str, Any]],
                 checkpoints: Iterable[tuple[str, str]], cosignatures: Iterable[tuple[str, str, str]],
                 server_keys: Iterable[str], header_signers: Sequence[SignerKey] = (),
                 track_points: Iterable[tuple[str, dict[str, Any]]] = ()) -> None:
    """Write an export: ``header`` ({"channels": {name: [parties]}, "origins": {name: origin}}), the
    server ``vkeys``, ``events`` (dicts in seq order), ``checkpoints`` as (channel, signed note) and
    ``cosignatures`` as (channel, party, cosignature note). ``events`` is consumed before the
    checkpoints and cosignatures, so they may be produced while the events are generated."""
    head = {"format": FORMAT, "version": VERSION, "channels": header["channels"], "origins": header["origins"]}
    if set(header) - _HEADER_KEYS:
        raise ExportError(f"expected header fields {sorted(_HEADER_KEYS)}, got {sorted(header)}")
    fp.write(canonical(head) + b"\n")
    keys = list(server_keys)
    if not keys:
        raise ExportError("expected at least one server key, got none")
    for vkey in keys:
        fp.write(canonical({"kind": "server_key", "vkey": vkey}) + b"\n")
    if header_signers:
        note = sign_note(canonical(head).decode() + "\n", header_signers)
        fp.write(canonical({"kind": "header_signature", "note": note}) + b"\n")
    for ev in events:
        fp.write(_EVENT_HEAD + canonical(ev) + _EVENT_TAIL + b"\n")
    by_body: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for channel, party, note in cosignatures:
        body = note[: note.rfind("\n\n") + 1]
        by_body.setdefault((channel, body), []).append((party, note))
    ordered = []
    for channel, note in checkpoints:
        body = note[: note.rfind("\n\n") + 1]
        ordered.append((channel, Checkpoint.parse(body).size, body, note))
    ordered.sort(key=lambda c: (c[0], c[1]))
    for channel, _, body, note in ordered:
        fp.write(canonical({"kind": "checkpoint", "channel": channel, "note": note}) + b"\n")
        for party, cnote in sorted(by_body.pop((channel, body), [])):
            fp.write(canonical({"kind": "cosignature", "channel": channel, "party": party, "note": cnote}) + b"\n")
    if by_body:
        (channel, body), _ = next(iter(by_body.items()))
        raise ExportError(f"expected every cosignature to follow a checkpoint in the export, got one over "
                          f"{body.splitlines()[:2]} of channel {channel!r} without its checkpoint")
    for batch, point in track_points:
        fp.write(canonical({"kind": "track_point", "batch": batch, "point": point}) + b"\n")


@dataclass(frozen=True)
class Inconsistency:
    """Two checkpoints signed by the server that cannot both describe one append-only log."""

    origin: str
    first: Checkpoint
    second: Checkpoint
    notes: tuple[str, str]
    detail: str

    def __str__(self) -> str:
        return f"split view of {self.origin}: {self.detail}"


def prove_inconsistent(note_a: str, note_b: str, server_keys: Iterable[VerifierKey],
                       proof: Sequence[bytes] | None = None) -> Inconsistency | None:
    """Return the evidence if two signed checkpoints of one origin contradict each other, else None.

    Same size and different roots is a contradiction in itself. For different sizes, pass the
    consistency proof the log gives from the smaller to the larger: a proof that fails is the evidence
    (a log that cannot produce a valid proof has forked). Both notes must verify with ``server_keys``.
    """
    keys = list(server_keys)
    a, b = open_checkpoint(note_a, keys).checkpoint, open_checkpoint(note_b, keys).checkpoint
    if a.origin != b.origin:
        raise CheckpointError(f"expected two checkpoints of one log, got origins {a.origin!r} and {b.origin!r}")
    if a.size > b.size:
        a, b, note_a, note_b = b, a, note_b, note_a
    if a.size == b.size:
        if a.root_hash == b.root_hash:
            return None
        return Inconsistency(a.origin, a, b, (note_a, note_b),
                             f"two signed checkpoints at size {a.size} with different roots "
                             f"{a.root_hash.hex()[:16]}… and {b.root_hash.hex()[:16]}…")
    if proof is None:
        return None
    try:
        verify_consistency(a.size, b.size, a.root_hash, b.root_hash, proof)
    except ProofError as e:
        return Inconsistency(a.origin, a, b, (note_a, note_b),
                             f"signed checkpoints at sizes {a.size} and {b.size} are not consistent: {e}")
    return None


def compare_exports(a: Source, b: Source, server_keys: Iterable[str | VerifierKey]) -> list[Inconsistency]:
    """Every pair of same-origin, same-size checkpoints of two exports whose signed roots differ."""
    keys = [parse_vkey(k) if isinstance(k, str) else k for k in server_keys]
    seen: dict[tuple[str, int], str] = {}
    for line in _lines(a):
        if line.startswith(b'{"channel":') and b'"kind":"checkpoint"' in line:
            note = orjson.loads(line)["note"]
            cp = open_checkpoint(note, keys).checkpoint
            seen[(cp.origin, cp.size)] = note
    found = []
    for line in _lines(b):
        if line.startswith(b'{"channel":') and b'"kind":"checkpoint"' in line:
            note = orjson.loads(line)["note"]
            cp = open_checkpoint(note, keys).checkpoint
            other = seen.get((cp.origin, cp.size))
            if other is not None:
                evidence = prove_inconsistent(other, note, keys)
                if evidence is not None:
                    found.append(evidence)
    return found
