"""The message rules, pure: no database, no clock but the one passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.domain import messages
from hotline.domain.access import Principal
from hotline.domain.errors import Conflict, Forbidden, Invalid, NotFound
from hotline.domain.world import World
from hotline.service.config import load_world

NOW = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)
ISR = Principal("isr-duty", "isr", "operator")
SYR = Principal("syr-duty", "syr", "operator")
OBS = Principal("observer", "usa", "observer")


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def post(world: World, who: Principal = ISR, **kw: object) -> dict:
    cmd = messages.PostMessage(**{"message_id": "m1", "channel": "joint", "precedence": "FLASH",
                                  "subject": "s", "body": "b", "language": "en", **kw})  # type: ignore[arg-type]
    [pending] = messages.decide_post(world, who, cmd, NOW, None, None)
    event = {"seq": 1, "channel": pending.channel, "ts": "2026-11-25T19:30:00.000000Z", "type": pending.type,
             "party": pending.party, "actor": pending.actor, "payload": pending.payload}
    return messages.evolve(None, event)


def apply(state: dict, pendings: list, seq: int, ts: str = "2026-11-25T19:31:00.000000Z") -> dict:
    for p in pendings:
        state = messages.evolve(state, {"seq": seq, "channel": p.channel, "ts": ts, "type": p.type, "party": p.party,
                                        "actor": p.actor, "payload": p.payload})
    return state


def test_every_other_party_of_the_channel_is_addressed_with_the_flash_deadline(world: World) -> None:
    state = post(world)
    assert set(state["addressees"]) == {"syr", "usa"}
    assert state["addressees"]["syr"]["deadline"] == "2026-11-25T19:32:00.000000Z"
    assert messages.next_due(state) == "2026-11-25T19:32:00.000000Z"


def test_sender_party_cannot_acknowledge_its_own_message(world: World) -> None:
    state = post(world)
    with pytest.raises(Conflict, match="Your party sent this message"):
        messages.decide_ack(world, Principal("isr-super", "isr", "supervisor"), state,
                            messages.Acknowledge("m1"), NOW)


def test_observer_may_neither_post_nor_acknowledge(world: World) -> None:
    with pytest.raises(Forbidden, match="observer"):
        post(world, OBS)
    with pytest.raises(Forbidden):
        messages.decide_ack(world, OBS, post(world), messages.Acknowledge("m1"), NOW)


def test_second_acknowledgement_by_the_same_party_writes_nothing(world: World) -> None:
    state = post(world)
    state = apply(state, messages.decide_ack(world, SYR, state, messages.Acknowledge("m1"), NOW), 2)
    assert state["addressees"]["syr"]["ack"]["by"] == "syr-duty"
    assert messages.decide_ack(world, Principal("syr-super", "syr", "supervisor"), state,
                               messages.Acknowledge("m1"), NOW) == []


def test_missed_deadline_escalates_to_supervisors_then_at_twice_to_the_mediator(world: World) -> None:
    state = post(world)
    assert messages.tick(world, state, NOW + timedelta(seconds=119)) == []
    first = messages.tick(world, state, NOW + timedelta(seconds=120))
    assert [(p.type, p.payload["party"], p.payload["escalated_to"]) for p in first] == [
        ("message.ack_overdue", "syr", "supervisors"), ("message.ack_overdue", "usa", "supervisors")]
    state = apply(state, first, 2)
    assert messages.tick(world, state, NOW + timedelta(seconds=200)) == []
    assert messages.next_due(state) == "2026-11-25T19:34:00.000000Z"
    second = messages.tick(world, state, NOW + timedelta(seconds=240))
    assert {(p.type, p.payload["escalated_to"], p.payload["mediator"]) for p in second} == {
        ("message.ack_escalated", "mediator", "usa")}
    state = apply(state, second, 3)
    assert messages.next_due(state) is None
    assert messages.tick(world, state, NOW + timedelta(days=1)) == []


def test_a_server_down_past_both_deadlines_writes_both_escalations_once(world: World) -> None:
    state = post(world)
    late = messages.tick(world, state, NOW + timedelta(hours=1))
    assert sorted(p.type for p in late) == ["message.ack_escalated"] * 2 + ["message.ack_overdue"] * 2
    state = apply(state, late, 2)
    assert messages.tick(world, state, NOW + timedelta(hours=2)) == []


def test_acknowledged_party_is_no_longer_due(world: World) -> None:
    state = post(world)
    state = apply(state, messages.decide_ack(world, SYR, state, messages.Acknowledge("m1"), NOW), 2)
    assert [p.payload["party"] for p in messages.tick(world, state, NOW + timedelta(minutes=3))] == ["usa"]
    assert messages.awaiting(state) == ["usa"]


@pytest.mark.parametrize(("kw", "field"), [
    ({"precedence": "URGENT"}, "precedence"),
    ({"subject": "  "}, "subject"),
    ({"body": ""}, "body"),
    ({"body": "x" * (64 * 1024 + 1)}, "body"),
    ({"language": "English!"}, "language"),
    ({"template": {"code": "BAD CODE"}}, "template.code"),
])
def test_bad_input_names_the_field(world: World, kw: dict, field: str) -> None:
    with pytest.raises(Invalid) as info:
        post(world, **kw)
    assert info.value.field == field


def test_reply_must_be_to_a_message_of_the_same_channel(world: World) -> None:
    cmd = messages.PostMessage("m2", "joint", "ROUTINE", "s", "b", "en", reply_to="nope")
    with pytest.raises(NotFound, match="to reply to"):
        messages.decide_post(world, ISR, cmd, NOW, None, None)


def test_recall_keeps_the_message_and_stops_awaiting_and_every_timer(world: World) -> None:
    state = post(world)
    state = apply(state, messages.decide_ack(world, SYR, state, messages.Acknowledge("m1"), NOW), 2)
    [recall] = messages.decide(world, Principal("isr-super", "isr", "supervisor"), state,
                               messages.Recall("m1", "  False alarm: our own drone.  "), NOW)
    assert (recall.type, recall.party, recall.payload) == (
        "message.recalled", "isr", {"message_id": "m1", "reason": "False alarm: our own drone."})
    state = apply(state, [recall], 3, ts="2026-11-25T19:31:30.000000Z")
    assert state["recalled"] == {"party": "isr", "by": "isr-super", "at": "2026-11-25T19:31:30.000000Z", "seq": 3,
                                 "reason": "False alarm: our own drone."}
    assert state["subject"] == "s" and state["addressees"]["syr"]["ack"]["by"] == "syr-duty"  # the record stays
    assert messages.awaiting(state) == [] and messages.next_due(state) is None
    assert messages.tick(world, state, NOW + timedelta(hours=1)) == []  # neither overdue nor escalated, ever


def test_a_recalled_message_cannot_be_acknowledged_and_a_second_recall_writes_nothing(world: World) -> None:
    state = post(world)
    state = apply(state, messages.decide_ack(world, SYR, state, messages.Acknowledge("m1"), NOW), 2)
    state = apply(state, messages.decide_recall(world, ISR, state, messages.Recall("m1", "sent in error")), 3)
    with pytest.raises(Conflict, match="recalled"):
        messages.decide_ack(world, Principal("usa-duty", "usa", "operator"), state, messages.Acknowledge("m1"), NOW)
    # Syria had acknowledged before the recall: its repeat is still the repeat of that acknowledgement.
    assert messages.decide_ack(world, SYR, state, messages.Acknowledge("m1"), NOW) == []
    assert messages.decide_recall(world, ISR, state, messages.Recall("m1", "again")) == []


def test_only_the_sending_party_recalls_and_a_reason_is_required(world: World) -> None:
    state = post(world)
    with pytest.raises(Forbidden, match="Only the party that sent"):
        messages.decide_recall(world, SYR, state, messages.Recall("m1", "not yours"))
    with pytest.raises(Forbidden):
        messages.decide_recall(world, OBS, state, messages.Recall("m1", "observer"))
    with pytest.raises(NotFound):
        messages.decide_recall(world, ISR, None, messages.Recall("m1", "absent"))
    for reason in ("", "   ", "x" * (messages.MAX_REASON + 1)):
        with pytest.raises(Invalid) as info:
            messages.decide_recall(world, ISR, state, messages.Recall("m1", reason))
        assert info.value.field == "reason"
