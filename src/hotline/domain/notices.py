"""Activity notices as a ledger aggregate: filed, acknowledged, queried, answered, objected, withdrawn, expired.

A notice is information, never a permission. ``STATEMENT`` says so in every ``notice.filed`` payload and
every API answer, so that neither side can later read an acknowledgement as a clearance.

The lead time is recorded at filing in a form both sides can check against the envelope's server
timestamp: ``filed_at`` (the server's clock), ``start``, the ``required`` and ``actual`` lead in seconds,
and ``late``. A query may be addressed to any party (by default the filer); a question about forces can
be answered formally with ``notice.not_our_forces``, which the record keeps apart from a plain answer.
Every other party of the common channel is asked to acknowledge; there is no deadline on that (urgent
clashes are findings, which have one). At the end of its window a notice expires by ``tick``.

Geometric validation happens before: the caller passes the output of ``hotline.geo.notices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.geo.notices import LeadTime

from .access import Principal, require_speaker
from .errors import Conflict, Invalid, NotFound
from .events import SYSTEM, Pending
from .timefmt import iso, parse_iso
from .world import World

__all__ = ["KIND", "STATEMENT", "agg_id", "FileNotice", "decide_file", "decide_ack", "decide_query",
           "decide_answer", "decide_object", "decide_withdraw", "tick", "evolve", "next_due", "awaiting",
           "is_active", "lead_record", "Response", "AcknowledgeNotice", "QueryNotice", "AnswerQuery",
           "ObjectToNotice", "decide"]

KIND = "notice"
STATEMENT = ("This notice is information, not a permission: it grants no clearance, and no acknowledgement "
             "or silence of another party approves the activity.")
MAX_TEXT = 4000


def agg_id(notice_id: str) -> str:
    return f"notice:{notice_id}"


@dataclass(frozen=True, slots=True)
class FileNotice:
    notice_id: str
    body: dict[str, Any]  # the normalised notice (geometry GeoJSON, window ISO, forces ...), party excluded


def lead_record(lead: LeadTime) -> dict[str, Any]:
    return {"filed_at": iso(lead.filed_at), "start": iso(lead.start),
            "required_s": int(lead.required.total_seconds()), "actual_s": int(lead.actual.total_seconds()),
            "short_by_s": int(lead.short_by.total_seconds()), "late": lead.late}


def decide_file(world: World, who: Principal, existing: dict[str, Any] | None, cmd: FileNotice,
                lead: LeadTime) -> list[Pending]:
    party = require_speaker(who, "file notices")
    if existing is not None:
        if existing["party"] == party and existing["notice"] == cmd.body:
            return []  # a retried filing: the first one stands
        raise Conflict(f"A different notice already has the id {cmd.notice_id!r}; use a new id.", field="id")
    channel = world.channels[world.common_channel]
    payload = {"notice_id": cmd.notice_id, "notice": cmd.body, "statement": STATEMENT,
               "lead_time": lead_record(lead), "addressees": [m for m in channel.members if m != party]}
    return [Pending(channel.id, "notice.filed", party, who.username, payload, (KIND, agg_id(cmd.notice_id)))]


def _visible(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str) -> dict[str, Any]:
    if state is None or state["channel"] not in world.channels_of(who.party):
        raise NotFound(f"No notice {notice_id!r} is visible to you.", field="notice_id")
    return state


def _text(text: str, field: str = "text", *, required: bool = False) -> str:
    if len(text) > MAX_TEXT:
        raise Invalid(f"{field} has {len(text)} characters; at most {MAX_TEXT} are allowed.", field=field)
    if required and not text.strip():
        raise Invalid(f"{field} is empty; say what you mean.", field=field)
    return text


def _event(state: dict[str, Any], type_: str, party: str | None, actor: str, payload: dict[str, Any]) -> Pending:
    return Pending(state["channel"], type_, party, actor, {"notice_id": state["notice_id"], **payload},
                   (KIND, state["id"]))


def decide_ack(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str) -> list[Pending]:
    party = require_speaker(who, "acknowledge notices")
    s = _visible(world, who, state, notice_id)
    if s["party"] == party:
        raise Conflict("Your party filed this notice; only the other parties acknowledge it.", field="notice_id")
    if party in s["acks"]:
        return []
    return [_event(s, "notice.acknowledged", party, who.username, {"statement": STATEMENT})]


def decide_query(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str, query_id: str,
                 text: str, to: str | None, about_forces: bool) -> list[Pending]:
    party = require_speaker(who, "query notices")
    s = _visible(world, who, state, notice_id)
    target = to or s["party"]
    if target not in world.channels[s["channel"]].members or target == party:
        raise Invalid(f"A query goes to another party of the channel, not {target!r}.", field="to")
    return [_event(s, "notice.queried", party, who.username, {
        "query_id": query_id, "to": target, "text": _text(text, required=True), "about_forces": about_forces})]


def decide_answer(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str, query_id: str,
                  text: str, not_our_forces: bool) -> list[Pending]:
    party = require_speaker(who, "answer queries")
    s = _visible(world, who, state, notice_id)
    query = next((q for q in s["queries"] if q["query_id"] == query_id), None)
    if query is None:
        raise NotFound(f"Notice {notice_id!r} has no query {query_id!r}.", field="query_id")
    if query["to"] != party:
        raise Conflict(f"The query was put to {query['to']!r}; only that party answers it.", field="query_id")
    if query["answer"] is not None:
        raise Conflict("This query has been answered already; ask a new one to continue.", field="query_id")
    if not_our_forces and not query["about_forces"]:
        raise Invalid("'Not our forces' answers a query about forces; this query is not one.", field="not_our_forces")
    kind = "notice.not_our_forces" if not_our_forces else "notice.answered"
    answer = _text(text, required=not not_our_forces)  # "not our forces" is an answer in itself
    return [_event(s, kind, party, who.username, {"query_id": query_id, "text": answer})]


def decide_object(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str,
                  text: str) -> list[Pending]:
    party = require_speaker(who, "object to notices")
    s = _visible(world, who, state, notice_id)
    if s["party"] == party:
        raise Conflict("Your party filed this notice; withdraw it instead of objecting.", field="notice_id")
    if s["status"] != "active":
        raise Conflict(f"The notice is {s['status']}; there is nothing left to object to.", field="notice_id")
    return [_event(s, "notice.objected", party, who.username, {"text": _text(text, required=True)})]


def decide_withdraw(world: World, who: Principal, state: dict[str, Any] | None, notice_id: str,
                    reason: str) -> list[Pending]:
    party = require_speaker(who, "withdraw notices")
    s = _visible(world, who, state, notice_id)
    if s["party"] != party:
        raise Conflict("Only the party that filed a notice withdraws it.", field="notice_id")
    if s["status"] != "active":
        return []
    return [_event(s, "notice.withdrawn", party, who.username, {"reason": _text(reason, "reason")})]


@dataclass(frozen=True, slots=True)
class AcknowledgeNotice:
    notice_id: str


@dataclass(frozen=True, slots=True)
class QueryNotice:
    notice_id: str
    query_id: str
    text: str
    to: str | None = None  # default: the filing party
    about_forces: bool = False


@dataclass(frozen=True, slots=True)
class AnswerQuery:
    notice_id: str
    query_id: str
    text: str
    not_our_forces: bool = False


@dataclass(frozen=True, slots=True)
class ObjectToNotice:
    notice_id: str
    text: str


# A party's response to a notice another party filed (filing is ``FileNotice``; withdrawing re-checks
# the findings, so the service runs it on its own).
Response = AcknowledgeNotice | QueryNotice | AnswerQuery | ObjectToNotice


def decide(world: World, who: Principal, state: dict[str, Any] | None, cmd: Response,
           now: datetime) -> list[Pending]:
    """One response by a person to the notice ``cmd.notice_id`` (in state ``state``)."""
    if isinstance(cmd, AcknowledgeNotice):
        return decide_ack(world, who, state, cmd.notice_id)
    if isinstance(cmd, QueryNotice):
        return decide_query(world, who, state, cmd.notice_id, cmd.query_id, cmd.text, cmd.to, cmd.about_forces)
    if isinstance(cmd, AnswerQuery):
        return decide_answer(world, who, state, cmd.notice_id, cmd.query_id, cmd.text, cmd.not_our_forces)
    return decide_object(world, who, state, cmd.notice_id, cmd.text)


def is_active(state: dict[str, Any], now: datetime) -> bool:
    return state["status"] == "active" and parse_iso(state["notice"]["window"]["end"]) > now


def tick(_world: World, state: dict[str, Any], now: datetime) -> list[Pending]:
    if state["status"] == "active" and now >= parse_iso(state["notice"]["window"]["end"]):
        return [_event(state, "notice.expired", None, SYSTEM, {"end": state["notice"]["window"]["end"]})]
    return []


def evolve(state: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    p = event["payload"]
    kind = event["type"]
    if kind == "notice.filed":
        return {"id": agg_id(p["notice_id"]), "notice_id": p["notice_id"], "channel": event["channel"],
                "seq": event["seq"], "party": event["party"], "actor": event["actor"], "filed_at": event["ts"],
                "notice": p["notice"], "statement": p["statement"], "lead_time": p["lead_time"],
                "addressees": p["addressees"], "status": "active", "acks": {}, "queries": [], "objections": [],
                "closed": None}
    if state is None:
        raise ValueError(f"event {event['seq']} ({kind}) names a notice that was never filed")
    stamp = {"party": event["party"], "by": event["actor"], "at": event["ts"], "seq": event["seq"]}
    if kind == "notice.acknowledged":
        state["acks"][event["party"]] = stamp
    elif kind == "notice.queried":
        state["queries"].append({"query_id": p["query_id"], "to": p["to"], "text": p["text"],
                                 "about_forces": p["about_forces"], "answer": None, **stamp})
    elif kind in ("notice.answered", "notice.not_our_forces"):
        for q in state["queries"]:
            if q["query_id"] == p["query_id"]:
                q["answer"] = {"kind": "not_our_forces" if kind == "notice.not_our_forces" else "answer",
                               "text": p["text"], **stamp}
    elif kind == "notice.objected":
        state["objections"].append({"text": p["text"], **stamp})
    elif kind in ("notice.withdrawn", "notice.expired"):
        state["status"] = "withdrawn" if kind == "notice.withdrawn" else "expired"
        state["closed"] = {"reason": p.get("reason", ""), **stamp}
    return state


def next_due(state: dict[str, Any]) -> str | None:
    if state["status"] != "active":
        return None
    return str(state["notice"]["window"]["end"])


def awaiting(state: dict[str, Any]) -> list[str]:
    """Parties owing an acknowledgement (while the notice is active) or an answer to a query."""
    out = [p for p in state["addressees"] if p not in state["acks"]] if state["status"] == "active" else []
    out += [q["to"] for q in state["queries"] if q["answer"] is None and q["to"] not in out]
    return out
