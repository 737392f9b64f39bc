"""Name what changed: compare the witness's own copy of a channel with what the server serves now.

Events are named by the seq the witness's party reads them under (its own cursor) and by their chain
index, which every party's witness shares: findings of several parties about one event can be matched.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe_changes"]

_CONTENT = ("ts", "type", "party", "actor", "payload")


def _content(ev: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(repr(ev.get(k)) for k in _CONTENT)


def describe_changes(mine: list[dict[str, Any]], served: list[dict[str, Any]]) -> list[str]:
    """Findings, one sentence each, naming the events by seq: changed, deleted, swapped, inserted, cut off."""
    by_seq = {e["seq"]: e for e in served}
    mine_by_seq = {e["seq"]: e for e in mine}
    where_now = {_content(e): e["seq"] for e in served}
    findings: list[str] = []
    reported: set[int] = set()
    for ev in mine:
        seq = ev["seq"]
        if seq in reported:
            continue
        now = by_seq.get(seq)
        if now is not None and _content(now) == _content(ev) and now["chain_index"] == ev["chain_index"]:
            continue
        moved_to = where_now.get(_content(ev))
        if moved_to is not None and moved_to != seq:
            other = mine_by_seq.get(moved_to)
            if other is not None and now is not None and _content(now) == _content(other):
                findings.append(f"events seq={seq} (chain index {ev['chain_index']}) and seq={moved_to} "
                                f"(chain index {other['chain_index']}) were swapped (each now carries the "
                                "other's content)")
                reported |= {seq, moved_to}
            else:
                findings.append(f"event seq={seq} (chain index {ev['chain_index']}) was moved: its content is now "
                                f"served as seq={moved_to}")
                reported.add(seq)
            continue
        if now is None:
            findings.append(f"event seq={seq} (chain index {ev['chain_index']}, {ev['type']}) was deleted: the "
                            "server no longer serves it")
        else:
            fields = [k for k in (*_CONTENT, "chain_index") if repr(now.get(k)) != repr(ev.get(k))]
            findings.append(f"event seq={seq} (chain index {ev['chain_index']}, {ev['type']}) was changed: "
                            f"{', '.join(fields)} differ from my copy")
        reported.add(seq)
    last_mine = max(mine_by_seq, default=0)
    for ev in served:
        if ev["seq"] not in mine_by_seq and ev["seq"] <= last_mine and ev["seq"] not in reported:
            findings.append(f"event seq={ev['seq']} (chain index {ev['chain_index']}, {ev['type']}) was inserted "
                            "into history I had already seen")
    if not findings and len(served) < len(mine):
        findings.append(f"the server serves {len(served)} events where I hold {len(mine)}")
    return findings
