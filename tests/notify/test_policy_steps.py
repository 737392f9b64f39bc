"""The pure escalation steps (domain/acks.py, desks.py, incidents.py): a world-file policy's plan is
fixed when its trigger is written, each step is written once when due, and the default steps stay
exactly as they were."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime, timedelta

from hotline.domain import desks, findings, incidents, messages
from hotline.domain.access import Principal
from hotline.domain.timefmt import iso
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


DESK_POLICIES = """
[[escalation.policies]]
party = "syr"
kind = "desk_unmanned"
steps = [
  { delay = 60, targets = ["supervisors"], channels = ["email"] },
  { delay = 60, targets = ["mediator"], channels = ["webhook"] },
]

[[escalation.policies]]
party = "isr"
kind = "link_test"
steps = [
  { delay = 0, targets = ["supervisors"], channels = ["console"] },
  { delay = 900, targets = ["mediator"], channels = ["console"] },
]
"""


def quick_links(extra: str = "") -> World:
    """Link tests every 10 minutes, not jittered."""
    text = demo_text().replace("linktest_interval_s = 3600", "linktest_interval_s = 600")
    return World.from_dict(tomllib.loads(text.replace("linktest_jitter_s = 300", "linktest_jitter_s = 0") + extra))


def walk_desk(w: World, state: dict, seconds: range, answer_at: int | None = None) -> tuple[dict, list]:
    """Tick a desk every second of ``seconds``; the officer answers the open test at ``answer_at``."""
    written = []
    seq = 100
    state = copy.deepcopy(state)  # evolve changes the state it is given
    for second in seconds:
        now = T0 + timedelta(seconds=second)
        pending = desks.tick(w, state, now)
        if second == answer_at:
            who = Principal("isr-duty", "isr", "operator")
            pending += desks.decide(w, who, state, desks.AnswerLinkTest("isr", state["linktest"]["open"]["id"]), now)
        for p in pending:
            seq += 1
            state = desks.evolve(state, {"seq": seq, "type": p.type, "payload": p.payload, "party": p.party,
                                         "actor": p.actor, "ts": iso(now), "channel": p.channel, "hash": f"h{seq}"})
            written.append((second, p.type, p.payload.get("step"), "escalation" in p.payload))
    return state, [w for w in written if w[1] not in ("linktest.sent", "linktest.answered")]


def test_a_desk_unmanned_policy_is_fixed_at_the_shift_and_walks_each_step_once_until_manned() -> None:
    w = quick_links(DESK_POLICIES)
    planned = desks.decide(w, Principal("syr-super", "syr", "supervisor"), None, desks.PlanShift(
        "syr", "sh-1", "syr-duty", T0 + timedelta(minutes=5), T0 + timedelta(hours=8)), T0)[0]
    assert [s["offset_s"] for s in planned.payload["unmanned_policy"]] == [60, 120]
    state = desks.evolve(None, {"seq": 1, "type": planned.type, "payload": planned.payload, "party": "syr",
                                "actor": "syr-super", "ts": iso(T0), "channel": planned.channel, "hash": "h1"})
    # The world file loses the policy meanwhile: the steps fixed in the record still come, each once.
    state, written = walk_desk(quick_links(), state, range(0, 500))
    assert [(s, t, n) for s, t, n, _ in written] == [
        (360, "desk.escalation_step", 1), (420, "desk.escalation_step", 2)]
    assert desks.next_due(state) == iso(T0 + timedelta(seconds=600))  # only the next link test: the steps are done
    assert state["alerts"] == {"sh-1": 2}


def test_a_missed_link_test_policy_runs_across_later_misses_and_restarts_only_once_done() -> None:
    w = quick_links(DESK_POLICIES)
    who = Principal("isr-duty", "isr", "operator")
    on = desks.decide(w, who, None, desks.SignOn("isr", "Isr Duty"), T0)[0]
    state = desks.evolve(None, {"seq": 1, "type": on.type, "payload": on.payload, "party": "isr", "actor": "isr-duty",
                                "ts": iso(T0), "channel": on.channel, "hash": "h1"})
    _, written = walk_desk(w, state, range(0, 2101))
    assert written == [
        (900, "linktest.missed", None, True), (900, "linktest.escalation_step", 1, False),
        (1500, "linktest.missed", None, False),  # the desk has answered neither: the same escalation goes on
        (1800, "linktest.escalation_step", 2, False),
        (2100, "linktest.missed", None, True), (2100, "linktest.escalation_step", 1, False)]
    _, written = walk_desk(w, state, range(0, 2101), answer_at=1210)  # the next test answered: no step 2
    assert written == [(900, "linktest.missed", None, True), (900, "linktest.escalation_step", 1, False),
                       (2100, "linktest.missed", None, True), (2100, "linktest.escalation_step", 1, False)]


def test_an_incident_policy_plans_its_steps_and_without_one_the_report_is_as_before() -> None:
    report = incidents.ReportIncident(
        "inc-1", "uav_sighting", "2026-11-25T19:10:00Z", None, incidents.Location(33.1256, 35.8241, 300.0),
        ("syr",), "A UAV.", "en")
    who = Principal("isr-duty", "isr", "operator")
    plain = incidents.decide_report(world(), who, report, T0, None)[0]
    assert "escalation" not in plain.payload
    policy = '\n[[escalation.policies]]\nparty = "syr"\nkind = "incident"\nsteps = [\n' \
             '  { delay = 0, targets = ["desk"], channels = ["console"] },\n' \
             '  { delay = 30, targets = ["mediator"], channels = ["console"] },\n]\n'
    planned = incidents.decide_report(world(policy), who, report, T0, None)[0]
    assert planned.payload["escalation"] == {"syr": [0, 30]}
