"""Desks through the API in-process, on a fake clock (timers run by hand): shifts, sign-on, handover,
link tests, alerts, alert level and suspension, and every bad input refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hotline.domain.timefmt import iso, parse_iso
from hotline.testing import Api, FakeClock

pytestmark = pytest.mark.anyio


async def ledger_size(api: Api) -> int:
    r = await api.as_("usa-super", "GET", "/api/v1/events?after=0&limit=1000")
    return len(r.json()["events"])


async def events_of(api: Api, kind: str) -> list[dict[str, Any]]:
    r = await api.as_("usa-super", "GET", "/api/v1/events?after=0&limit=1000")
    return [e for e in r.json()["events"] if e["type"] == kind]


async def desk(api: Api, username: str, desk_id: str) -> dict[str, Any]:
    r = await api.as_(username, "GET", "/api/v1/desks")
    assert r.status_code == 200, r.text
    return next(d for d in r.json()["desks"] if d["id"] == desk_id)


def shift(clock: FakeClock, officer: str, start_h: float, end_h: float) -> dict[str, str]:
    return {"officer": officer, "start": iso(clock.now + timedelta(hours=start_h)),
            "end": iso(clock.now + timedelta(hours=end_h))}


async def test_every_party_sees_a_sign_on_and_sign_off_with_the_officers_name(api: Api) -> None:
    assert (await desk(api, "syr-duty", "isr"))["status"] == "unmanned"
    r = await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    assert r.status_code == 201, r.text
    seen = await desk(api, "syr-duty", "isr")
    assert seen["status"] == "manned"
    assert seen["officer"]["name"] == "Israel duty officer" and seen["officer"]["username"] == "isr-duty"
    again = await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    assert again.status_code == 200  # a repeated click writes nothing
    r = await api.as_("isr-super", "POST", "/api/v1/desks/isr/sign-off", json={"reason": "end of shift"})
    assert r.status_code == 200, r.text
    assert (await desk(api, "usa-duty", "isr"))["status"] == "unmanned"
    assert [e["type"] for e in await events_of(api, "desk.signed_on")] == ["desk.signed_on"]


async def test_supervisor_plans_shifts_and_the_roster_shows_the_gaps(api: Api, clock: FakeClock) -> None:
    r = await api.as_("isr-super", "POST", "/api/v1/desks/isr/shifts", json=shift(clock, "isr-duty", 1, 9))
    assert r.status_code == 201, r.text
    r = await api.as_("isr-super", "POST", "/api/v1/desks/isr/shifts", json=shift(clock, "isr-super", 10, 18))
    assert r.status_code == 201, r.text
    roster = (await api.as_("syr-duty", "GET", "/api/v1/desks/roster")).json()
    isr = next(d for d in roster["desks"] if d["desk"] == "isr")
    assert [s["officer"] for s in isr["shifts"]] == ["isr-duty", "isr-super"]
    assert [(g["start"], g["end"]) for g in isr["gaps"]][:2] == [
        (iso(clock.now), isr["shifts"][0]["start"]), (isr["shifts"][0]["end"], isr["shifts"][1]["start"])]
    assert parse_iso(isr["gaps"][-1]["end"]) == clock.now + timedelta(days=7)
    syr = next(d for d in roster["desks"] if d["desk"] == "syr")
    assert syr["shifts"] == [] and len(syr["gaps"]) == 1


@pytest.mark.parametrize(("who", "url", "body", "status", "field"), [
    ("isr-super", "/api/v1/desks/isr/shifts", "overlap", 409, "start"),
    ("isr-super", "/api/v1/desks/isr/shifts", "backwards", 422, "end"),
    ("syr-super", "/api/v1/desks/isr/shifts", "fine", 403, "desk"),
    ("isr-super", "/api/v1/desks/isr/shifts", "stranger", 422, "officer"),
    ("syr-duty", "/api/v1/desks/isr/sign-on", None, 403, "desk"),
    ("isr-duty", "/api/v1/desks/isr/linktests/lt-isr-1/answer", None, 409, "test_id"),
    ("syr-duty", "/api/v1/desks/isr/linktests/lt-isr-1/answer", None, 403, "desk"),
    ("isr-duty", "/api/v1/desks/isr/sign-off", {"reason": "x" * 2001}, 422, "reason"),
    ("isr-super", "/api/v1/line/level", {"level": "crisis", "reason": "x" * 2001}, 422, "reason"),
    ("isr-duty", "/api/v1/line/level", {"level": "normal", "reason": "calmer"}, 403, "level"),
    ("isr-super", "/api/v1/line/level", {"level": "panic", "reason": "why"}, 422, "level"),
])
async def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
        api: Api, clock: FakeClock, who: str, url: str, body: Any, status: int, field: str) -> None:
    assert (await api.as_("isr-super", "POST", "/api/v1/desks/isr/shifts",
                          json=shift(clock, "isr-duty", 1, 9))).status_code == 201
    assert (await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")).status_code == 201
    assert (await api.as_("usa-super", "POST", "/api/v1/line/level",
                          json={"level": "heightened", "reason": "exercise"})).status_code == 200
    bodies = {"overlap": shift(clock, "isr-duty", 8, 12), "backwards": shift(clock, "isr-duty", 12, 11),
              "fine": shift(clock, "isr-duty", 20, 22), "stranger": shift(clock, "syr-duty", 20, 22)}
    before = await ledger_size(api)
    r = await api.as_(who, "POST", url, json=bodies.get(body, body) if isinstance(body, str) else body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]], r.json()
    assert await ledger_size(api) == before


async def test_a_link_test_is_sent_answered_and_a_missed_one_alerts_once(api: Api, service, clock: FakeClock) -> None:
    await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    clock.advance(hours=1, minutes=6)  # past the hourly test, jitter included
    assert await service.timers.run_due() == 1
    test = (await desk(api, "isr-duty", "isr"))["linktest"]["open"]
    assert test is not None
    clock.advance(seconds=7)
    r = await api.as_("isr-duty", "POST", f"/api/v1/desks/isr/linktests/{test['id']}/answer")
    assert r.status_code == 201, r.text
    assert r.json()["linktest"]["last"]["answer_s"] == 7.0
    again = await api.as_("isr-duty", "POST", f"/api/v1/desks/isr/linktests/{test['id']}/answer")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "test_id"

    clock.advance(hours=1, minutes=6)
    await service.timers.run_due()
    clock.advance(minutes=6)  # nobody answers within 5 minutes
    await service.timers.run_due()
    await service.timers.run_due()
    missed = await events_of(api, "linktest.missed")
    assert len(missed) == 1
    assert missed[0]["payload"]["party"] == "isr"
    assert missed[0]["payload"]["escalated_to"] == ["supervisors", "mediator"]
    assert missed[0]["payload"]["mediator"] == "usa"
    r = await api.as_("isr-super", "GET", "/api/v1/reports/summary?from=2026-01-01&to=2027-01-01")
    report = r.json()["desks"]["isr"]
    assert report["linktests_missed"] == 1 and report["linktest_answer"]["median_s"] == 7.0


async def test_an_unmanned_desk_in_its_shift_alerts_supervisors_after_n_and_the_mediator_after_2n(
        api: Api, service, clock: FakeClock) -> None:
    await api.as_("syr-super", "POST", "/api/v1/desks/syr/shifts", json=shift(clock, "syr-duty", 0.1, 8))
    clock.advance(minutes=6 + 10)  # shift started at 6 min; N = 10 min
    await service.timers.run_due()
    alerts = await events_of(api, "desk.alert")
    assert [(a["payload"]["party"], a["payload"]["escalated_to"]) for a in alerts] == [("syr", "supervisors")]
    clock.advance(minutes=10)
    await service.timers.run_due()
    await service.timers.run_due()
    alerts = await events_of(api, "desk.alert")
    assert [a["payload"]["escalated_to"] for a in alerts] == ["supervisors", "mediator"]
    assert (await desk(api, "isr-duty", "syr"))["alert"] == 2
    await api.as_("syr-duty", "POST", "/api/v1/desks/syr/sign-on")
    assert (await desk(api, "isr-duty", "syr"))["alert"] == 0  # manned again: the alert is over


async def test_handover_lists_three_open_items_and_the_incoming_officer_acknowledges_them(
        api: Api, clock: FakeClock) -> None:
    for subject in ("Patrol near post 12", "Convoy at Quneitra crossing", "Drone sighting"):
        assert (await api.post_message("usa-duty", subject=subject, precedence="PRIORITY")).status_code == 201
    await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    r = await api.as_("isr-duty", "POST", "/api/v1/desks/isr/handover", json={"note": "Quiet night; watch post 12."})
    assert r.status_code == 201, r.text
    r = await api.as_("isr-super", "POST", "/api/v1/desks/isr/sign-on")
    assert r.status_code == 201, r.text
    handover = r.json()["handover"]
    assert handover["from"] == "isr-duty" and handover["to"] == "isr-super"
    assert handover["note"] == "Quiet night; watch post 12."
    assert sorted(i["label"] for i in handover["items"]) == [
        "Convoy at Quneitra crossing", "Drone sighting", "Patrol near post 12"]
    seen = await desk(api, "syr-duty", "isr")
    assert seen["officer"]["username"] == "isr-super"
    first = handover["items"][0]["id"]
    wrong = await api.as_("isr-duty", "POST", f"/api/v1/desks/isr/handover/{handover['id']}/ack", json={})
    assert wrong.status_code == 403
    r = await api.as_("isr-super", "POST", f"/api/v1/desks/isr/handover/{handover['id']}/ack", json={"items": [first]})
    assert r.json()["handover"]["acked"] == [first] and not r.json()["handover"]["complete"]
    r = await api.as_("isr-super", "POST", f"/api/v1/desks/isr/handover/{handover['id']}/ack", json={})
    assert r.json()["handover"]["complete"]
    acks = await events_of(api, "handover.acknowledged")
    assert [len(a["payload"]["items"]) for a in acks] == [1, 2]


async def test_crisis_halves_the_flash_deadline_of_messages_posted_after_it(api: Api) -> None:
    before = (await api.post_message("isr-duty")).json()
    r = await api.as_("usa-duty", "POST", "/api/v1/line/level", json={"level": "crisis", "reason": "shots fired"})
    assert r.status_code == 200, r.text
    after = (await api.post_message("isr-duty")).json()
    assert before["ack_window_s"] == 120 and after["ack_window_s"] == 60
    overview = (await api.as_("syr-duty", "GET", "/api/v1/desks")).json()
    assert overview["level"] == "crisis" and overview["level_reason"] == "shots fired"


async def test_a_crisis_brings_the_next_link_test_within_ten_minutes(api: Api, service, clock: FakeClock) -> None:
    await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    await api.as_("isr-super", "POST", "/api/v1/line/level", json={"level": "crisis", "reason": "shelling"})
    clock.advance(minutes=11)
    assert await service.timers.run_due() == 1
    assert (await desk(api, "isr-duty", "isr"))["linktest"]["open"] is not None


async def test_a_suspended_party_is_shown_and_messages_to_it_are_marked(api: Api) -> None:
    r = await api.as_("syr-super", "POST", "/api/v1/line/suspend", json={"reason": "consultations"})
    assert r.status_code == 200, r.text
    assert (await desk(api, "isr-duty", "syr"))["suspended"]["reason"] == "consultations"
    msg = (await api.post_message("isr-duty")).json()
    events = await events_of(api, "message.posted")
    assert next(e for e in events if e["payload"]["message_id"] == msg["id"])["payload"][
        "sent_during_suspension"] == ["syr"]
    assert (await api.as_("syr-super", "POST", "/api/v1/line/resume", json={"reason": "back"})).status_code == 200
    assert (await desk(api, "isr-duty", "syr"))["suspended"] is None


async def test_the_report_counts_handovers_done_late_or_not_at_all(api: Api, clock: FakeClock) -> None:
    await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")
    await api.as_("isr-super", "POST", "/api/v1/desks/isr/sign-on")  # a handover nobody acknowledges
    clock.advance(minutes=11)  # past the 10-minute grace
    await api.as_("isr-super", "POST", "/api/v1/desks/isr/sign-off")
    await api.as_("isr-duty", "POST", "/api/v1/desks/isr/sign-on")  # the desk changed hands with no handover
    r = await api.as_("usa-super", "GET", "/api/v1/reports/summary?from=2026-01-01&to=2027-01-01")
    assert r.json()["desks"]["isr"] | {"linktest_answer": None} == {
        "linktest_answer": None, "linktests_missed": 0, "handovers": 2, "handovers_late": 1, "handovers_missing": 1}
    csv = (await api.as_("usa-super", "GET", "/api/v1/reports/summary.csv?from=2026-01-01&to=2027-01-01")).text
    assert "desks,isr,handovers_missing,1" in csv
