"""The summary report for a period, computed from the projections the caller may see.

Percentiles use the nearest-rank method (the p95 is a time some incident really took, never an
interpolation between two), and a party's time to resolve counts every resolved incident it was a
party to. Only incidents reported in the period count; disputes open now and commitments due in the
period are listed with their age and lateness as of ``now``.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from datetime import datetime
from typing import Any

from hotline.domain import commitments as c
from hotline.domain import disputes, incidents
from hotline.domain.access import Principal
from hotline.domain.timefmt import iso, parse_iso
from hotline.store.ledger import list_aggregates

from . import desks
from .hotline import Hotline

__all__ = ["summary", "to_csv", "stats"]


def stats(seconds: list[float]) -> dict[str, float | int | None]:
    if not seconds:
        return {"count": 0, "median_s": None, "p95_s": None}
    ordered = sorted(seconds)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"count": len(ordered), "median_s": round(statistics.median(ordered), 1), "p95_s": round(p95, 1)}


def _gap(start: str, end: str) -> float:
    return (parse_iso(end) - parse_iso(start)).total_seconds()


async def summary(hl: Hotline, who: Principal, start: datetime, end: datetime) -> dict[str, Any]:
    now = hl.clock()
    lo, hi, now_iso = iso(start), iso(end), iso(now)
    channels = hl.world.channels_of(who.party)
    async with hl.db.read() as conn:
        incs = await list_aggregates(conn, incidents.KIND, channels, limit=100_000)
        dsps = await list_aggregates(conn, disputes.KIND, channels, limit=100_000)
        coms = await list_aggregates(conn, c.COMMITMENT, channels, limit=100_000)
    incs = [i for i in incs if lo <= i["reported_at"] < hi]
    by_category = {cat: 0 for cat in incidents.CATEGORIES}
    by_sector: dict[str, int] = {}
    by_status = {s: 0 for s in incidents.STATES}
    ack: dict[str, list[float]] = {p: [] for p in hl.world.parties}
    resolve: dict[str, list[float]] = {p: [] for p in hl.world.parties}
    for inc in incs:
        by_category[inc["category"]] += 1
        by_sector[inc["sector"]] = by_sector.get(inc["sector"], 0) + 1
        by_status[inc["status"]] += 1
        for party, entry in inc["acks"].items():
            if entry["ack"] is not None:
                ack.setdefault(party, []).append(_gap(inc["reported_at"], entry["ack"]["at"]))
        if inc["resolved_at"]:
            for party in inc["parties"]:
                resolve.setdefault(party, []).append(_gap(inc["reported_at"], inc["resolved_at"]))
    open_disputes = sorted(
        ({"id": d["id"], "title": d["title"], "status": d["status"], "level": d["level"], "parties": d["parties"],
          "opened_at": d["opened_at"], "age_days": round(_gap(d["opened_at"], now_iso) / 86400, 1)}
         for d in dsps if d["status"] != "settled"), key=lambda d: d["opened_at"])
    due = []
    for m in coms:
        if not lo <= m["due_at"] < hi:
            continue
        late = (m["status"] in ("pending", "in_progress") and m["due_at"] < now_iso) or bool(
            m["delivered_at"] and m["delivered_at"] > m["due_at"])
        due.append({"id": m["id"], "owner": m["owner"], "text": m["text"], "due": m["due"], "status": m["status"],
                    "workstream": m.get("workstream"), "late": late})
    due.sort(key=lambda m: m["due"])
    return {
        "period": {"from": lo, "to": hi, "as_of": now_iso},
        "incidents": {"total": len(incs), "by_category": by_category, "by_sector": dict(sorted(by_sector.items())),
                      "by_status": by_status},
        "time_to_acknowledge": {p: stats(v) for p, v in sorted(ack.items())},
        "time_to_resolve": {p: stats(v) for p, v in sorted(resolve.items())},
        "open_disputes": open_disputes,
        "commitments": {"due": len(due), "late": sum(1 for m in due if m["late"]), "items": due},
        "desks": await desks.report_section(hl, start, end, stats),
    }


def to_csv(report: dict[str, Any]) -> str:
    """One row per figure: section, key, metric, value (a spreadsheet pivots it as it likes)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["section", "key", "metric", "value"])
    w.writerow(["period", "", "from", report["period"]["from"]])
    w.writerow(["period", "", "to", report["period"]["to"]])
    for section in ("by_category", "by_sector", "by_status"):
        for key, count in report["incidents"][section].items():
            w.writerow([f"incidents_{section}", key, "count", count])
    for section in ("time_to_acknowledge", "time_to_resolve"):
        for party, figures in report[section].items():
            for metric, value in figures.items():
                w.writerow([section, party, metric, "" if value is None else value])
    for d in report["open_disputes"]:
        w.writerow(["open_disputes", d["id"], "age_days", d["age_days"]])
        w.writerow(["open_disputes", d["id"], "status", d["status"]])
        w.writerow(["open_disputes", d["id"], "level", d["level"]])
    for m in report["commitments"]["items"]:
        w.writerow(["commitments", m["id"], "due", m["due"]])
        w.writerow(["commitments", m["id"], "status", m["status"]])
        w.writerow(["commitments", m["id"], "late", str(m["late"]).lower()])
    for party, figures in report.get("desks", {}).items():
        for metric, value in {**{f"linktest_{k}": v for k, v in figures["linktest_answer"].items()},
                              **{k: v for k, v in figures.items() if k != "linktest_answer"}}.items():
            w.writerow(["desks", party, metric, "" if value is None else value])
    return buf.getvalue()
