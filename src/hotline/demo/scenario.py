"""A day on the line for the demo: a few messages, incidents worked to a finding or a dispute.

Recorded through the same use cases as any user's actions (so the record is real), with fixed ids so
running it again writes nothing new. ``hotline demo`` records it; so does the report's screenshot test.
"""

from __future__ import annotations

from datetime import timedelta

from hotline.domain import incidents as inc
from hotline.domain.access import Principal
from hotline.domain.disputes import Escalate, OpenDispute, StatePosition
from hotline.domain.errors import DomainError
from hotline.domain.messages import PostMessage
from hotline.domain.timefmt import iso
from hotline.service import disputes, incidents, messages
from hotline.service.hotline import Hotline
from hotline.store.ledger import load_aggregate

__all__ = ["seed_scenario"]


def _who(username: str) -> Principal:
    party, role = username.split("-")
    return Principal(username, party, "supervisor" if role == "super" else "operator")


async def _once(coro: object) -> None:
    """Run a step; one the rules refuse (say, after a partial earlier run) is skipped."""
    try:
        await coro  # type: ignore[misc]
    except DomainError:
        pass


async def seed_scenario(hl: Hotline) -> None:
    async with hl.db.read() as conn:
        if await load_aggregate(conn, inc.KIND, "inc-demo-uav") is not None:
            return  # recorded by an earlier run
    now = hl.clock()
    await _once(messages.post_message(hl, _who("usa-duty"), PostMessage(
        "msg-demo-open", "joint", "ROUTINE", "Hotline open for the day",
        "Daily check of the joint line. Each party: acknowledge to confirm your desk is staffed.", "en")))
    await _once(messages.acknowledge(hl, _who("isr-duty"), "msg-demo-open"))
    await _once(messages.acknowledge(hl, _who("syr-duty"), "msg-demo-open"))
    await _once(messages.post_message(hl, _who("syr-duty"), PostMessage(
        "msg-demo-convoy", "joint", "PRIORITY", "قافلة إنسانية إلى القنيطرة",
        "قافلة من ثلاث شاحنات تابعة للهلال الأحمر تصل القنيطرة غداً الساعة 0800 بالتوقيت المحلي.", "ar")))
    await _once(messages.acknowledge(hl, _who("usa-duty"), "msg-demo-convoy"))

    def report(incident_id: str, who: str, category: str, hours_ago: float, lat: float, lon: float,
               involved: tuple[str, ...], text: str, **extra: object) -> object:
        loc = incidents.read_location({"lat": lat, "lon": lon, "uncertainty_m": 500})
        cmd = inc.ReportIncident(incident_id, category, iso(now - timedelta(hours=hours_ago)), None, loc,
                                 involved, text, officer=who, **extra)  # type: ignore[arg-type]
        return incidents.report(hl, _who(who), cmd)

    # A drone seen near Quneitra, clarified and resolved with an agreed finding.
    await _once(report("inc-demo-uav", "syr-duty", "uav_sighting", 20, 33.1256, 35.8236, ("isr",),
                       "A small drone flew east over Quneitra at about 300 m for ten minutes."))
    for who in ("isr-duty", "usa-duty"):
        await _once(incidents.act(hl, _who(who), inc.AcknowledgeIncident("inc-demo-uav")))
    await _once(incidents.act(hl, _who("isr-duty"), inc.AskQuestion(
        "inc-demo-uav", "Direction of flight when it left, and last position?", to="syr")))
    state = await incidents.get_incident(hl, _who("syr-duty"), "inc-demo-uav")
    for q in state["questions"]:
        if q["answer"] is None:
            await _once(incidents.act(hl, _who("syr-duty"), inc.AnswerQuestion(
                "inc-demo-uav", q["id"], "East-north-east, last seen near Jubata.")))
    await _once(incidents.act(hl, _who("usa-super"), inc.StartReview("inc-demo-uav")))
    await _once(incidents.act(hl, _who("usa-super"), inc.ProposeFinding(
        "inc-demo-uav", "A civilian survey drone; no military activity. Both parties agree to "
                        "notify survey flights 24 h ahead.")))
    for who in ("syr-super", "isr-super"):
        await _once(incidents.act(hl, _who(who), inc.AgreeFinding("inc-demo-uav")))

    # Shots across the line: the parties disagree, and the dispute goes to the next round of talks.
    await _once(report("inc-demo-fire", "isr-duty", "exchange_of_fire", 30, 33.02, 35.86, ("syr",),
                       "Small-arms fire from east of Line B towards a patrol west of Line A. No casualties.",
                       damage="One vehicle hit."))
    for who in ("syr-duty", "usa-duty"):
        await _once(incidents.act(hl, _who(who), inc.AcknowledgeIncident("inc-demo-fire")))
    await _once(incidents.act(hl, _who("syr-super"), inc.DisputeIncident(
        "inc-demo-fire", "No Syrian unit fired; the patrol was inside the Area of Separation.")))
    await _once(disputes.open_dispute(hl, _who("isr-super"), OpenDispute(
        "dsp-demo-fire", "Fire near Line A, sector centre", ("isr", "syr"), ("inc-demo-fire",),
        "Who fired, and where the patrol was.")))
    await _once(disputes.act(hl, _who("isr-super"), StatePosition(
        "dsp-demo-fire", "The patrol stayed west of Line A; the fire came from the east.")))
    await _once(disputes.act(hl, _who("syr-super"), StatePosition(
        "dsp-demo-fire", "No Syrian unit was in range; we ask for the UN observers' report.")))
    await _once(disputes.act(hl, _who("isr-super"), Escalate("dsp-demo-fire", text="No agreement on duty")))

    # A crossing reported an hour ago, still waiting for Syria's acknowledgement.
    await _once(report("inc-demo-crossing", "usa-duty", "line_crossing", 1, 33.20, 35.85, ("isr", "syr"),
                       "UN observers report shepherds with a flock crossing Line B westwards."))
    await _once(incidents.act(hl, _who("isr-duty"), inc.AcknowledgeIncident("inc-demo-crossing")))
