"""Use cases of staffed desks: shifts, sign-on and sign-off, handover, link tests, alert level, suspension,
the roster and the desks' part of the summary report.

Each command runs through ``on_aggregate`` (one desk, or the line) so it shares the writer's batch and
its single read. What the domain cannot know by itself (the officer's display name, what is open for the
party at a handover) is read here and handed to it in the command.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hotline.domain import desks, line
from hotline.domain.access import HOTLINE, Principal
from hotline.domain.aggregates import KINDS
from hotline.domain.errors import Forbidden, Invalid, NotFound
from hotline.domain.timefmt import iso, parse_iso
from hotline.store.ledger import list_aggregates, list_awaiting, load_aggregate

from .commands import on_aggregate
from .hotline import Hotline

__all__ = ["act", "line_action", "new_shift_id", "mark_presence", "overview", "roster", "open_items",
           "report_section", "desk_states", "check_own_desk"]

State = dict[str, Any]


def check_own_desk(hl: Hotline, who: Principal, desk: str) -> None:
    party = hl.world.desks[_desk(hl, desk)].party
    if who.party != party:
        raise Forbidden(f"Only {party}'s officers see what is open for {party}.", field="desk")


def _desk(hl: Hotline, desk: str) -> str:
    if desk not in hl.world.desks:
        raise NotFound(f"No desk {desk!r} in this world.", field="desk")
    return desk


async def _run(hl: Hotline, who: Principal, cmd: desks.Command, *, all_desks: bool = False) -> tuple[State, bool]:
    desk = _desk(hl, cmd.desk)
    others = [d for d in hl.world.desks if d != desk] if all_desks else []
    state, wrote = await on_aggregate(
        hl, desks.KIND, desks.agg_id(desk), also=[(desks.KIND, desks.agg_id(d)) for d in others],
        decide=lambda state, loaded, now: desks.decide(
            hl.world, who, state, cmd, now, desks={d: loaded[desks.agg_id(d)] for d in others}))
    return state, wrote


async def _user(hl: Hotline, username: str) -> dict[str, Any] | None:
    return next((u for u in await hl.auth.users() if u["username"] == username), None)


def new_shift_id() -> str:
    return "sh-" + uuid.uuid4().hex[:16]


async def _check_officer(hl: Hotline, cmd: desks.PlanShift) -> None:
    party = hl.world.desks[_desk(hl, cmd.desk)].party
    user = await _user(hl, cmd.officer)
    if user is None or user["party"] != party or user["role"] not in ("operator", "supervisor") or user["disabled"]:
        raise Invalid(f"{cmd.officer!r} is not an operator or supervisor of {party}; name one of its officers.",
                      field="officer")


async def open_items(hl: Hotline, party: str) -> list[dict[str, Any]]:
    """Everything that waits for ``party``: unacknowledged messages and findings, incidents and other
    records awaiting its action, each with its deadline where it has one. The handover lists these."""
    channels = hl.world.channels_of(party)
    items: list[dict[str, Any]] = []
    async with hl.db.read() as conn:
        for kind in KINDS:
            if kind in (desks.KIND, line.KIND):
                continue
            for state in await list_awaiting(conn, kind, party, channels, limit=200):
                entry = (state.get("addressees") or state.get("acks") or {}).get(party) or {}
                label = state.get("subject") or state.get("title") or state.get("text") or state.get("id")
                items.append({"id": f"{kind}:{state.get('id')}", "kind": kind, "ref": state.get("id"),
                              "label": str(label)[:200], "deadline": entry.get("deadline")})
    return items


async def act(hl: Hotline, who: Principal, cmd: desks.Command) -> tuple[State, bool]:
    """One command on one desk; the desk's state and whether anything was written.

    A shift names an officer of the desk's party (the accounts say who that is); signing on and
    preparing a handover carry what is open for the party now, and signing on the officer's name."""
    if isinstance(cmd, desks.PlanShift):
        await _check_officer(hl, cmd)
    elif isinstance(cmd, desks.SignOn | desks.PrepareHandover):
        party = hl.world.desks[_desk(hl, cmd.desk)].party
        items = tuple(await open_items(hl, party)) if who.party == party else ()
        if isinstance(cmd, desks.SignOn):
            user = await _user(hl, who.username)
            cmd = replace(cmd, name=(user or {}).get("display_name") or who.username, items=items)
        else:
            cmd = replace(cmd, items=items)
    state, wrote = await _run(hl, who, cmd, all_desks=isinstance(cmd, desks.PlanShift))
    if wrote and isinstance(cmd, desks.SignOn):
        hl.presence.watch(who.username)  # signing on counts as being seen; the stream must follow
    return state, wrote


async def mark_presence(hl: Hotline, desk: str, officer: str, present: bool, last_seen: str = "") -> bool:
    _, wrote = await _run(hl, HOTLINE, desks.MarkPresence(desk, officer, present, last_seen))
    return wrote


async def line_action(hl: Hotline, who: Principal, cmd: line.Command) -> tuple[State, bool]:
    """Change the line's alert level (every desk's link tests follow it), suspend or resume a party."""
    desk_ids = list(hl.world.desks)
    return await on_aggregate(
        hl, line.KIND, line.LINE_ID, also=[(desks.KIND, desks.agg_id(d)) for d in desk_ids],
        decide=lambda state, loaded, now: line.decide(
            hl.world, who, state, cmd, now, desk_states={d: loaded[desks.agg_id(d)] for d in desk_ids}))


async def desk_states(hl: Hotline) -> tuple[dict[str, State | None], State | None]:
    async with hl.db.read() as conn:
        found = {s["id"]: s for s in await list_aggregates(conn, desks.KIND, [hl.world.common_channel], limit=1000)}
        line_state = await load_aggregate(conn, line.KIND, line.LINE_ID)
    return {d: found.get(d) for d in hl.world.desks}, line_state


def _present(hl: Hotline, desk_id: str, state: State | None, line_state: State | None) -> dict[str, Any]:
    desk = hl.world.desks[desk_id]
    suspended = (line_state or {}).get("suspended", {}).get(desk.party)
    lt = (state or {}).get("linktest") or {}
    return {
        "id": desk_id, "party": desk.party, "names": desk.names, "status": desks.status_of(state),
        "since": (state or {}).get("since"), "officer": (state or {}).get("officer"), "suspended": suspended,
        # the next test's time stays unsaid: a link test is not announced
        "linktest": {"open": lt.get("open"), "last": lt.get("last"), "level": lt.get("level", "normal")},
        "handover": (state or {}).get("handover"),
        # 1: its supervisors were alerted that the desk is empty in a planned shift; 2: the mediator too
        "alert": max(((state or {}).get("alerts") or {}).values(), default=0),
    }


async def overview(hl: Hotline, who: Principal) -> dict[str, Any]:
    """Every desk's state (every party sees every desk), the alert level and the suspensions."""
    states, line_state = await desk_states(hl)
    return {"desks": [_present(hl, d, s, line_state) for d, s in states.items()],
            "level": line.level_of(line_state), "level_reason": (line_state or {}).get("reason", ""),
            "level_since": (line_state or {}).get("since"), "level_by": (line_state or {}).get("by"),
            "suspended": (line_state or {}).get("suspended", {}), "now": iso(hl.clock())}


async def roster(hl: Hotline, who: Principal, days: int = 7) -> dict[str, Any]:
    """Each desk's shifts from now for ``days`` days, and the gaps no shift covers."""
    now = hl.clock()
    lo, hi = now, now + timedelta(days=days)
    states, _ = await desk_states(hl)
    out = []
    for desk_id, state in states.items():
        shifts = [s for s in (state or {}).get("shifts", []) if parse_iso(s["end"]) > lo and parse_iso(s["start"]) < hi]
        gaps, cursor = [], lo
        for s in shifts:
            start, end = parse_iso(s["start"]), parse_iso(s["end"])
            if start > cursor:
                gaps.append({"start": iso(cursor), "end": iso(start)})
            cursor = max(cursor, end)
        if cursor < hi:
            gaps.append({"start": iso(cursor), "end": iso(hi)})
        out.append({"desk": desk_id, "party": hl.world.desks[desk_id].party, "names": hl.world.desks[desk_id].names,
                    "shifts": shifts, "gaps": gaps})
    return {"from": iso(lo), "to": iso(hi), "desks": out}


async def report_section(hl: Hotline, start: datetime, end: datetime, stats: Any) -> dict[str, Any]:
    """Per party: link-test answer times (median, p95) and misses, handovers done late or not at all."""
    lo, hi, now = iso(start), iso(end), hl.clock()
    grace = timedelta(seconds=hl.world.duty.handover_grace_s)
    states, _ = await desk_states(hl)
    answers: dict[str, list[float]] = {p: [] for p in hl.world.parties}
    out: dict[str, dict[str, Any]] = {p: {"linktests_missed": 0, "handovers": 0, "handovers_late": 0,
                                          "handovers_missing": 0} for p in hl.world.parties}
    for state in states.values():
        if state is None:
            continue
        party, hist = state["party"], state["history"]
        answers[party] += [s for at, s in hist["answers"] if lo <= at < hi]
        out[party]["linktests_missed"] += sum(1 for at in hist["misses"] if lo <= at < hi)
        for h in hist["handovers"]:
            if not lo <= h["at"] < hi:
                continue
            out[party]["handovers"] += 1
            if h["missing"]:
                out[party]["handovers_missing"] += 1
                continue
            at = parse_iso(h["at"])
            acked = parse_iso(h["acked_at"]) if h["acked_at"] else now
            planned = [parse_iso(s["start"]) for s in state["shifts"]
                       if s["officer"] == h["to"] and parse_iso(s["start"]) <= at < parse_iso(s["end"])]
            if acked - at > grace or (planned and at - planned[0] > grace):
                out[party]["handovers_late"] += 1
    return {p: {"linktest_answer": stats(answers[p]), **out[p]} for p in sorted(out)}
