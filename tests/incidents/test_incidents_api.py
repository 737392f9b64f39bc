"""Incidents through the API on a real SQLite file and a real PostgreSQL: workflow, rules, bad input."""

from __future__ import annotations

import pytest

from hotline.service.hotline import Hotline
from hotline.testing import Api, FakeClock

from .helpers import PNG, count_events, event_types, report_body

pytestmark = pytest.mark.anyio


async def _report(api: Api, user: str = "syr-duty", **fields: object) -> dict[str, object]:
    r = await api.as_(user, "POST", "/api/v1/incidents", json=report_body(**fields))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _to_review(api: Api) -> str:
    inc = await _report(api)
    iid = inc["id"]
    for user in ("isr-duty", "usa-duty"):
        assert (await api.as_(user, "POST", f"/api/v1/incidents/{iid}/ack")).status_code == 201
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/review")
    assert r.status_code == 201, r.text
    return str(iid)


async def test_report_goes_to_the_joint_channel_and_waits_for_each_addressed_party(api: Api) -> None:
    inc = await _report(api)
    assert inc["channel"] == "joint" and inc["party"] == "syr" and inc["officer"] == "syr-duty"
    assert inc["status"] == "reported" and inc["parties"] == ["isr", "syr"]
    assert sorted(inc["acks"]) == ["isr", "usa"] and inc["awaiting"] == ["isr", "usa"]
    assert inc["location"]["formats"]["mgrs"].startswith("36S") and inc["sector"] == "central"
    assert inc["reported_dtg"] == "251930Z NOV 26"
    r = await api.as_("isr-duty", "POST", f"/api/v1/incidents/{inc['id']}/ack", json={"note": "seen"})
    assert r.status_code == 201 and r.json()["status"] == "reported" and r.json()["awaiting"] == ["usa"]
    r = await api.as_("usa-super", "POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert r.json()["status"] == "acknowledged" and r.json()["acks"]["usa"]["ack"]["by"] == "usa-super"
    again = await api.as_("isr-super", "POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert again.status_code == 200 and again.json()["acks"]["isr"]["ack"]["by"] == "isr-duty"


async def test_a_location_in_any_grid_is_read_and_shown_in_all(api: Api) -> None:
    inc = await _report(api, location={"text": "36SYB 634 687", "uncertainty_m": 10})
    loc = inc["location"]
    assert loc["grid"] == "mgrs" and 33.0 < loc["lat"] < 33.3 and 35.7 < loc["lon"] < 36.0
    assert loc["uncertainty_m"] >= 70  # a 100 m square is at least that uncertain, whatever was claimed
    assert set(loc["formats"]) >= {"dd", "dms", "mgrs", "utm", "itm"}


async def test_clarification_round_trip_and_answers_to_missing_questions(api: Api, service: Hotline) -> None:
    inc = await _report(api)
    iid = inc["id"]
    r = await api.as_("isr-duty", "POST", f"/api/v1/incidents/{iid}/questions",
                      json={"text": "What altitude, and which direction did it leave?"})
    assert r.status_code == 201 and r.json()["status"] == "clarification"
    q = r.json()["questions"][0]
    assert (q["id"], q["from"], q["to"], q["answer"]) == ("q1", "isr", "syr", None)
    assert "syr" in r.json()["awaiting"]
    before = await count_events(service)
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/questions/q9/answer", json={"text": "?"})
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "question_id"
    r = await api.as_("isr-duty", "POST", f"/api/v1/incidents/{iid}/questions/q1/answer", json={"text": "mine"})
    assert r.status_code == 403  # the question was put to syr
    assert await count_events(service) == before
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/questions/q1/answer",
                      json={"text": "About 300 m, leaving east towards Khan Arnabah."})
    assert r.status_code == 201 and r.json()["questions"][0]["answer"]["by"] == "syr-duty"
    r = await api.as_("syr-super", "POST", f"/api/v1/incidents/{iid}/questions/q1/answer", json={"text": "again"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "question_id"
    types = await event_types(service)
    assert types.count("incident.question_asked") == 1 and types.count("incident.question_answered") == 1


async def test_agreed_finding_resolves_the_incident(api: Api, service: Hotline) -> None:
    iid = await _to_review(api)
    r = await api.as_("usa-super", "POST", f"/api/v1/incidents/{iid}/findings",
                      json={"text": "A commercial UAV of unknown operator; no party's forces involved."})
    assert r.status_code == 201 and r.json()["finding"]["id"] == 1 and r.json()["awaiting"] == ["isr", "syr"]
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/findings/1/agree")
    assert r.status_code == 201 and r.json()["status"] == "joint_review"
    r = await api.as_("syr-super", "POST", f"/api/v1/incidents/{iid}/findings/1/agree")
    body = r.json()
    assert body["status"] == "resolved" and set(body["finding"]["agreed"]) == {"isr", "syr"}
    assert [h["type"] for h in body["history"]][-3:] == ["incident.finding_agreed", "incident.finding_agreed",
                                                         "incident.resolved"]
    assert (await event_types(service))[-1] == "incident.resolved"


async def test_a_new_proposal_needs_fresh_agreement(api: Api) -> None:
    iid = await _to_review(api)
    await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/findings", json={"text": "Draft one."})
    r = await api.as_("syr-super", "POST", f"/api/v1/incidents/{iid}/findings", json={"text": "Draft two."})
    assert r.json()["finding"]["agreed"] == {"syr": r.json()["finding"]["at"]}
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/findings/1/agree")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "finding_id"
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/findings/2/agree")
    assert r.json()["status"] == "resolved"


async def test_dispute_ends_the_incident_workflow(api: Api) -> None:
    iid = await _to_review(api)
    r = await api.as_("isr-super", "POST", f"/api/v1/incidents/{iid}/dispute",
                      json={"text": "We hold the UAV was launched from the Syrian side."})
    assert r.status_code == 201 and r.json()["status"] == "disputed" and r.json()["awaiting"] == []
    r = await api.as_("syr-super", "POST", f"/api/v1/incidents/{iid}/findings", json={"text": "late"})
    assert r.status_code == 409


# (who, what they try, from which stage, expected status): the table of TRANSITIONS, seen from outside.
REFUSED = [
    ("isr-duty", "review", "acknowledged", 403),          # operators do not open a joint review
    ("observer", "ack", "reported", 403),                 # observers only read
    ("syr-duty", "ack", "reported", 403),                 # the reporting party does not acknowledge itself
    ("isr-super", "review", "reported", 409),             # acknowledgements still outstanding
    ("isr-super", "findings", "acknowledged", 409),       # no finding before the joint review
    ("usa-super", "agree", "review", 403),                # the mediator proposes, the parties agree
    ("isr-duty", "agree", "review", 403),                 # agreeing a finding binds the party: supervisors
    ("syr-duty", "dispute", "review", 403),
    ("admin", "ack", "reported", 403),                    # no party, no speaking role: refused by role
]


@pytest.mark.parametrize(("user", "action", "stage", "status"), REFUSED,
                         ids=[f"{u}-{a}-{s}" for u, a, s, _ in REFUSED])
async def test_a_transition_not_allowed_is_refused_and_writes_nothing(
        api: Api, service: Hotline, user: str, action: str, stage: str, status: int) -> None:
    if stage == "review":
        iid = await _to_review(api)
        await api.as_("usa-super", "POST", f"/api/v1/incidents/{iid}/findings", json={"text": "Proposed."})
    else:
        iid = str((await _report(api))["id"])
        if stage == "acknowledged":
            for u in ("isr-duty", "usa-duty"):
                await api.as_(u, "POST", f"/api/v1/incidents/{iid}/ack")
    before_state = (await api.as_("usa-duty", "GET", f"/api/v1/incidents/{iid}")).json()
    before = await count_events(service)
    url = {"ack": "ack", "review": "review", "findings": "findings", "agree": "findings/1/agree",
           "dispute": "dispute"}[action]
    body = {"text": "x"} if action in ("findings", "dispute") else None
    r = await api.as_(user, "POST", f"/api/v1/incidents/{iid}/{url}", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["detail"]
    assert await count_events(service) == before
    assert (await api.as_("usa-duty", "GET", f"/api/v1/incidents/{iid}")).json() == before_state


BAD_REPORTS = [
    ("latitude out of range", {"location": {"lat": 95.0, "lon": 35.8, "uncertainty_m": 10}}, "location.lat"),
    ("longitude out of range", {"location": {"lat": 33.1, "lon": 235.8, "uncertainty_m": 10}}, "location.lon"),
    ("negative radius", {"location": {"lat": 33.1, "lon": 35.8, "uncertainty_m": -1}}, "location.uncertainty_m"),
    ("unreadable grid", {"location": {"text": "somewhere near the hill"}}, "location.text"),
    ("MGRS in the wrong zone", {"location": {"text": "37SYB 634 687"}}, "location.text"),
    ("no location", {"location": {"uncertainty_m": 5}}, "location"),
    ("unknown category", {"category": "alien_landing"}, "category"),
    ("in the future", {"occurred_from": "2026-11-26T19:30:00Z", "occurred_to": None}, "occurred_from"),
    ("window backwards", {"occurred_to": "2026-11-25T19:00:00Z"}, "occurred_to"),
    ("naive time", {"occurred_from": "2026-11-25T19:10:00"}, "occurred_from"),
    ("unknown party", {"involved": ["xyz"]}, "involved"),
    ("empty description", {"description": "  "}, "description"),
    ("negative casualties", {"casualties": {"killed": -1}}, "casualties.killed"),
    ("party in the body", {"party": "isr"}, "party"),
]


@pytest.mark.parametrize(("case", "fields", "field"), BAD_REPORTS, ids=[c for c, _, _ in BAD_REPORTS])
async def test_bad_report_names_the_field_and_writes_nothing(api: Api, service: Hotline, case: str,
                                                             fields: dict[str, object], field: str) -> None:
    before = await count_events(service)
    r = await api.as_("syr-duty", "POST", "/api/v1/incidents", json=report_body(**fields))
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert any(e["field"] == field for e in r.json()["errors"]), r.json()
    assert await count_events(service) == before


async def test_missed_acknowledgement_is_recorded_once_at_its_deadline(api: Api, service: Hotline,
                                                                       clock: FakeClock) -> None:
    inc = await _report(api)
    await api.as_("isr-duty", "POST", f"/api/v1/incidents/{inc['id']}/ack")
    clock.advance(seconds=service.world.deadlines["IMMEDIATE"] + 1)
    assert await service.timers.run_due() == 1
    assert await service.timers.run_due() == 0
    state = (await api.as_("usa-duty", "GET", f"/api/v1/incidents/{inc['id']}")).json()
    assert state["acks"]["usa"]["overdue"] and not state["acks"]["isr"]["overdue"]
    r = await api.as_("usa-duty", "POST", f"/api/v1/incidents/{inc['id']}/ack")
    assert r.json()["acks"]["usa"]["ack"]["late"] is True
    assert (await event_types(service)).count("incident.ack_overdue") == 1


async def test_awaiting_lists_what_the_party_must_act_on(api: Api) -> None:
    inc = await _report(api)
    r = await api.as_("isr-duty", "GET", "/api/v1/incidents/awaiting")
    assert [i["id"] for i in r.json()["incidents"]] == [inc["id"]]
    assert (await api.as_("syr-duty", "GET", "/api/v1/incidents/awaiting")).json()["incidents"] == []
    rules = (await api.as_("isr-duty", "GET", "/api/v1/incidents/rules")).json()
    assert rules["transitions"]["incident.finding_agreed"]["roles"] == ["supervisor"]


async def test_photo_attached_at_report_time_is_in_the_record(api: Api) -> None:
    inc = await _report(api)
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{inc['id']}/evidence",
                      files={"file": ("uav.png", PNG, "image/png")}, data={"description": "Photo from OP 12"})
    assert r.status_code == 201, r.text
    assert r.json()["evidence"][0]["media_type"] == "image/png"
