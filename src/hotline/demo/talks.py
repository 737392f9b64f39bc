"""Seed the rounds of talks, understandings and commitments of ``talks.toml`` through the service.

Everything goes through the same use cases and rules as the API (recorded by the mediator's
supervisor, or by the owner's for a commitment's status), so the seed is ordinary ledger events. A
second run writes nothing: recording the same content again is a no-op.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from hotline.domain import commitments as c
from hotline.domain.access import Principal
from hotline.service import commitments as use
from hotline.service.hotline import Hotline

__all__ = ["seed_talks", "load_talks"]


def load_talks() -> dict[str, Any]:
    return tomllib.loads(resources.files("hotline.demo").joinpath("talks.toml").read_text("utf-8"))


async def seed_talks(hl: Hotline, data: dict[str, Any] | None = None) -> int:
    """Record the talks; returns how many records were new. The writer must be running."""
    data = data or load_talks()
    mediator = hl.world.mediator or next(iter(hl.world.parties))
    recorder = Principal(f"{mediator}-super", mediator, "supervisor")
    new = 0
    for r in data.get("rounds", []):
        _, created = await use.act(hl, recorder, c.RecordRound(
            r["id"], r["number"], r["place"], r["start"], r["end"], tuple(r["participants"]), r.get("summary", "")))
        new += created
    for u in data.get("understandings", []):
        _, created = await use.act(hl, recorder, c.RecordUnderstanding(
            u["id"], u["round"], u["title"], u["text"], u.get("track", "security"), u.get("workstream"),
            tuple(u.get("items", ()))))
        new += created
    for m in data.get("commitments", []):
        state, created = await use.act(hl, recorder, c.RecordCommitment(
            m["id"], m["understanding"], m["owner"], m["text"], m["due"]))
        new += created
        if m.get("status", "pending") != "pending" and state["status"] == "pending":
            owner = Principal(f"{m['owner']}-super", m["owner"], "supervisor")
            await use.act(hl, owner, c.ChangeStatus(m["id"], m["status"], m.get("note", ""),
                                                   tuple(m.get("evidence", []))))
    return new
