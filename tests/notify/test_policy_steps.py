"""The pure escalation steps (domain/acks.py): a world-file policy's plan is fixed when an item is
posted, each step is written once when due, and the default two steps stay exactly as they were."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from hotline.domain import findings, messages
from hotline.domain.access import Principal
from hotline.domain.world import World

from .worlds import demo_text

T0 = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)
FINDING_POLICY = """
[[escalation.policies]]
party = "*"
kind = "finding"
steps = [
  { delay = 0, targets = ["desk"], channels = ["console"] },
  { delay = 10, targets = ["supervisors", "principal:chief"], channels = ["console"] },
  { delay = 20, targets = ["mediator"], channels = ["console"] },
  { delay = 40, targets = ["mediator"], channels = ["console"] },
]

[[escalation.principals]]
name = "chief"
party = "isr"
"""


def world(extra: str = "") -> World:
    return World.from_dict(tomllib.loads(demo_text() + extra))


def run(w: World, evolve, state: dict, tick, until_s: int) -> tuple[dict, list]:  # noqa: ANN001
    written = []
    seq = 100
    for second in range(until_s + 1):
        for p in tick(w, state, T0 + timedelta(seconds=second)):
            seq += 1
            event = {"seq": seq, "type": p.type, "payload": p.payload, "party": p.party, "actor": p.actor,
                     "ts": (T0 + timedelta(seconds=second)).isoformat(), "channel": p.channel}
            state = evolve(state, event)
            written.append((second, p.payload["party"], p.type, p.payload.get("step")))
    return state, written


def test_a_finding_policy_walks_four_steps_each_once_at_its_offset() -> None:
    w = world(FINDING_POLICY)
    finding = {"rule": "notice.late", "parties": ["isr", "syr"], "notices": ["n-1"], "when": {"start": "x", "end": "y"}}
    raised = findings.decide_raise(w, None, finding, ["isr", "syr"], T0)[0]
    assert raised.payload["escalation"] == {"isr": [0, 10, 30, 70], "syr": [0, 10, 30, 70]}
    state = findings.evolve(None, {"seq": 1, "type": raised.type, "payload": raised.payload, "party": None,
                                   "actor": "hotline", "ts": T0.isoformat(), "channel": raised.channel})
    window = 60  # the FLASH deadline of the test world
    state, written = run(w, findings.evolve, state, findings.tick, window + 80)
    for party in ("isr", "syr"):
        assert [(s - window, t, n) for s, p, t, n in written if p == party] == [
            (0, "finding.ack_overdue", 1), (10, "finding.escalation_step", 2), (30, "finding.ack_escalated", 3),
            (70, "finding.escalation_step", 4)]
    assert len(written) == 8  # four steps for each of the two parties, none twice
    assert findings.next_due(state) is None
    assert {p: (e["overdue"], e["step"]) for p, e in state["addressees"].items()} == {"isr": (2, 4), "syr": (2, 4)}


def test_without_a_policy_a_message_escalates_as_it_always_did() -> None:
    w = world()
    who = Principal("isr-duty", "isr", "operator")
    posted = messages.decide_post(w, who, messages.PostMessage("msg-1", "joint", "FLASH", "s", "b", "en"), T0,
                                  None, None)[0]
    assert "escalation" not in posted.payload
    state = messages.evolve(None, {"seq": 1, "type": posted.type, "payload": posted.payload, "party": "isr",
                                   "actor": "isr-duty", "ts": T0.isoformat(), "channel": "joint"})
    state, written = run(w, messages.evolve, state, messages.tick, 300)
    assert sorted(written) == [(60, "syr", "message.ack_overdue", None), (60, "usa", "message.ack_overdue", None),
                               (120, "syr", "message.ack_escalated", None), (120, "usa", "message.ack_escalated", None)]
    assert {p: e["overdue"] for p, e in state["addressees"].items()} == {"syr": 2, "usa": 2}
