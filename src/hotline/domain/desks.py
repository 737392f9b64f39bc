"""Staffed desks: shifts, sign-on and presence, handover, link tests, alerts for an empty desk.

One aggregate per desk (id ``desk:<desk id>``), every event on the world's common channel so that every
party sees every desk. ``decide`` takes one typed command; ``tick`` writes what time calls for (a link
test due, a link test unanswered, a desk empty too long in a planned shift) and ``next_due`` tells the
timers when, so a server down across a test writes each missed test once when it returns.

Presence itself (is the officer's console stream connected?) is not ledger material; only its changes
are: the service watches the streams and sends ``MarkPresence`` when a desk turns unattended or manned.
The line's alert level and suspensions live in ``domain/line.py``.

A world-file escalation policy (``policies.py``) of kind ``link_test`` or ``desk_unmanned`` for the
desk's party replaces the fixed alerts: its steps (offset from the trigger, targets, channels) are
copied into the record when the trigger's event is written (``linktest.missed``; ``desk.signed_off``,
``desk.unattended`` and ``shift.planned`` for an empty desk), so a later change of the world file does
not move timers already running, and each step is written once as ``linktest.escalation_step`` or
``desk.escalation_step`` until the trigger clears (a link test answered; the desk manned again).
Without such a policy the events are exactly the fixed ones (``linktest.missed`` to the supervisors and
the mediator, ``desk.alert`` after N and 2N).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import acks
from .access import Principal
from .errors import Conflict, Forbidden, Invalid, NotFound
from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["KIND", "agg_id", "PlanShift", "CancelShift", "SignOn", "SignOff", "PrepareHandover", "AckHandover",
           "AnswerLinkTest", "MarkPresence", "Reschedule", "Command", "decide", "tick", "evolve", "next_due",
           "check_reason", "MAX_REASON", "MAX_SHIFT", "status_of"]

KIND = "desk"
MAX_REASON = 2000
MAX_SHIFT = timedelta(hours=24)
HISTORY = 1000  # answers, misses and handovers kept for the report
State = dict[str, Any]


def agg_id(desk: str) -> str:
    return f"desk:{desk}"


@dataclass(frozen=True, slots=True)
class PlanShift:
    desk: str
    shift_id: str
    officer: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CancelShift:
    desk: str
    shift_id: str


@dataclass(frozen=True, slots=True)
class SignOn:
    desk: str
    name: str  # the officer's display name, as the accounts hold it
    items: tuple[dict[str, Any], ...] = ()  # what is open for the party now (the handover list)


@dataclass(frozen=True, slots=True)
class SignOff:
    desk: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PrepareHandover:
    desk: str
    note: str
    items: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class AckHandover:
    desk: str
    handover_id: str
    items: tuple[str, ...] | None = None  # None: the whole handover


@dataclass(frozen=True, slots=True)
class AnswerLinkTest:
    desk: str
    test_id: str


@dataclass(frozen=True, slots=True)
class MarkPresence:
    """From the service's stream watch, not from a caller: the officer's console came or went."""
    desk: str
    officer: str
    present: bool
    last_seen: str = ""


@dataclass(frozen=True, slots=True)
class Reschedule:
    """The alert level changed: link tests follow its interval from now on (sent by the line's decision)."""
    desk: str
    level: str
    interval_s: int


Command = (PlanShift | CancelShift | SignOn | SignOff | PrepareHandover | AckHandover | AnswerLinkTest
           | MarkPresence | Reschedule)


def check_reason(text: str, name: str = "reason", *, required: bool = False) -> None:
    if len(text) > MAX_REASON:
        raise Invalid(f"The {name} has {len(text)} characters; at most {MAX_REASON} are allowed.", field=name)
    if required and not text.strip():
        raise Invalid(f"Give a {name}: every party reads it.", field=name)


def _jitter(seed: str, spread: int) -> int:
    """A spread of ±``spread`` s drawn from the desk's last event hash: not guessable before that event
    exists, and the same on every replay (so a restart computes the same schedule)."""
    if spread <= 0:
        return 0
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % (2 * spread + 1) - spread


def _next_test(world: World, state: State | None, desk: str, now: datetime, interval: int | None = None) -> str:
    seed = (state or {}).get("seed", desk) + iso(now)
    every = interval or (state["linktest"]["interval_s"] if state else world.duty.linktest_interval_s)
    spread = min(world.duty.linktest_jitter_s, every // 4)
    return iso(now + timedelta(seconds=max(1, every + _jitter(seed, spread))))


def _pending(world: World, desk: str, party: str | None, actor: str, kind: str, payload: dict[str, Any]) -> Pending:
    return Pending(world.common_channel, kind, party, actor, {"desk": desk, **payload}, (KIND, agg_id(desk)))


def _policy_steps(world: World, kind: str, party: str) -> list[dict[str, Any]] | None:
    """The party's world-file policy for ``kind`` as the record keeps it: each step's offset from the
    trigger (cumulative delays), targets and channels; None without a policy (the fixed alerts apply)."""
    policy = world.escalation.policy_for(kind, party)
    if policy is None:
        return None
    offsets = acks.plans(world, kind, [party], 0)[party]
    return [{"offset_s": offset, "targets": list(step.targets), "channels": list(step.channels)}
            for offset, step in zip(offsets, policy.steps, strict=True)]


def _unmanned_policy(world: World, desk: str) -> dict[str, Any]:
    """The payload part that fixes the desk_unmanned policy in the record (nothing without one)."""
    steps = _policy_steps(world, "desk_unmanned", world.desks[desk].party)
    return {} if steps is None else {"unmanned_policy": steps}


def _step_payload(world: World, steps: list[dict[str, Any]], index: int, due: datetime) -> dict[str, Any]:
    step = steps[index]
    payload: dict[str, Any] = {"step": index + 1, "steps": len(steps), "targets": step["targets"],
                               "channels": step["channels"], "escalated_to": ",".join(step["targets"]),
                               "deadline": iso(due)}
    if "mediator" in step["targets"]:
        payload["mediator"] = world.mediator
    return payload


def _require_own(world: World, who: Principal, desk: str, action: str) -> str:
    if desk not in world.desks:
        raise NotFound(f"No desk {desk!r} in this world.", field="desk")
    party = world.desks[desk].party
    if who.party != party or who.role not in ("operator", "supervisor"):
        raise Forbidden(f"Only {party}'s operators and supervisors may {action} at desk {desk!r}.", field="desk")
    return party


def _covering(state: State | None, moment: datetime) -> dict[str, Any] | None:
    for shift in (state or {}).get("shifts", []):
        if parse_iso(shift["start"]) <= moment < parse_iso(shift["end"]):
            return shift  # type: ignore[no-any-return]
    return None


def decide(world: World, who: Principal, state: State | None, cmd: Command, now: datetime, *,
           desks: dict[str, State | None] | None = None) -> list[Pending]:
    """The events one command on one desk calls for; raises a domain error and writes nothing otherwise.

    ``desks`` holds every desk's state (by desk id) for the rules that span desks (one officer's shifts
    never overlap)."""
    desk = cmd.desk
    if desk not in world.desks:
        raise NotFound(f"No desk {desk!r} in this world.", field="desk")
    # The event that creates a desk's record carries what its timers start from.
    init: dict[str, Any] = {} if state is not None else {
        "party": world.desks[desk].party, "linktest_next_at": _next_test(world, None, desk, now),
        "interval_s": world.duty.linktest_interval_s, "alert_after_s": world.duty.unmanned_alert_s}
    if isinstance(cmd, MarkPresence | Reschedule):
        return _decide_system(world, state, cmd, now, init)
    if isinstance(cmd, PlanShift | CancelShift):
        party = _require_own(world, who, desk, "plan shifts")
        if who.role != "supervisor":
            raise Forbidden("Only a supervisor plans shifts.", field="desk")
        if isinstance(cmd, CancelShift):
            if not any(s["id"] == cmd.shift_id for s in (state or {}).get("shifts", [])):
                raise NotFound(f"No shift {cmd.shift_id!r} at desk {desk!r}.", field="shift_id")
            return [_pending(world, desk, party, who.username, "shift.cancelled", {"shift_id": cmd.shift_id})]
        return [_plan(world, who, party, state, cmd, now, desks or {}, init)]
    party = _require_own(world, who, desk, "act")
    officer = (state or {}).get("officer")
    if isinstance(cmd, SignOn):
        if officer and officer["username"] == who.username:
            return []  # already on: a repeated click writes nothing
        payload: dict[str, Any] = {**init, "officer": who.username, "name": cmd.name}
        if officer:  # a second sign-on is a handover from the officer on duty
            prepared = (state or {}).get("prepared") or {}
            payload["handover"] = {"id": f"ho-{desk}-{now:%Y%m%d%H%M%S%f}",
                                   "from": officer["username"], "note": prepared.get("note", ""),
                                   "items": list(prepared.get("items") or cmd.items)}
        return [_pending(world, desk, party, who.username, "desk.signed_on", payload)]
    if isinstance(cmd, SignOff):
        check_reason(cmd.reason)
        if not officer:
            raise Conflict(f"Nobody is signed on at desk {desk!r}.", field="desk")
        if officer["username"] != who.username and who.role != "supervisor":
            raise Forbidden("Only the officer on duty or a supervisor signs an officer off.", field="desk")
        return [_pending(world, desk, party, who.username, "desk.signed_off",
                         {"officer": officer["username"], "reason": cmd.reason, **_unmanned_policy(world, desk)})]
    if isinstance(cmd, PrepareHandover):
        check_reason(cmd.note, "note")
        if not officer or officer["username"] != who.username:
            raise Forbidden("Only the officer on duty prepares the handover of the desk.", field="desk")
        return [_pending(world, desk, party, who.username, "handover.prepared",
                         {"note": cmd.note, "items": list(cmd.items)})]
    if isinstance(cmd, AckHandover):
        return _ack_handover(world, who, party, state, cmd)
    if isinstance(cmd, AnswerLinkTest):
        open_test = (state or {}).get("linktest", {}).get("open")
        if open_test is None or open_test["id"] != cmd.test_id:
            raise Conflict(f"Link test {cmd.test_id!r} is not open at desk {desk!r} (answered, missed or never "
                           "sent).", field="test_id")
        answer_s = round((now - parse_iso(open_test["sent_at"])).total_seconds(), 3)
        return [_pending(world, desk, party, who.username, "linktest.answered",
                         {"test_id": cmd.test_id, "answer_s": answer_s})]
    raise Invalid(f"Unknown desk command {type(cmd).__name__}.")


def _plan(world: World, who: Principal, party: str, state: State | None, cmd: PlanShift, now: datetime,
          desks: dict[str, State | None], init: dict[str, Any]) -> Pending:
    if cmd.end <= cmd.start:
        raise Invalid("The shift ends before it starts; give an end after the start.", field="end")
    if cmd.end - cmd.start > MAX_SHIFT:
        raise Invalid("A shift lasts at most 24 hours.", field="end")
    if cmd.end <= now:
        raise Invalid("The shift is over already; plan shifts that end in the future.", field="end")
    if any(s["id"] == cmd.shift_id for s in (state or {}).get("shifts", [])):
        raise Conflict(f"Shift {cmd.shift_id!r} exists already.", field="id")
    for other_desk, other in {**desks, cmd.desk: state}.items():
        for s in (other or {}).get("shifts", []):
            if s["officer"] == cmd.officer and parse_iso(s["start"]) < cmd.end and cmd.start < parse_iso(s["end"]):
                raise Conflict(f"{cmd.officer} already has a shift from {s['start']} to {s['end']} at desk "
                               f"{other_desk!r}; one officer's shifts may not overlap.", field="start")
    return _pending(world, cmd.desk, party, who.username, "shift.planned", {
        **init, "shift_id": cmd.shift_id, "officer": cmd.officer, "start": iso(cmd.start), "end": iso(cmd.end),
        **_unmanned_policy(world, cmd.desk)})


def _ack_handover(world: World, who: Principal, party: str, state: State | None, cmd: AckHandover) -> list[Pending]:
    handover = (state or {}).get("handover")
    if handover is None or handover["id"] != cmd.handover_id:
        raise NotFound(f"No handover {cmd.handover_id!r} waits at desk {cmd.desk!r}.", field="handover_id")
    if handover["to"] != who.username:
        raise Forbidden("Only the incoming officer acknowledges the handover.", field="handover_id")
    known = {item["id"] for item in handover["items"]}
    wanted = known if cmd.items is None else set(cmd.items)
    unknown = sorted(wanted - known)
    if unknown:
        raise Invalid(f"The handover lists no item {unknown[0]!r}.", field="items")
    new = sorted(wanted - set(handover["acked"]))
    if not new and (cmd.items is not None or handover["complete"]):
        return []
    complete = set(handover["acked"]) | wanted == known
    return [_pending(world, cmd.desk, party, who.username, "handover.acknowledged",
                     {"handover_id": cmd.handover_id, "items": new, "complete": complete})]


def _decide_system(world: World, state: State | None, cmd: MarkPresence | Reschedule, now: datetime,
                   init: dict[str, Any]) -> list[Pending]:
    if isinstance(cmd, Reschedule):
        if state is None:
            return []
        next_at = min(state["linktest"]["next_at"], _next_test(world, state, cmd.desk, now, cmd.interval_s))
        return [_pending(world, cmd.desk, None, SYSTEM, "linktest.rescheduled",
                         {"level": cmd.level, "interval_s": cmd.interval_s, "next_at": next_at})]
    officer = (state or {}).get("officer")
    if not officer or officer["username"] != cmd.officer:
        return []  # the officer left the desk meanwhile: nothing to record
    if cmd.present and state and state["status"] == "unattended":
        return [_pending(world, cmd.desk, None, SYSTEM, "desk.manned", {"officer": cmd.officer})]
    if not cmd.present and state and state["status"] == "manned":
        return [_pending(world, cmd.desk, None, SYSTEM, "desk.unattended",
                         {"officer": cmd.officer, "last_seen": cmd.last_seen or iso(now),
                          **_unmanned_policy(world, cmd.desk)})]
    return []


# --- time: link tests and alerts --------------------------------------------------------------------

def _linktest_due(state: State) -> datetime | None:
    """When the next link test goes out: at ``next_at`` if the desk is manned or planned then, else at the
    start of the next planned shift; None for a desk nobody sits at or plans to."""
    lt = state["linktest"]
    if lt["open"] is not None:
        return None
    at = parse_iso(lt["next_at"])
    if state["status"] != "unmanned" or _covering(state, at) is not None:
        return at
    later = [parse_iso(s["start"]) for s in state["shifts"] if parse_iso(s["start"]) > at]
    return min(later) if later else None


def _alert_due(state: State) -> tuple[datetime, int, dict[str, Any]] | None:
    """The next alert for a desk empty in a planned shift: (when, level 1 or 2, the shift); with a
    desk_unmanned policy, (when, the policy's step number, the shift)."""
    if state["status"] == "manned":
        return None
    since = parse_iso(state["since"])
    policy = state.get("unmanned_policy")
    alerts = (state.get("unmanned_steps") if policy else state.get("alerts")) or {}
    for shift in state["shifts"]:
        start, end = parse_iso(shift["start"]), parse_iso(shift["end"])
        if end <= since:
            continue
        level = alerts.get(shift["id"], 0)
        if level >= (len(policy) if policy else 2):
            continue
        gap = max(since, start)
        # The policy's offsets count from the moment the desk is empty in the shift; the fixed alerts
        # come after N and 2N.
        offset = policy[level]["offset_s"] if policy else state["alert_after_s"] * (level + 1)
        due = gap + timedelta(seconds=offset)
        if due < end:
            return due, level + 1, shift
    return None


def _linktest_escalation_due(state: State) -> datetime | None:
    esc = state["linktest"].get("escalation")
    if not esc or esc["step"] >= len(esc["steps"]):
        return None
    return parse_iso(esc["from"]) + timedelta(seconds=esc["steps"][esc["step"]]["offset_s"])


def tick(world: World, state: State, now: datetime) -> list[Pending]:
    desk, party = state["id"], state["party"]
    out: list[Pending] = []
    lt = state["linktest"]
    missed = _missed(world, state) if lt["open"] is not None and now >= parse_iso(lt["open"]["due_at"]) else None
    if missed is not None:
        out.append(missed)
    out += _linktest_steps(world, state, missed.payload if missed else None, now)
    due = _linktest_due({**state, "linktest": {**lt, "open": None}} if missed else state)
    if due is not None and now >= due:
        number = lt["sent"] + 1
        out.append(_pending(world, desk, None, SYSTEM, "linktest.sent", {
            "test_id": f"lt-{desk}-{number}", "due_at": iso(now + timedelta(seconds=world.duty.linktest_answer_s)),
            "next_at": _next_test(world, state, desk, now)}))
    if state.get("unmanned_policy"):
        return out + _unmanned_steps(world, state, now)
    alert = _alert_due(state)
    if alert is not None and now >= alert[0]:
        _, level, shift = alert
        out.append(_pending(world, desk, None, SYSTEM, "desk.alert", {
            "party": party, "shift_id": shift["id"], "officer": shift["officer"], "status": state["status"],
            "since": state["since"], "level": level, "escalated_to": "supervisors" if level == 1 else "mediator",
            "mediator": world.mediator}))
    return out


def _missed(world: World, state: State) -> Pending:
    desk, party, test = state["id"], state["party"], state["linktest"]["open"]
    payload: dict[str, Any] = {"test_id": test["id"], "party": party, "sent_at": test["sent_at"]}
    steps = _policy_steps(world, "link_test", party)
    if steps is None:
        payload.update(escalated_to=["supervisors", "mediator"], mediator=world.mediator)
    elif _linktest_escalation_due(state) is None:
        # A miss while an earlier one still escalates joins it: the desk has answered neither.
        payload["escalation"] = {"from": test["due_at"], "steps": steps}
    return _pending(world, desk, None, SYSTEM, "linktest.missed", payload)


def _linktest_steps(world: World, state: State, missed: dict[str, Any] | None, now: datetime) -> list[Pending]:
    """The link_test policy's steps due now (of an escalation running, or the one ``missed`` starts)."""
    esc = state["linktest"].get("escalation")
    if missed is not None and "escalation" in missed:
        esc = {**missed["escalation"], "test_id": missed["test_id"], "step": 0}
    elif esc is None or _linktest_escalation_due(state) is None:
        return []
    out = []
    for index in range(esc["step"], len(esc["steps"])):
        due = parse_iso(esc["from"]) + timedelta(seconds=esc["steps"][index]["offset_s"])
        if now < due:
            break
        out.append(_pending(world, state["id"], None, SYSTEM, "linktest.escalation_step", {
            "desk_id": agg_id(state["id"]), "party": state["party"], "test_id": esc["test_id"],
            **_step_payload(world, esc["steps"], index, due)}))
    return out


def _unmanned_steps(world: World, state: State, now: datetime) -> list[Pending]:
    """The desk_unmanned policy's steps due now, each once (the record counts the steps of each shift)."""
    out: list[Pending] = []
    reached = dict(state.get("unmanned_steps") or {})
    while True:
        alert = _alert_due({**state, "unmanned_steps": reached})
        if alert is None or now < alert[0]:
            return out
        due, number, shift = alert
        reached[shift["id"]] = number
        out.append(_pending(world, state["id"], None, SYSTEM, "desk.escalation_step", {
            "desk_id": agg_id(state["id"]), "party": state["party"], "shift_id": shift["id"],
            "officer": shift["officer"], "status": state["status"], "since": state["since"],
            **_step_payload(world, state["unmanned_policy"], number - 1, due)}))


def next_due(state: State) -> str | None:
    lt = state["linktest"]
    times = [t for t in (_linktest_due(state), (_alert_due(state) or (None,))[0], _linktest_escalation_due(state))
             if t is not None]
    if lt["open"] is not None:
        times.append(parse_iso(lt["open"]["due_at"]))
    return iso(min(times)) if times else None


# --- state ------------------------------------------------------------------------------------------

def _new(event: dict[str, Any]) -> State:
    p = event["payload"]
    return {"id": p["desk"], "party": p["party"], "status": "unmanned", "since": event["ts"], "officer": None,
            "shifts": [], "alerts": {}, "alert_after_s": p.get("alert_after_s", 600), "handover": None,
            "prepared": None, "last_off": None, "seed": event["hash"],
            "linktest": {"next_at": p["linktest_next_at"], "interval_s": p.get("interval_s", 3600),
                         "level": "normal", "open": None, "sent": 0, "last": None},
            "history": {"answers": [], "misses": [], "handovers": []}}


def _status(state: State, status: str, ts: str) -> None:
    if state["status"] != status:
        state["status"], state["since"] = status, ts
        if status == "manned":
            state["alerts"] = {}
            state["unmanned_steps"] = {}


def _keep(items: list[Any], item: Any) -> None:
    items.append(item)
    del items[:-HISTORY]


def evolve(state: State | None, event: dict[str, Any]) -> State:
    """The only place a desk's state changes."""
    p, kind, ts = event["payload"], event["type"], event["ts"]
    if state is None:
        state = _new(event)
    state["seed"] = event["hash"]
    hist = state["history"]
    if kind in ("shift.planned", "desk.signed_off", "desk.unattended"):
        state["unmanned_policy"] = p.get("unmanned_policy")  # the world file's policy when it was written
    if kind == "shift.planned":
        state["shifts"].append({"id": p["shift_id"], "officer": p["officer"], "start": p["start"], "end": p["end"],
                                "by": event["actor"]})
        state["shifts"].sort(key=lambda s: s["start"])
        # Shifts over for a week are history: the projection stays small.
        cutoff = iso(parse_iso(ts) - timedelta(days=7))
        state["shifts"] = [s for s in state["shifts"] if s["end"] >= cutoff]
    elif kind == "shift.cancelled":
        state["shifts"] = [s for s in state["shifts"] if s["id"] != p["shift_id"]]
    elif kind == "desk.signed_on":
        before = state["officer"]
        state["officer"] = {"username": p["officer"], "name": p["name"], "since": ts}
        _status(state, "manned", ts)
        if "handover" in p:
            h = p["handover"]
            state["handover"] = {"id": h["id"], "from": h["from"], "to": p["officer"], "at": ts, "note": h["note"],
                                 "items": h["items"], "acked": [], "complete": False,
                                 "complete_at": None}
            _keep(hist["handovers"], {"id": h["id"], "from": h["from"], "to": p["officer"], "at": ts,
                                      "acked_at": None, "missing": False})
        elif before is None and state["last_off"] and state["last_off"]["officer"] != p["officer"]:
            # the desk changed hands with nobody handing over: a handover not done at all
            _keep(hist["handovers"], {"id": None, "from": state["last_off"]["officer"], "to": p["officer"],
                                      "at": ts, "acked_at": None, "missing": True})
        state["prepared"] = None
    elif kind == "desk.signed_off":
        state["officer"] = None
        state["last_off"] = {"officer": p["officer"], "at": ts}
        state["prepared"] = None
        _status(state, "unmanned", ts)
    elif kind == "desk.unattended":
        _status(state, "unattended", ts)
    elif kind == "desk.manned":
        _status(state, "manned", ts)
    elif kind == "desk.alert":
        state["alerts"][p["shift_id"]] = p["level"]
    elif kind == "desk.escalation_step":
        steps = state.setdefault("unmanned_steps", {})
        steps[p["shift_id"]] = max(steps.get(p["shift_id"], 0), p["step"])
        # what the desk strip shows: 1 its supervisors (or others) were told, 2 the mediator too
        level = 2 if "mediator" in p["targets"] else 1
        state["alerts"][p["shift_id"]] = max(state["alerts"].get(p["shift_id"], 0), level)
    elif kind == "handover.prepared":
        state["prepared"] = {"note": p["note"], "items": p["items"], "at": ts}
    elif kind == "handover.acknowledged":
        h = state["handover"]
        h["acked"] = sorted(set(h["acked"]) | set(p["items"]))
        if p["complete"]:
            h["complete"], h["complete_at"] = True, ts
            for entry in hist["handovers"]:
                if entry["id"] == h["id"] and entry["to"] == h["to"] and entry["at"] == h["at"]:
                    entry["acked_at"] = ts
    elif kind == "linktest.sent":
        lt = state["linktest"]
        lt["open"] = {"id": p["test_id"], "sent_at": ts, "due_at": p["due_at"]}
        lt["next_at"], lt["sent"] = p["next_at"], lt["sent"] + 1
    elif kind == "linktest.answered":
        lt = state["linktest"]
        lt["open"], lt["last"] = None, {"id": p["test_id"], "at": ts, "by": event["actor"], "answer_s": p["answer_s"]}
        lt["escalation"] = None  # the desk answers again: an escalation of an earlier miss stops
        _keep(hist["answers"], [ts, p["answer_s"]])
    elif kind == "linktest.missed":
        lt = state["linktest"]
        lt["open"], lt["last"] = None, {"id": p["test_id"], "at": ts, "missed": True}
        if "escalation" in p:
            lt["escalation"] = {**p["escalation"], "test_id": p["test_id"], "step": 0}
        _keep(hist["misses"], ts)
    elif kind == "linktest.escalation_step":
        esc = state["linktest"].get("escalation")
        if esc is not None:
            esc["step"] = max(esc["step"], p["step"])
    elif kind == "linktest.rescheduled":
        lt = state["linktest"]
        lt["level"], lt["interval_s"], lt["next_at"] = p["level"], p["interval_s"], p["next_at"]
    return state


def status_of(state: State | None) -> str:
    return "unmanned" if state is None else str(state["status"])
